"""Generated daily series with weekly and yearly seasonality, and anomalies injected into them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WEEKDAY_SHAPE = np.array([1.0, 0.94, 0.97, 1.02, 1.12, 1.28, 0.72])
SHIFT_SETTLES = 14  # days after a level shift still counted as part of it


@dataclass
class Injected:
    kind: str  # spike, drop or level_shift
    start: int

    def covers(self, index: int) -> bool:
        span = SHIFT_SETTLES if self.kind == "level_shift" else 1
        return self.start <= index < self.start + span

    def caught_by(self, flags: set[int]) -> bool:
        """A spike or drop on its day; a level shift within its first three days."""
        span = 3 if self.kind == "level_shift" else 1
        return any(self.start + offset in flags for offset in range(span))


@dataclass
class SeriesPair:
    clean: np.ndarray
    anomalous: np.ndarray
    injected: list[Injected] = field(default_factory=list)


def shop_like(rng: np.random.Generator, days: int, level: float, counts: bool) -> np.ndarray:
    """Growth, a yearly wave, a weekly shape and noise (Poisson for counts, log-normal else)."""
    t = np.arange(days)
    weekly = WEEKDAY_SHAPE[(t + rng.integers(7)) % 7]
    yearly = 1 + 0.25 * np.sin(2 * np.pi * t / 365.25 + rng.uniform(0, 2 * np.pi))
    growth = 1 + rng.uniform(-0.2, 0.5) * t / days
    mean = level * weekly * yearly * growth
    if counts:
        return rng.poisson(mean).astype(float)
    return mean * rng.lognormal(0, 0.07, days)


def with_anomalies(rng: np.random.Generator, clean: np.ndarray, first: int) -> SeriesPair:
    """Three spikes, three drops and one level shift, at least three weeks apart."""
    kinds = ["spike"] * 3 + ["drop"] * 3 + ["level_shift"]
    rng.shuffle(kinds)
    gap = (len(clean) - first) // len(kinds)
    series = clean.copy()
    injected = []
    for slot, kind in enumerate(kinds):
        start = first + slot * gap + int(rng.integers(0, gap - 21))
        if kind == "spike":
            series[start] *= rng.uniform(1.8, 2.5)
        elif kind == "drop":
            series[start] *= rng.uniform(0.3, 0.55)
        else:
            series[start:] *= rng.choice([0.55, 1.7])
        injected.append(Injected(kind, start))
    return SeriesPair(clean, series, injected)
