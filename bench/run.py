"""`make bench`: every budgeted figure of DESIGN.md beside its baseline, on a bench shop.

    python -m bench                   the full table on the 1M-order shop (built once)
    python -m bench --size 3m         the same on another size (100k, 1m, 3m)
    python -m bench --growth          nightly job, backfill, cold callbacks and peak memory at
                                      every size, and how each grows from 1M to 3M
    BENCH_DATABASE_URL=postgresql://… adds PostgreSQL figures (the 1M shop loaded there once)

Each group of figures is measured in a fresh process (spawned, not forked), so the peak
memory printed beside it is that work's own, not what building the shop left behind.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from queue import Empty

from bench.report import Figure, print_table
from bench.shops import DAY, END_DATE, SHOPS, TODAY, Shop, bench_app, build, spec

SEED_BUDGET_SECONDS = 60.0
LAST_30 = f"?start={END_DATE - timedelta(days=29)}&end={END_DATE}"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(work: Callable, args: tuple, queue) -> None:
    try:
        idle = _peak_mb()
        result = work(*args)
        queue.put(("ok", result, idle, _peak_mb()))
    except BaseException as error:  # reported in the parent, which stops
        queue.put(("error", repr(error), 0, 0))
        raise


def fresh(work: Callable, *args):
    """Run work(*args) in a new interpreter; its result, the process's memory before the work
    (imports) and its peak (the work included), in MB."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(work, args, queue))
    child.start()
    while True:
        try:
            status, result, idle, peak = queue.get(timeout=5)
            break
        except Empty:
            if not child.is_alive():
                died = f"{work.__name__}: its process died (exit code {child.exitcode})"
                raise SystemExit(died) from None
    child.join()
    if status != "ok":
        raise SystemExit(f"{work.__name__} failed: {result}")
    return result, idle, peak


# --- the work each fresh process does ----------------------------------------------------


def _app(uri: str):
    from flask_migrate import upgrade

    app = bench_app(uri)
    context = app.app_context()
    context.push()
    upgrade()  # a shop from an older checkout gets the new columns
    return app


def _server_app(uri: str):
    """The app as a web worker holds it: wsgi.py freezes what start-up built out of the
    garbage collector's full passes."""
    app = _app(uri)
    gc.freeze()
    return app


def prepare(uri: str, first_day, last_day) -> dict:
    """Every figure of the shop through the refresher (a bulk load marks nothing), timed
    against the raw aggregates of everything it computes; then the weekly CLV fit."""
    from app.analytics.clv import fit_shop, latest_model
    from app.analytics.periods import DateRange
    from app.database import analyze_after_bulk_load
    from app.extensions import db
    from app.pipeline.stale import Keys
    from bench.engine import backfill_raw, refresh_once

    _app(uri)
    analyze_after_bulk_load(db.session)
    db.session.commit()
    if uri.startswith("postgresql"):
        # This machine runs PostgreSQL with autovacuum off (production must not: README);
        # without it every bench run's rewrites pile up as dead rows. The bench stands in.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    full = DateRange(first_day, last_day)
    everything = Keys(days=set(full), visit_days=set(full), everything=True)
    if latest_model(db.session) is None:
        # A new shop: its first pass would include the weekly CLV fit (not the backfill's
        # work), so it runs once unmeasured and the model is fitted from what it built. The
        # bulk load marked nothing: every visit's funnel row is derived then (the backfill
        # sums those rows; the write path keeps them).
        refresh_once(db.session, replace(everything, all_sessions=True), TODAY)
        fit_shop(db.session, END_DATE, currency_exponent=2)
        db.session.commit()
    started = time.perf_counter()
    refresh_once(db.session, everything, TODAY)
    db.session.commit()
    backfill = time.perf_counter() - started
    raw = backfill_raw(db.session, full)
    started = time.perf_counter()
    model = fit_shop(db.session, END_DATE, currency_exponent=2)
    db.session.commit()
    return {
        "backfill": backfill,
        "raw": raw,
        "fit": time.perf_counter() - started,
        "fit_status": model.status,
        "customers": model.customers,
        "peak_mb": _peak_mb(),
    }


def nightly_figure(uri: str) -> Figure:
    from app.extensions import db
    from bench.engine import nightly

    _app(uri)
    return nightly(db.session, DAY, TODAY)


