"""The load run's table from locust's CSV: requests/s and p50/p95/p99 per kind; exit 1 on errors."""

from __future__ import annotations

import csv
import sys

SETUP = {"login page", "login", "page load", "dash deps"}


def main(path: str, label: str) -> int:
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
    setup_failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] in SETUP)
    if failures or setup_failures:
        print(f"FAILED: {failures + setup_failures} request(s) failed")
        return 1
    print("zero errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
