"""Product pairs packed per day: sorted 64-bit keys (lower product id × 2³² + higher) and the
orders holding each pair as 32-bit counts. Summing a range is a merge of sorted runs in
numpy, not a GROUP BY over a row per day and pair."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

PAIR_KEY_SHIFT = 2**32
KEY, COUNT = np.dtype("<i8"), np.dtype("<i4")


def pack_keys(keys: Sequence[int]) -> bytes:
    return np.asarray(keys, dtype=KEY).tobytes()


def pack_orders(counts: Sequence[int]) -> bytes:
    return np.asarray(counts, dtype=COUNT).tobytes()


def summed_pairs(days: Sequence[tuple[bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Each pair key of the days once, with its orders summed over them."""
    if not days:
        return np.empty(0, KEY), np.empty(0, np.int64)
    keys = np.concatenate([np.frombuffer(k, KEY) for k, _ in days])
    counts = np.concatenate([np.frombuffer(c, COUNT) for _, c in days]).astype(np.int64)
    if not len(keys):
        return keys, counts
    # Each day's keys are sorted: a stable sort merges the runs.
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(counts, starts)


def split_key(key: int) -> tuple[int, int]:
    return int(key) // PAIR_KEY_SHIFT, int(key) % PAIR_KEY_SHIFT
