"""Distinct buyers of any range, exactly, without counting them from the orders.

A customer who bought on several days of a range counts once, so the count cannot be summed
from daily figures. Each day's buyers are kept instead (DailyBuyers: the sorted customer ids,
delta-encoded and compressed, a few kilobytes a day), written by the daily rebuild with the
day's other figures. A range's count is the size of the union of its days' sets, taken in
numpy: the work is the range's buyer-days, read from one small row per day, never a
DISTINCT over the orders.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.models import DailyBuyers

BUYERS = DailyBuyers.__table__


def encode(customer_ids: Iterable[int]) -> bytes:
    """Sorted ids as differences (small numbers compress well)."""
    ids = np.unique(np.fromiter(customer_ids, dtype=np.int64))
    return zlib.compress(np.diff(ids, prepend=0).astype("<i8").tobytes(), 6)


def decode(blob: bytes) -> np.ndarray:
    return np.cumsum(np.frombuffer(zlib.decompress(blob), dtype="<i8"))


def distinct_buyers(session: Session, days: DateRange) -> int:
    """Customers with a counted order on a day of the range, each counted once."""
    blobs = session.scalars(
        sa.select(BUYERS.c.customer_ids).where(BUYERS.c.business_date.between(days.start, days.end))
    ).all()
    ids = np.concatenate([decode(blob) for blob in blobs] or [np.empty(0, dtype=np.int64)])
    if not len(ids):
        return 0
    seen = np.zeros(int(ids.max()) + 1, dtype=bool)
    seen[ids] = True
    return int(np.count_nonzero(seen))
