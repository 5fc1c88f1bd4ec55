"""Build (once) the 1M-order bench database, then print each measured figure and its ratio."""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.analytics.clv import fit_shop
from app.analytics.periods import DateRange
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.pipeline.stale import Keys
from bench.api import api_figures
from bench.clv import clv_figures
from bench.engine import engine_figures, nightly_memory, refresh_once
from bench.forecast import forecast_figures
from bench.ingest import ingest_figures
from bench.pages import callback_figures
from bench.report import Figure, print_table

DATA_DIR = Path(__file__).resolve().parent / "data"
BENCH_DB = DATA_DIR / "bench.sqlite"
SEED_RECORD = DATA_DIR / "seed.json"
BENCH_ORDERS = 1_000_000
BENCH_CUSTOMERS = 100_000
SEED_BUDGET_SECONDS = 60.0
# A fixed end date keeps the bench shop the same from run to run.
BENCH_END_DATE = date(2026, 10, 31)
BENCH_DAY = date(2026, 10, 30)  # a busy weekday near the end, as the nightly job sees it
BENCH_TODAY = BENCH_END_DATE + timedelta(days=1)


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


def backfill(days: DateRange) -> None:
    """Every figure of the bench shop, through the refresher (a bulk load marks nothing)."""
    refresh_once(
        db.session, Keys(days=set(days), visit_days=set(days), everything=True), BENCH_TODAY
    )
    db.session.commit()


def seed_figures(seed: dict) -> list[Figure]:
    return [
        Figure(f"demo seed, {seed['rows']:,} rows", seed["seed_seconds"], SEED_BUDGET_SECONDS, 1),
        Figure("  of which generation", seed["generate_seconds"]),
        Figure("  of which loading", seed["load_seconds"]),
        Figure("seed peak memory", seed["peak_rss_mb"], unit="MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rebuild", action="store_true", help="seed the bench database again")
    parser.add_argument("--build-only", action="store_true", help="build it, measure nothing")
    args = parser.parse_args()
    if args.rebuild or not SEED_RECORD.exists() or not BENCH_DB.exists():
        print(
            f"Building {BENCH_DB} ({BENCH_ORDERS:,} orders, {BENCH_CUSTOMERS:,} customers)…",
            flush=True,
        )
        build_bench_database()
    full = DateRange(BENCH_END_DATE - timedelta(days=729), BENCH_END_DATE)
    if args.build_only:
        app = bench_app()
        with app.app_context():
            upgrade()
            backfill(full)
        return
    figures = seed_figures(json.loads(SEED_RECORD.read_text()))
    app = bench_app()
    with app.app_context():
        upgrade()  # a bench database from an older checkout gets the new tables
        print("Measuring the engine (a full backfill runs first)…", flush=True)
        backfill(full)
        # A model fitted now: the nightly job then only scores (the weekly fit is apart).
        fit_shop(db.session, BENCH_END_DATE, currency_exponent=2)
        db.session.commit()
        figures += engine_figures(db.session, BENCH_DAY, BENCH_TODAY, full)
        figures += nightly_memory(app.config["SQLALCHEMY_DATABASE_URI"], BENCH_DAY, BENCH_TODAY)
        last_30 = f"?start={BENCH_END_DATE - timedelta(days=29)}&end={BENCH_END_DATE}"
        figures += callback_figures(app, last_30)
        figures += api_figures(app, BENCH_END_DATE - timedelta(days=29), BENCH_END_DATE)
        figures += clv_figures(db.session, BENCH_END_DATE)
        figures += ingest_figures(db.session)
    figures += forecast_figures()  # its own demo shop (bench/data/forecast-demo.sqlite)
    print_table(figures)


if __name__ == "__main__":
    main()
