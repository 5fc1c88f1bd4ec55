"""The month-end forecast's rolling-origin backtest on a demo shop: each method's MASE beside
the weekly seasonal-naive baseline's (below it is better). `python -m bench.forecast` alone.

The demo shop is what `make run` seeds (50,000 orders over two years), kept in its own SQLite
file under bench/data/ and built on first use.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from flask_migrate import upgrade

from app import create_app
from app.analytics.forecast import BASELINE, METHODS, backtest
from app.analytics.insights import metric_series
from app.analytics.periods import DateRange
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.models.enums import ALL_CHANNELS, TARGET_METRICS
from app.pipeline.jobs import recompute
from app.pipeline.refresher import RefreshSettings
from bench.report import Figure, print_table

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_DB = DATA_DIR / "forecast-demo.sqlite"
DEMO_ORDERS = 50_000
DAYS = 730
END = date(2026, 10, 31)  # fixed, so the shop and its figures are the same on every run


def demo_app():
    DATA_DIR.mkdir(exist_ok=True)
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{DEMO_DB}",
            "INSTANCE_PATH": str(DATA_DIR),
            "CONFIGURE_LOGGING": False,
        }
    )


def _build(app) -> None:
    """Seed the demo shop as `make run` does and compute its figures through the refresher."""
    for leftover in DATA_DIR.glob(f"{DEMO_DB.name}*"):
        leftover.unlink()
    upgrade()
    spec = DemoSpec.build(orders=DEMO_ORDERS, days=DAYS, seed=1, timezone="UTC", end_date=END)
    load_shop(db.session, generate_shop(spec))
    db.session.commit()
    days = DateRange(END - timedelta(days=DAYS - 1), END)
    recompute(db.session, days, END + timedelta(days=1), RefreshSettings.from_config(app.config))


def forecast_figures(metrics: tuple[str, ...] = TARGET_METRICS) -> list[Figure]:
    """Per figure: every method's backtest MASE, the chosen one budgeted against the baseline."""
    app = demo_app()
    with app.app_context():
        if not DEMO_DB.exists():
            print(f"Building the forecast demo shop {DEMO_DB} ({DEMO_ORDERS:,} orders)…")
            _build(app)
        days = DateRange(END - timedelta(days=DAYS - 1), END)
        figures = []
        for metric in metrics:
            series = np.array(metric_series(db.session, days, metric, ALL_CHANNELS))
            started = time.perf_counter()
            trial = backtest(series)
            took = time.perf_counter() - started
            baseline = trial.mase[BASELINE]
            for method in METHODS:
                if method not in (BASELINE, trial.best):
                    figures.append(
                        Figure(f"  MASE {metric}, {method}", trial.mase[method], unit="")
                    )
            figures.append(
                Figure(
                    f"forecast MASE {metric}, chosen {trial.best} vs seasonal naive",
                    trial.mase[trial.best],
                    baseline,
                    budget_ratio=1.0,
                    unit="",
                )
            )
            figures.append(Figure(f"  backtest time, {metric}", took))
        db.session.remove()
        db.engine.dispose()
    return figures


if __name__ == "__main__":
    print_table(forecast_figures())