def family_figures(uri: str, first_day) -> list[Figure]:
    from app.analytics.periods import DateRange
    from app.extensions import db
    from bench import engine

    _app(uri)
    figures = engine.family_figures(db.session, DAY, TODAY)
    figures += engine.backfill_families(db.session, DateRange(first_day, END_DATE))
    return figures


def callback_figures(uri: str) -> list[Figure]:
    from bench.pages import callback_figures as callbacks

    return callbacks(_server_app(uri), LAST_30)


def cold_dashboard(uri: str) -> tuple[float, float]:
    """p95 of the dashboard callback with every cache of the app emptied before each call,
    over the last 30 days and over the last 365."""
    from bench.pages import cold_dashboard_p95

    app = _server_app(uri)
    year = f"?start={END_DATE - timedelta(days=364)}&end={END_DATE}"
    return cold_dashboard_p95(app, LAST_30), cold_dashboard_p95(app, year)


def api_figures(uri: str) -> list[Figure]:
    from bench.api import api_figures as api

    return api(_server_app(uri), END_DATE - timedelta(days=29), END_DATE)


def clv_figures(uri: str) -> list[Figure]:
    from app.extensions import db
    from bench.clv import clv_figures as clv

    _app(uri)
    return clv(db.session, END_DATE)


def forecast_figures() -> list[Figure]:
    """The month-end forecast's backtest MASE on a `make run`-sized demo shop (its own file)."""
    from bench.forecast import forecast_figures as forecasts

    return forecasts()


def ingest_figures(uri: str) -> list[Figure]:
    from app.extensions import db
    from bench.ingest import ingest_figures as ingest

    _app(uri)
    return ingest(db.session)


# --- tables ------------------------------------------------------------------------------


def ensure_built(shop: Shop, rebuild: bool = False) -> dict:
    if rebuild or not shop.built():
        print(
            f"Building {shop.path.name} ({shop.orders:,} orders over {shop.days} days)…", flush=True
        )
        fresh(build, shop)
    return shop.record()


def _memory(name: str, peak: float, budget: float | None = None) -> Figure:
    return Figure(
        f"  peak memory of that process: {name}", peak, budget, 1 if budget else None, unit="MB"
    )


def full_table(shop: Shop, rebuild: bool) -> list[Figure]:
    seed = ensure_built(shop, rebuild)
    uri = shop.uri
    figures = [
        Figure(f"demo seed, {seed['rows']:,} rows", seed["seed_seconds"], SEED_BUDGET_SECONDS, 1),
        Figure("  of which generation", seed["generate_seconds"]),
        Figure("  of which loading", seed["load_seconds"]),
        Figure("  peak memory of the seed", seed["peak_rss_mb"], unit="MB"),
    ]
    print(f"Backfilling {shop.name} ({shop.days} days)…", flush=True)
    prepared, _, _ = fresh(prepare, uri, shop.first_day, END_DATE)
    figures += [
        Figure(
            f"backfill, {shop.days} days, all families (one refresher pass)",
            prepared["backfill"],
            prepared["raw"],
            2,
        ),
        _memory("backfill", prepared["peak_mb"]),
        Figure(
            f"CLV weekly fit ({prepared['fit_status']}, {prepared['customers']:,} customers)",
            prepared["fit"],
        ),
    ]
    print("Measuring the nightly job…", flush=True)
    nightly, idle, peak = fresh(nightly_figure, uri)
    figures += [
        nightly,
        _memory("nightly job", peak, 300),
        Figure("  of which the app before the job", idle, unit="MB"),
    ]
    for label, work in (
        ("families", family_figures),
        ("callbacks", callback_figures),
        ("API", api_figures),
        ("CLV", clv_figures),
        ("ingestion", ingest_figures),
    ):
        print(f"Measuring {label}…", flush=True)
        args = (uri, shop.first_day) if work is family_figures else (uri,)
        result, _, peak = fresh(work, *args)
        figures += result
    cold, _, _ = fresh(cold_dashboard, uri)
    figures += [
        Figure("callback p95 cold (caches emptied), dashboard, 30 days", cold[0], 0.1, 1),
        Figure("callback p95 cold (caches emptied), dashboard, 365 days", cold[1], 0.1, 1),
    ]
    print("Measuring the forecast backtest…", flush=True)
    forecasts, _, _ = fresh(forecast_figures)
    return figures + forecasts


