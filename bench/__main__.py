"""Build (once) the 1M-order bench database, then print each measured figure and its ratio."""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"
BENCH_DB = DATA_DIR / "bench.sqlite"
SEED_RECORD = DATA_DIR / "seed.json"
BENCH_ORDERS = 1_000_000
BENCH_CUSTOMERS = 100_000
SEED_BUDGET_SECONDS = 60.0
# A fixed end date keeps the bench shop the same from run to run.
BENCH_END_DATE = date(2026, 10, 31)


def bench_app():
    DATA_DIR.mkdir(exist_ok=True)
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{BENCH_DB}",
            "INSTANCE_PATH": str(DATA_DIR),
        }
    )


def build_bench_database() -> dict:
    """Migrate an empty file and seed it, timing generation and loading apart."""
    for leftover in DATA_DIR.glob("bench.sqlite*"):
        leftover.unlink()
    app = bench_app()
    with app.app_context():
        upgrade()
        spec = DemoSpec.build(
            orders=BENCH_ORDERS,
            customers=BENCH_CUSTOMERS,
            days=730,
            seed=1,
            timezone="UTC",
            end_date=BENCH_END_DATE,
        )
        started = time.perf_counter()
        shop = generate_shop(spec)
        generated = time.perf_counter()
        counts = load_shop(db.session, shop)
        db.session.commit()
        finished = time.perf_counter()
    record = {
        "seed_seconds": finished - started,
        "generate_seconds": generated - started,
        "load_seconds": finished - generated,
        "rows": sum(counts.values()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "counts": counts,
    }
    SEED_RECORD.write_text(json.dumps(record, indent=2))
    return record


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("figure", "measured", "baseline / budget", "ratio")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="seed the bench database again")
    args = parser.parse_args()
    if args.rebuild or not SEED_RECORD.exists() or not BENCH_DB.exists():
        print(
            f"Building {BENCH_DB} ({BENCH_ORDERS:,} orders, {BENCH_CUSTOMERS:,} customers)…",
            flush=True,
        )
        build_bench_database()
    seed = json.loads(SEED_RECORD.read_text())
    print_table(
        [
            (
                f"demo seed, {seed['rows']:,} rows",
                f"{seed['seed_seconds']:.1f} s",
                f"budget {SEED_BUDGET_SECONDS:.0f} s",
                f"{seed['seed_seconds'] / SEED_BUDGET_SECONDS:.2f}",
            ),
            ("  of which generation", f"{seed['generate_seconds']:.1f} s", "", ""),
            ("  of which loading", f"{seed['load_seconds']:.1f} s", "", ""),
            ("seed peak memory", f"{seed['peak_rss_mb']:.0f} MB", "", ""),
        ]
    )


if __name__ == "__main__":
    main()
