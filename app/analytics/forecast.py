"""Daily forecasts, the rolling-origin backtest that picks a method, and the month-end outlook.

Methods (all on log(1 + x), so a forecast never goes below zero and a weekly shape scales
with the level): the weekly seasonal-naive baseline (each day as the same weekday last week),
damped-trend exponential smoothing with a weekly season, Theta with weekly deseasonalising,
and the mean of those two — the combination the forecasting literature finds a strong
default. MASE scales each method's mean absolute error by the in-sample error of the
seasonal-naive forecast one week ahead, so below 1 is better than that naive rule.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# The normal cdf and its inverse: scipy.stats would cost every process 0.6 s to import.
from scipy.special import ndtr, ndtri

WEEK = 7
TRAINING_DAYS = 364  # a year of weeks: what each fit sees
HORIZON = 28  # a month ahead, the longest a month-end forecast needs
ORIGINS = 12  # weekly origins of the backtest, the latest ending yesterday
INTERVAL = 0.8  # the forecast interval shown beside the month-end figure


def seasonal_naive(history: np.ndarray, horizon: int) -> np.ndarray:
    last_week = history[-WEEK:]
    return np.array([last_week[day % WEEK] for day in range(horizon)], dtype=float)


def _quietly(fit: Callable[[], np.ndarray]) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from the optimisers
        return np.asarray(fit(), dtype=float)


# statsmodels is imported where it is used: importing it costs every process of the app 1.5 s
# and about 70 MB, and only the insights job forecasts.


def _ets_log(history: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(
        history, trend="add", damped_trend=True, seasonal="add", seasonal_periods=WEEK
    )
    return _quietly(lambda: model.fit().forecast(horizon))


def _theta_log(history: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    model = ThetaModel(history, period=WEEK, method="additive")
    return _quietly(lambda: model.fit().forecast(horizon))


def _on_log_scale(method: Callable[[np.ndarray, int], np.ndarray]):
    def forecast(history: np.ndarray, horizon: int) -> np.ndarray:
        logged = np.log1p(np.clip(history[-TRAINING_DAYS:], 0, None))
        return np.clip(np.expm1(method(logged, horizon)), 0, None)

    return forecast


def _combination(history: np.ndarray, horizon: int) -> np.ndarray:
    logged = np.log1p(np.clip(history[-TRAINING_DAYS:], 0, None))
    mean = (_ets_log(logged, horizon) + _theta_log(logged, horizon)) / 2
    return np.clip(np.expm1(mean), 0, None)


METHODS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "seasonal_naive": seasonal_naive,
    "ets": _on_log_scale(_ets_log),
    "theta": _on_log_scale(_theta_log),
    "ets_theta": _combination,
}
BASELINE = "seasonal_naive"
METHOD_LABELS = {
    "seasonal_naive": "same weekday last week",
    "ets": "exponential smoothing",
    "theta": "Theta",
    "ets_theta": "exponential smoothing + Theta",
}
# Enough history for a year-long fit to be worth it and a backtest of ORIGINS weeks.
MIN_HISTORY = 8 * WEEK + HORIZON + (ORIGINS - 1) * WEEK


def naive_scale(history: np.ndarray) -> float:
    """In-sample mean absolute error of the weekly seasonal-naive forecast."""
    errors = np.abs(history[WEEK:] - history[:-WEEK])
    return float(errors.mean()) if len(errors) and errors.mean() > 0 else 1.0


@dataclass(frozen=True)
class Backtest:
    mase: dict[str, float]  # method → mean MASE over the origins
    # method → log(actual total / forecast total) per origin and horizon (1..HORIZON days)
    log_ratios: dict[str, np.ndarray]

    @property
    def best(self) -> str:
        return min(self.mase, key=lambda name: (self.mase[name], name != BASELINE))


def backtest(series: np.ndarray, methods: tuple[str, ...] = tuple(METHODS)) -> Backtest:
    """Rolling origins a week apart, each forecasting HORIZON days from the days before it."""
    series = np.asarray(series, dtype=float)
    origins = [len(series) - HORIZON - WEEK * k for k in range(ORIGINS)]
    if origins[-1] < 8 * WEEK:
        raise ValueError(f"a backtest needs at least {MIN_HISTORY} days, not {len(series)}")
    mase, ratios = {}, {}
    for name in methods:
        scores, rows = [], []
        for origin in origins:
            train, actual = series[:origin], series[origin : origin + HORIZON]
            predicted = METHODS[name](train, HORIZON)
            scores.append(float(np.abs(actual - predicted).mean()) / naive_scale(train))
            rows.append(_log_ratio(np.cumsum(actual), np.cumsum(predicted)))
        mase[name] = float(np.mean(scores))
        ratios[name] = np.array(rows)
    return Backtest(mase, ratios)


def _log_ratio(actual: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    return np.log((actual + 1) / (predicted + 1))


@dataclass(frozen=True)
class MonthOutlook:
    """Month to date, the forecast month-end total with its interval, and the chance of
    reaching the target (None without a target)."""

    month_to_date: float
    forecast: float
    lower: float
    upper: float
    probability: float | None
    method: str
    mase: float
    baseline_mase: float
    rest: float  # the forecast of the days left
    error_centre: float  # mean and spread of the backtest's log errors over as many days
    error_spread: float


def month_outlook(
    history: np.ndarray, month_to_date: float, days_left: int, target: float | None
) -> MonthOutlook:
    """The month-end total as month-to-date plus the forecast of the days left, by the method
    with the lowest backtest MASE; its interval and the chance of reaching the target come from
    that method's backtest errors over the same number of days."""
    trial = backtest(history)
    method = trial.best
    if days_left <= 0:
        rest, centre, spread = 0.0, 0.0, 0.0
    else:
        rest = float(METHODS[method](np.asarray(history, dtype=float), days_left).sum())
        errors = trial.log_ratios[method][:, min(days_left, HORIZON) - 1]
        centre, spread = float(errors.mean()), float(errors.std(ddof=1))
    z = ndtri(0.5 + INTERVAL / 2)
    expected = month_to_date + (rest + 1) * math.exp(centre) - 1 if days_left > 0 else month_to_date
    lower = month_to_date + max((rest + 1) * math.exp(centre - z * spread) - 1, 0)
    upper = month_to_date + max((rest + 1) * math.exp(centre + z * spread) - 1, 0)
    return MonthOutlook(
        month_to_date=month_to_date,
        forecast=expected,
        lower=lower if days_left > 0 else month_to_date,
        upper=upper if days_left > 0 else month_to_date,
        probability=chance(month_to_date, rest, centre, spread, target),
        method=method,
        mase=trial.mase[method],
        baseline_mase=trial.mase[BASELINE],
        rest=rest,
        error_centre=centre,
        error_spread=spread,
    )


def chance(done: float, rest: float, centre: float, spread: float, target: float | None):
    """P(month-to-date + what the rest of the month brings ≥ target), log-normal errors."""
    if target is None:
        return None
    needed = target - done
    if needed <= 0:
        return 1.0
    if rest <= 0 or spread <= 0:
        return float(rest * math.exp(centre) >= needed)
    return float(1 - ndtr((math.log((needed + 1) / (rest + 1)) - centre) / spread))
