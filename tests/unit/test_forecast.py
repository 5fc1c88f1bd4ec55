"""The month-end forecast: its backtest beats the weekly seasonal-naive rule on shop-like
series, and the outlook's interval and chance of reaching a target behave."""

from __future__ import annotations

import numpy as np
import pytest

from app.analytics.forecast import BASELINE, backtest, month_outlook, seasonal_naive
from tests.synthetic import shop_like


@pytest.mark.parametrize(
    ("level", "counts"), [(250_000, False), (70, True)], ids=["net-revenue", "orders"]
)
def test_backtest_mase_of_the_combination_beats_seasonal_naive(level, counts):
    series = shop_like(np.random.default_rng(7), 730, level, counts)
    trial = backtest(series, ("seasonal_naive", "ets_theta"))
    print(f"\nMASE ets_theta {trial.mase['ets_theta']:.3f} vs {trial.mase[BASELINE]:.3f}")
    assert trial.mase["ets_theta"] < trial.mase[BASELINE]
    assert trial.best == "ets_theta"


def test_seasonal_naive_repeats_last_week():
    history = np.arange(1.0, 15.0)
    assert list(seasonal_naive(history, 9)) == [8, 9, 10, 11, 12, 13, 14, 8, 9]


def test_backtest_needs_enough_history():
    with pytest.raises(ValueError, match="at least"):
        backtest(np.ones(100))


@pytest.fixture(scope="module")
def history() -> np.ndarray:
    return shop_like(np.random.default_rng(3), 400, 50_000, False)


def test_outlook_brackets_the_forecast_and_rates_the_target(history):
    done = float(history[-12:].sum())
    typical = done + float(history[-18:].sum())  # what 18 more ordinary days would bring
    easy = month_outlook(history, done, 18, target=typical * 0.7)
    hard = month_outlook(history, done, 18, target=typical * 1.4)
    assert easy.lower < easy.forecast < easy.upper
    assert easy.lower > done  # the rest of the month adds to what is done
    assert easy.probability > 0.95 and hard.probability < 0.05
    assert easy.mase < easy.baseline_mase


def test_a_target_already_reached_is_certain_and_no_target_has_no_chance(history):
    assert month_outlook(history, 1_000_000.0, 5, target=900_000.0).probability == 1.0
    assert month_outlook(history, 1_000.0, 5, target=None).probability is None
