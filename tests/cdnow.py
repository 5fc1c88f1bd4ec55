"""The CDNOW sample (tests/data/cdnow, public data) as the CSV our importer reads."""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).parent / "data" / "cdnow" / "CDNOW_sample.txt"
ROWS = 6_919
CUSTOMERS = 2_357


def write_cdnow_csv(target: Path) -> Path:
    """One order per purchase row: customer = sample id, placed on the purchase date."""
    lines = ["order_id,customer_id,placed_at,total"]
    for number, line in enumerate(SAMPLE.read_text().splitlines(), start=1):
        _full_id, customer, day, _cds, amount = line.split()
        lines.append(f"CD{number:05d},{customer},{day[:4]}-{day[4:6]}-{day[6:]},{amount}")
    target.write_text("\n".join(lines) + "\n")
    return target
