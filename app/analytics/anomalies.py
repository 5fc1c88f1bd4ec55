"""Unusual days in a daily series, judged against what the days before them predict.

For each day: a robust STL (weekly seasonality) of the preceding window gives the expected
value (trend of the last day + the seasonal part of the same weekday a week before); the
robust spread (MAD) of the window's week-on-week differences, which holds the day-to-day noise
but not the weekly pattern, turns the day's deviation into a z-score. Series that cannot go
below zero are judged on log(1 + x): shop figures vary in proportion to their level (a busy
Saturday is noisier than a quiet Monday), and on the log scale they vary alike. A day
is flagged when |z| reaches the threshold and the deviation is also a material share of the
expected value. Only past days feed a verdict, so a day's verdict never changes later.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WEEK = 7
MAD_TO_SIGMA = 1.4826  # a normal distribution's sigma from its median absolute deviation


@dataclass(frozen=True)
class DetectorSettings:
    threshold: float = 5.0  # robust z-score a day must reach (lower: more sensitive)
    min_history: int = 28  # days of history before a day can be judged
    window: int = 56  # days of history each verdict looks at
    min_change: float = 0.15  # and the deviation must be at least this share of the expected
    min_active_share: float = 0.8  # a series with more empty days than this allows is too sparse


@dataclass(frozen=True)
class Verdict:
    value: float
    expected: float
    lower: float
    upper: float
    score: float  # robust z-score: (value − expected) / spread
    flagged: bool

    @property
    def direction(self) -> str:
        return "up" if self.value > self.expected else "down"


# Smoothers wide enough that one day cannot bend the trend or the weekly shape much.
SEASONAL_SMOOTHER = 35
TREND_SMOOTHER = 57


def _spread(past: np.ndarray) -> float:
    """Robust day-to-day noise: the MAD of week-on-week differences over √2, never below 1%
    of the level (a flat series)."""
    differences = past[WEEK:] - past[:-WEEK]
    centre = np.median(differences)
    mad = MAD_TO_SIGMA * float(np.median(np.abs(differences - centre))) / np.sqrt(2)
    return max(mad, 0.01 * abs(float(np.median(past))), 1e-6)


def judge(history: Sequence[float], value: float, settings: DetectorSettings) -> Verdict | None:
    """The verdict on `value` given the days before it (oldest first; NaN for a day without
    the figure); None when the history is too short or too sparse to say what is normal."""
    if np.isnan(value):
        return None  # nothing to judge: an average of no orders, a rate of no visits
    raw = np.asarray(history[-settings.window :], dtype=float)
    raw = raw[~np.isnan(raw)]
    raw = raw[np.argmax(raw != 0) :] if raw.any() else raw[:0]  # days before the first sale
    if len(raw) < settings.min_history:
        return None
    if np.count_nonzero(raw) < settings.min_active_share * len(raw):
        return None
    logged = bool((raw >= 0).all() and value >= 0)
    past, seen = (np.log1p(raw), np.log1p(value)) if logged else (raw, value)
    back = np.expm1 if logged else (lambda x: x)
    # Imported here: statsmodels costs every process 1.5 s and ~70 MB; only the detector uses it.
    from statsmodels.tsa.seasonal import STL

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = STL(
            past,
            period=WEEK,
            seasonal=SEASONAL_SMOOTHER,
            trend=TREND_SMOOTHER,
            seasonal_deg=0,  # a steady weekly shape: a day's shape is its weekday's mean
            low_pass_deg=0,
            robust=True,
        ).fit()
    centre = float(fit.trend[-1] + fit.seasonal[-WEEK])
    spread = _spread(past)
    score = (seen - centre) / spread
    expected = float(back(centre))
    material = abs(value - expected) >= settings.min_change * abs(expected)
    margin = settings.threshold * spread
    return Verdict(
        value=float(value),
        expected=expected,
        lower=float(back(centre - margin)),
        upper=float(back(centre + margin)),
        score=float(score),
        # An empty day is no surprise where empty days happened in the weeks before.
        flagged=bool(abs(score) >= settings.threshold and material)
        and not (value == 0 and (raw == 0).any()),
    )


def scan(series: Sequence[float], settings: DetectorSettings, first: int = 0) -> dict[int, Verdict]:
    """Verdicts on every position from `first` on that has enough history before it."""
    values = list(series)
    verdicts = {}
    for index in range(max(first, settings.min_history), len(values)):
        verdict = judge(values[:index], values[index], settings)
        if verdict is not None:
            verdicts[index] = verdict
    return verdicts


def flagged_positions(
    series: Sequence[float], settings: DetectorSettings, first: int = 0
) -> list[int]:
    return [index for index, v in scan(series, settings, first).items() if v.flagged]
