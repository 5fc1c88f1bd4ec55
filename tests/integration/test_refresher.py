"""The single refresher's contract: one pass at a time, nothing lost, nothing taken twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import DailyAnalyticsSnapshot, Refund, StaleKey
from app.pipeline import refresher
from app.pipeline.refresher import exclusive, refresh
from tests.factories import OrderFactory
from tests.refresh import refresh as drain_now
from tests.refresh import settings

DAY = date(2026, 3, 10)


def pending() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(StaleKey))


def net_revenue(day: date = DAY) -> int:
    db.session.expire_all()
    value = db.session.scalar(
        sa.select(DailyAnalyticsSnapshot.net_revenue).where(
            DailyAnalyticsSnapshot.business_date == day
        )
    )
    return value or 0


def test_a_tick_finds_the_refresher_busy_and_leaves_the_keys(app):
    OrderFactory(subtotal=1_000)
    with exclusive(db.engine, wait=True) as held:
        assert held is not None
        assert refresh(db.engine, settings(), wait=False) is None  # another pass holds it
    assert pending() > 0
    assert refresh(db.engine, settings(), wait=False).keys > 0
    assert (pending(), net_revenue()) == (0, 1_000)


def test_a_write_committed_during_a_pass_is_left_for_the_next_pass(app, monkeypatch):
    """PostgreSQL: the write commits while the pass runs, outside its snapshot. SQLite: the
    write waits for the pass's write lock. Either way the pass neither sees nor deletes it."""
    OrderFactory(subtotal=1_000)
    ours = pending()
    flask_app = app
    finished = threading.Event()

    def late_writer() -> None:
        with flask_app.app_context():
            OrderFactory(subtotal=2_000, placed_at=datetime(2026, 3, 10, 15, tzinfo=UTC))
            db.session.remove()
        finished.set()

    original = refresher._orders_in
    writer = threading.Thread(target=late_writer)

    def orders_in_while_someone_writes(*args):
        writer.start()
        finished.wait(timeout=1.5)  # PostgreSQL: done; SQLite: waiting for our lock
        return original(*args)

    monkeypatch.setattr(refresher, "_orders_in", orders_in_while_someone_writes)
    first = refresh(db.engine, settings())
    monkeypatch.undo()
    writer.join(timeout=30)
    assert finished.is_set() and first.keys == ours
    assert net_revenue() == 1_000 and pending() > 0  # the late order's keys wait
    drain_now()
    assert (net_revenue(), pending()) == (3_000, 0)


def test_a_failed_pass_writes_nothing_and_keeps_every_key(app, monkeypatch):
    OrderFactory(subtotal=1_000)
    keys = pending()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresher, "rebuild_daily", broken)
    with pytest.raises(RuntimeError):
        refresh(db.engine, settings())
    monkeypatch.undo()
    assert pending() == keys and net_revenue() == 0
    drain_now()
    assert (pending(), net_revenue()) == (0, 1_000)


def test_the_same_keys_twice_give_the_same_rows(app):
    OrderFactory(subtotal=1_000)
    drain_now()
    before = db.session.execute(sa.select(DailyAnalyticsSnapshot.__table__)).all()
    db.session.add(StaleKey(kind="day", business_date=DAY))
    db.session.commit()
    drain_now()
    after = db.session.execute(sa.select(DailyAnalyticsSnapshot.__table__)).all()
    columns = [c.name for c in DailyAnalyticsSnapshot.__table__.c if c.name != "updated_at"]
    assert [tuple(getattr(r, n) for n in columns) for r in after] == [
        tuple(getattr(r, n) for n in columns) for r in before
    ]


def test_a_long_held_lock_turns_writes_away_soon_and_never_holds_up_reads(make_app, app):
    """Another writer (a large import, say) holds the lock: a write gives up after
    WRITE_LOCK_WAIT_SECONDS with 503 and Retry-After; a read answers at once."""
    import time

    from app.database import LOCK_WAIT, WRITER
    from tests.integration.browser import live_server
    from tests.integration.http import create_token, exchange

    OrderFactory(external_id="HELD", subtotal=1_000)
    writer_token = create_token(app.test_cli_runner(), "write")
    reader_token = create_token(app.test_cli_runner(), "read")
    refund = {"refund_id": "R-1", "amount": 100, "refunded_at": "2026-03-11T10:00:00Z"}
    with live_server(make_app(WRITE_LOCK_WAIT_SECONDS=0.5)) as base, db.engine.connect() as holder:
        other = holder.execution_options(**{WRITER: True, LOCK_WAIT: 1_000})
        with other.begin():
            # SQLite: the database's write lock; PostgreSQL: the order's row lock.
            other.execute(sa.text("UPDATE orders SET tax = tax WHERE external_id = 'HELD'"))
            started = time.perf_counter()
            status, headers, body = exchange(
                "POST", f"{base}/api/v1/orders/HELD/refunds", refund, writer_token
            )
            waited = time.perf_counter() - started
            assert (status, headers["Retry-After"]) == (503, "2") and "busy" in body["error"]
            assert 0.4 < waited < 3
            started = time.perf_counter()
            status, _, _ = exchange("GET", f"{base}/api/v1/kpis?days=7", token=reader_token)
            assert status == 200 and time.perf_counter() - started < 1.5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 0


def test_a_drain_ends_while_writes_keep_arriving(app):
    """It takes in what was written before it began; later writes are the next pass's."""
    import time

    from app.pipeline.refresher import drain
    from app.pipeline.stale import Keys, mark

    OrderFactory(subtotal=1_000)
    stop = threading.Event()

    def keep_writing() -> None:
        until = time.monotonic() + 15  # a drain that waited for a quiet moment waits this long
        with app.app_context():
            while not stop.is_set() and time.monotonic() < until:
                mark(db.session, Keys(days={DAY}))
                db.session.commit()
                time.sleep(0.01)
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        time.sleep(0.2)
        started = time.perf_counter()
        drain(db.engine, settings())
        assert time.perf_counter() - started < 10 and writer.is_alive()
        assert net_revenue() == 1_000
    finally:
        stop.set()
        writer.join(timeout=30)


def test_verify_finds_a_purchase_outside_its_visit_and_the_refresher_moves_it(app):
    from app.pipeline.verify import verify
    from tests.factories import EventFactory

    order = OrderFactory(subtotal=1_000)
    drain_now()  # its purchase goes into a session of its own: no visit was reported yet
    # The visit is written behind the refresher's back (no stale key), as drift would be.
    EventFactory(session_id="S-LATE", event_type="page_view", order_id=order.id)
    db.session.execute(sa.delete(StaleKey))
    db.session.commit()
    checks = {check.table: check for check in verify(db.engine, settings())}
    assert len(checks["purchase events"].differences) == 1
    db.session.add(StaleKey(kind="orders", first_order_id=order.id, last_order_id=order.id))
    db.session.commit()
    checks = {check.table: check for check in verify(db.engine, settings())}
    assert all(not check.differences for check in checks.values())


def test_orders_a_century_apart_cost_two_days_of_rows_not_a_century(app):
    import time

    from app.pipeline.verify import verify

    OrderFactory(subtotal=1_000, placed_at=datetime(1900, 1, 2, 12, tzinfo=UTC))
    OrderFactory(subtotal=2_000)
    started = time.perf_counter()
    drain_now()
    checks = verify(db.engine, settings())
    assert time.perf_counter() - started < 20
    assert all(not check.differences for check in checks)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyAnalyticsSnapshot)) == 2
    assert (net_revenue(date(1900, 1, 2)), net_revenue()) == (1_000, 2_000)
