"""The forecast's backtest on the demo generator's shop (what `make run` seeds, smaller): the
combination beats the weekly seasonal-naive rule on each target figure, and the nightly job
stores the outlook the chosen method gives."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa

from app.analytics.forecast import BASELINE, backtest
from app.analytics.insights import metric_series
from app.analytics.periods import DateRange
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.models import MonthForecast
from app.pipeline.insights import forecast_month
from tests.refresh import backfill

END = date(2026, 3, 15)
DAYS = 400


def test_on_the_demo_shop_the_combination_beats_seasonal_naive(app):
    spec = DemoSpec.build(orders=12_000, days=DAYS, seed=3, timezone="UTC", end_date=END)
    load_shop(db.session, generate_shop(spec))
    days = DateRange(END - timedelta(days=DAYS - 1), END)
    backfill(days, END + timedelta(days=1))
    for metric in ("net_revenue", "orders", "new_customers"):
        series = np.array(metric_series(db.session, days, metric, "all"))
        trial = backtest(series, (BASELINE, "ets_theta"))
        chosen, naive = trial.mase["ets_theta"], trial.mase[BASELINE]
        print(f"\n{metric}: MASE ets_theta {chosen:.3f} vs seasonal naive {naive:.3f}")
        assert trial.mase["ets_theta"] < trial.mase[BASELINE], metric
    assert forecast_month(db.session, END + timedelta(days=1)) == 3
    stored = db.session.scalars(sa.select(MonthForecast).order_by(MonthForecast.metric)).all()
    for row in stored:
        assert row.mase < row.baseline_mase and row.lower <= row.forecast <= row.upper
        assert row.as_of == END and row.month == date(2026, 3, 1)
