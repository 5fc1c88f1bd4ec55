"""Vectorised shop-time arithmetic over numpy arrays of UTC epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

DAY = 86_400
BUCKET = 900  # zone offsets change on quarter hours


class ShopClock:
    """UTC ↔ shop-local conversion for the span of a demo shop, daylight saving included."""

    def __init__(self, timezone: str, first_day: np.datetime64, last_day: np.datetime64) -> None:
        zone = ZoneInfo(timezone)
        self.origin = int(first_day.astype("datetime64[s]").astype(np.int64)) - 2 * DAY
        stop = int(last_day.astype("datetime64[s]").astype(np.int64)) + 62 * DAY
        start = datetime.fromtimestamp(self.origin, UTC)
        count = (stop - self.origin) // BUCKET
        self.offsets = np.array(
            [
                zone.utcoffset(start + timedelta(seconds=i * BUCKET)).total_seconds()
                for i in range(count)
            ],
            dtype=np.int64,
        )

    def offset_at(self, utc_seconds: np.ndarray) -> np.ndarray:
        index = np.clip((utc_seconds - self.origin) // BUCKET, 0, len(self.offsets) - 1)
        return self.offsets[index]

    def local_to_utc(self, local_seconds: np.ndarray) -> np.ndarray:
        guess = local_seconds - self.offset_at(local_seconds)
        return local_seconds - self.offset_at(guess)

    def business_day(self, utc_seconds: np.ndarray) -> np.ndarray:
        """Shop-local calendar day as datetime64[D]."""
        local = utc_seconds + self.offset_at(utc_seconds)
        return (local // DAY).astype("datetime64[D]")


def as_instants(utc_seconds: np.ndarray) -> np.ndarray:
    return utc_seconds.astype("datetime64[s]")
