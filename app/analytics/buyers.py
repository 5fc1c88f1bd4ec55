"""Distinct buyers of any range, exactly, without counting them from the orders.

A customer who bought on several days of a range counts once, so the count cannot be summed
from daily figures. Each day's buyers are kept instead (DailyBuyers: the sorted customer ids as
32-bit integers, 4 bytes a buyer, about 5 KB a day at 1,400 buyers), written by the daily
rebuild with the day's other figures. A range's count is the size of the union of its days'
sets, taken in numpy: the work is the range's buyer-days, read from one small row per day,
never a DISTINCT over the orders. (Compressed deltas took half the space and seven times the
time to read back: 41 ms against 6 ms for two years.)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.models import DailyBuyers

BUYERS = DailyBuyers.__table__


# Customer ids are 32-bit integer keys on both databases.
ID = np.dtype("<i4")


def encode(customer_ids: Iterable[int]) -> bytes:
    return np.unique(np.fromiter(customer_ids, dtype=np.int64)).astype(ID).tobytes()


def decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=ID)


def distinct_buyers(session: Session, days: DateRange) -> int:
    """Customers with a counted order on a day of the range, each counted once."""
    blobs = session.scalars(
        sa.select(BUYERS.c.customer_ids).where(BUYERS.c.business_date.between(days.start, days.end))
    ).all()
    ids = decode(b"".join(blobs))
    if not len(ids):
        return 0
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))