def growth_table(rebuild: bool) -> None:
    """The same four figures at every size; ratios of 3M to 1M."""
    rows: dict[str, dict] = {}
    for shop in SHOPS.values():
        ensure_built(shop, rebuild)
        print(f"{shop.name}: backfill…", flush=True)
        prepared, _, _ = fresh(prepare, shop.uri, shop.first_day, END_DATE)
        print(f"{shop.name}: nightly job…", flush=True)
        nightly, _, peak = fresh(nightly_figure, shop.uri)
        print(f"{shop.name}: cold callbacks…", flush=True)
        cold, _, _ = fresh(cold_dashboard, shop.uri)
        rows[shop.name] = {
            "nightly job, one day (min of 3)": (nightly.measured, "s"),
            "  its raw SQL baseline": (nightly.baseline, "s"),
            "nightly job peak memory (fresh process)": (peak, "MB"),
            "backfill, all families": (prepared["backfill"], "s"),
            "  its own raw aggregates": (prepared["raw"], "s"),
            "dashboard callback p95, cold, 30 days": (cold[0], "s"),
            "dashboard callback p95, cold, 365 days": (cold[1], "s"),
        }
    print_growth(rows)


def print_growth(rows: dict[str, dict]) -> None:
    names = list(next(iter(rows.values())))
    sizes = list(rows)
    header = ["work", *(f"{SHOPS[s].orders:,} orders" for s in sizes), "3M / 1M"]
    table = [header]
    for name in names:
        cells = [name]
        for size in sizes:
            value, unit = rows[size][name]
            cells.append(
                f"{value:.0f} MB"
                if unit == "MB"
                else (f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s")
            )
        ratio = rows["3m"][name][0] / rows["1m"][name][0] if "3m" in rows and "1m" in rows else None
        cells.append(f"{ratio:.2f}×" if ratio else "")
        table.append(cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def postgres_figures(url: str) -> list[Figure]:
    """The 1M shop loaded into PostgreSQL once; the nightly job and the customer refresh."""
    shop = SHOPS["1m"]
    if not _holds_orders(url):
        print("Loading the 1M shop into PostgreSQL…", flush=True)
        fresh(build_postgres, url)
    prepared, _, _ = fresh(prepare, url, shop.first_day, END_DATE)
    backfill = Figure(
        f"PostgreSQL: backfill, {shop.days} days, all families",
        prepared["backfill"],
        prepared["raw"],
        2,
    )
    nightly, _, peak = fresh(nightly_figure, url)
    families, _, _ = fresh(family_figures, url, shop.first_day)
    nightly.name = "PostgreSQL: " + nightly.name
    picked = [
        f
        for f in families
        if f.name.startswith(
            ("customer metrics", "  every customer", "  every visit", "  backfill")
        )
    ]
    for figure in picked:
        figure.name = "PostgreSQL: " + figure.name.strip()
    return [backfill, nightly, _memory("nightly job", peak, 300), *picked]


def _holds_orders(url: str) -> bool:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(sa.text("SELECT count(*) FROM orders")))
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def build_postgres(url: str) -> None:
    from app.demo import generate_shop, load_shop
    from app.extensions import db

    _app(url)
    load_shop(db.session, generate_shop(spec(SHOPS["1m"])))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SHOPS), default="1m")
    parser.add_argument("--growth", action="store_true", help="the growth table over every size")
    parser.add_argument("--rebuild", action="store_true", help="generate the shop(s) again")
    parser.add_argument(
        "--build-only", action="store_true", help="build the shop and its figures, print nothing"
    )
    args = parser.parse_args()
    if args.build_only:  # a shop with its figures (what `make load` serves), nothing measured
        shop = SHOPS[args.size]
        ensure_built(shop, args.rebuild)
        fresh(prepare, shop.uri, shop.first_day, END_DATE)
        return
    if args.growth:
        growth_table(args.rebuild)
        return
    figures = full_table(SHOPS[args.size], args.rebuild)
    if os.environ.get("BENCH_DATABASE_URL"):
        figures += postgres_figures(os.environ["BENCH_DATABASE_URL"])
    print_table(figures)


if __name__ == "__main__":
    main()
