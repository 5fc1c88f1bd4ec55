"""Timing helpers and the printed table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    measured: float  # seconds, or MB for memory
    baseline: float | None = None
    budget_ratio: float | None = None  # the ratio measured/baseline must stay under (or over)
    unit: str = "s"
    higher_is_better: bool = False  # rates: the ratio must reach the budget

    @property
    def ratio(self) -> float | None:
        return self.measured / self.baseline if self.baseline else None

    def verdict(self) -> str:
        if self.budget_ratio is None or self.ratio is None:
            return ""
        if self.higher_is_better:
            return "ok" if self.ratio >= self.budget_ratio else "UNDER BUDGET"
        return "ok" if self.ratio <= self.budget_ratio else "OVER BUDGET"


def median_seconds(work: Callable[[], object], repeat: int = 3) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if not unit:  # a plain ratio, such as a forecast's MASE
        return f"{value:.3f}"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:.0f} {unit}"


def print_table(figures: list[Figure]) -> None:
    header = ("figure", "measured", "baseline", "ratio", "budget", "")
    rows = [
        (
            f.name,
            _fmt(f.measured, f.unit),
            _fmt(f.baseline, f.unit),
            f"{f.ratio:.2f}" if f.ratio is not None else "",
            ""
            if f.budget_ratio is None
            else f"{'≥' if f.higher_is_better else '≤'} {f.budget_ratio:g}",
            f.verdict(),
        )
        for f in figures
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
