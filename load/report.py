"""The load run's table from locust's CSV: requests/s and p50/p95/p99 per kind; exit 1 on errors."""

from __future__ import annotations

import csv
import json
import sys

SETUP = {"login page", "login", "page load", "dash deps"}


def main(path: str, label: str, idle_path: str | None = None) -> int:
    with open(path, newline="") as stats:
        rows = list(csv.DictReader(stats))
    print(f"\n{label}: per kind")
    print(
        f"{'kind':34} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7}"
    )
    failures = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        if name in SETUP:
            continue
        failures += int(row["Failure Count"]) if name != "all" else 0
        cells = [
            f"{int(row['Request Count']):,}",
            row["Failure Count"],
            f"{float(row['Requests/s']):.1f}",
            *(f"{row[p]} ms" for p in ("50%", "95%", "99%")),
        ]
        print(f"{name:34} " + " ".join(f"{c:>9}" for c in cells))
    if idle_path:
        _batch_against_idle(rows, idle_path)
    setup_failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] in SETUP)
    if failures or setup_failures:
        print(f"FAILED: {failures + setup_failures} request(s) failed")
        return 1
    print("zero errors")
    return 0


def _batch_against_idle(rows: list[dict], idle_path: str) -> None:
    """A batch's p50 under load beside the same batch on the idle server (budget: ≤ 3×)."""
    with open(idle_path) as file:
        idle = json.load(file)["p50_ms"]
    batch = next((r for r in rows if r["Name"].startswith("ingest batch")), None)
    if batch is None:
        return
    loaded = float(batch["50%"])
    verdict = "ok" if loaded <= 3 * idle else "OVER BUDGET"
    print(
        f"ingest batch p50 under load {loaded:.0f} ms vs {idle:.0f} ms idle: "
        f"{loaded / idle:.2f}x (budget <= 3x) {verdict}"
    )


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
