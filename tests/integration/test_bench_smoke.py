"""`make bench` calls the page callbacks directly; this keeps those calls in step with the pages
(a changed callback signature once broke the bench while every test passed)."""

from __future__ import annotations

from datetime import UTC, datetime

import bench.pages
from tests.factories import OrderFactory, UserFactory
from tests.refresh import refresh


def test_the_bench_calls_every_page_callback_as_the_pages_define_them(app, monkeypatch):
    calls = []

    def once(work, runs=1):
        calls.append(work())
        return 0.0

    monkeypatch.setattr(bench.pages, "_p95", once)
    UserFactory(role="manager")
    OrderFactory(placed_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    refresh()
    figures = bench.pages.callback_figures(app, "?start=2026-03-01&end=2026-03-31")
    assert len(figures) == len(calls) == 12
    assert all(call is not None for call in calls)


def test_the_engine_bench_and_its_raw_baselines_run_on_this_database(app):
    """The raw SQL baselines are text: each must run on both databases, as the engine does."""
    from datetime import date

    import bench.engine
    from app.analytics.periods import DateRange
    from app.extensions import db
    from app.models import OrderLine, Product
    from tests.factories import CustomerFactory, EventFactory

    customer = CustomerFactory()
    mug = Product(external_id="MUG", name="Mug")
    db.session.add(mug)
    for day in (9, 10):
        order = OrderFactory(customer=customer, placed_at=datetime(2026, 3, day, 12, tzinfo=UTC))
        db.session.add(
            OrderLine(
                order_id=order.id,
                line_number=1,
                product_id=mug.id,
                quantity=1,
                unit_price=order.subtotal,
                discount=order.discount,
                unit_cost=100,
            )
        )
    db.session.commit()
    EventFactory(session_id="s1", event_type="page_view")
    refresh()
    day, today = date(2026, 3, 10), date(2026, 3, 11)
    nightly = bench.engine.nightly(db.session, day, today)
    assert nightly.measured > 0 and nightly.baseline > 0
    families = bench.engine.family_figures(db.session, day, today)
    families += bench.engine.backfill_families(db.session, DateRange(date(2026, 3, 1), day))
    assert len(families) == 16 and all(f.baseline > 0 for f in families)
    assert bench.engine.backfill_raw(db.session, DateRange(date(2026, 3, 1), day)) > 0
    assert bench.pages.cold_dashboard_p95(app, "?start=2026-03-01&end=2026-03-31", runs=2) > 0


def test_the_ingestion_bench_with_lines_runs_on_this_database_and_leaves_nothing(app):
    """Orders with lines through the service against a bare INSERT of the same order, payment
    and line rows; every batch is rolled back."""
    import sqlalchemy as sa

    import bench.ingest
    from app.database import begin_write
    from app.extensions import db
    from app.models import Order, OrderLine
    from app.pipeline.products import save_products
    from app.pipeline.records import ProductBatch
    from tests.factories import CustomerFactory

    CustomerFactory.create_batch(5)
    catalog = [
        {
            "product_id": f"P{n}",
            "name": f"Product {n}",
            "unit_cost": 300 + n,
            "cost_from": "2026-01-01T00:00:00+00:00",
        }
        for n in range(6)
    ]
    begin_write(db.session)
    save_products(db.session, ProductBatch().load({"products": catalog})["products"])
    db.session.commit()
    figures = bench.ingest.ingest_figures(db.session, batches=2, batch_size=20)
    lined = [f for f in figures if f.name.startswith("ingestion with lines (2.5 an order)")]
    assert len(figures) == 7 and len(lined) == 1
    assert lined[0].measured > 0 and lined[0].baseline > 0
    for table in (Order, OrderLine):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(table)) == 0
