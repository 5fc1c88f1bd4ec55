"""The detector on generated shop-like series: injected spikes, drops and level shifts are
found, and the clean twin of each series raises nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from app.analytics.anomalies import DetectorSettings, flagged_positions, judge
from tests.synthetic import shop_like, with_anomalies

DAYS = 730  # two years: a yearly wave and growth under the weekly shape
FIRST_JUDGED = 60
# Revenue-like series (log-normal noise) and order counts (Poisson) at a few levels.
LEVELS = ((250_000, False), (180, True), (90_000, False), (260, True), (40_000, False), (400, True))


@dataclass
class Evaluation:
    true_flags: int = 0
    false_flags: int = 0
    clean_flags: int = 0
    caught: dict[str, int] = field(default_factory=dict)
    injected: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.true_flags / (self.true_flags + self.false_flags)

    def recall(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.injected)
        return sum(self.caught.get(k, 0) for k in kinds) / sum(self.injected[k] for k in kinds)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    rng = np.random.default_rng(15)
    settings = DetectorSettings()
    result = Evaluation()
    for level, counts in LEVELS:
        pair = with_anomalies(rng, shop_like(rng, DAYS, level, counts), FIRST_JUDGED + 10)
        flags = set(flagged_positions(pair.anomalous, settings, FIRST_JUDGED))
        for index in flags:
            if any(event.covers(index) for event in pair.injected):
                result.true_flags += 1
            else:
                result.false_flags += 1
        for event in pair.injected:
            result.injected[event.kind] = result.injected.get(event.kind, 0) + 1
            result.caught[event.kind] = result.caught.get(event.kind, 0) + event.caught_by(flags)
        result.clean_flags += len(flagged_positions(pair.clean, settings, FIRST_JUDGED))
    print(
        f"\ndetector: precision {result.precision:.3f}, recall {result.recall():.3f}"
        + "".join(f", {kind} {result.recall(kind):.3f}" for kind in sorted(result.injected))
        + f"; clean twins flagged {result.clean_flags} days"
    )
    return result


def test_detector_flags_injected_anomalies_precisely(evaluation):
    assert evaluation.precision >= 0.9


def test_detector_finds_most_anomalies_of_every_kind(evaluation):
    assert evaluation.recall() >= 0.8
    for kind in ("spike", "drop", "level_shift"):
        assert evaluation.recall(kind) >= 0.8, kind


def test_detector_flags_nothing_on_the_clean_twins(evaluation):
    assert evaluation.clean_flags == 0


def test_a_normal_sunday_dip_is_not_an_anomaly():
    # Eight weeks whose Sundays sell 60% less; the next day is a Sunday.
    history = list(np.tile([100.0, 98, 101, 99, 102, 104, 40], 8)[:-1])
    verdict = judge(history, 41.0, DetectorSettings())
    assert verdict is not None and not verdict.flagged
    assert 35 < verdict.expected < 45
    assert judge(history, 100.0, DetectorSettings()).flagged  # a Sunday like a Monday is


def test_too_little_history_gives_no_verdict():
    settings = DetectorSettings(min_history=28)
    assert judge([100.0] * 27, 500.0, settings) is None
    assert judge([0.0] * 20 + [5.0] * 10, 500.0, settings) is None  # too sparse to judge


def test_days_without_the_figure_are_skipped_and_an_expected_empty_day_is_no_alert():
    settings = DetectorSettings()
    steady = [100.0, 98, 101, 99, 102, 104, 97] * 8
    with_gaps = steady[:20] + [float("nan")] * 3 + steady[23:]  # no orders: no average
    assert judge(with_gaps, float("nan"), settings) is None
    assert not judge(with_gaps, 101.0, settings).flagged
    assert judge(with_gaps, 300.0, settings).flagged
    quiet_channel = [3.0, 2, 0, 4, 3, 2, 5] * 8  # an empty day now and then
    assert not judge(quiet_channel, 0.0, settings).flagged
    assert judge(steady, 0.0, settings).flagged  # a shop that never had an empty day
