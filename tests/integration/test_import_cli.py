"""`flask import orders FILE.csv` as an operator runs it: validated, idempotent, all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.analytics.overview import shop_totals
from app.extensions import db
from app.models import AuditLog, Customer, DailyAnalyticsSnapshot, Order, Refund
from tests.cdnow import CUSTOMERS, ROWS, SAMPLE, write_cdnow_csv
from tests.refresh import refresh

GOOD = """order_id,customer_id,placed_at,total,discount,channel,status,refunded
A-1,C-1,2026-03-10T09:00:00+01:00,40.00,10.00,web,completed,
A-2,C-2,2026-03-10,25.50,,mobile_app,,5.50
A-3,C-1,2026-03-11 18:30,12.00,,,pending,
"""


def run_import(runner, tmp_path, text: str, *flags: str):
    path = tmp_path / "orders.csv"
    path.write_text(text)
    return runner.invoke(args=["import", "orders", str(path), *flags])


def orders() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


def test_a_good_file_lands_once_and_the_figures_follow(app, runner, tmp_path):
    result = run_import(runner, tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "3 orders created, 0 already there, 1 refunds, 0 rejected" in result.output
    refresh()
    first = shop_totals(db.session)
    # Counted: A-1 (50.00 − 10.00 discount) and A-2 (25.50, 5.50 refunded); A-3 is pending.
    assert (first.orders, first.net_revenue, first.customers) == (2, 4_000 + 2_550 - 550, 2)
    order = db.session.scalar(sa.select(Order).where(Order.external_id == "A-1"))
    assert (order.subtotal, order.discount, order.total, order.channel) == (
        5_000,
        1_000,
        4_000,
        "web",
    )
    assert str(order.business_date) == "2026-03-10"
    again = run_import(runner, tmp_path, GOOD)
    assert again.exit_code == 0 and "0 orders created, 3 already there, 0 refunds" in again.output
    refresh()
    assert shop_totals(db.session) == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 1
    assert db.session.scalars(sa.select(AuditLog.action)).all() == ["import.orders"] * 2


def test_bad_rows_are_reported_by_line_and_nothing_is_written(app, runner, tmp_path):
    bad = GOOD + "A-4,C-3,yesterday,1.00\nA-5,C-3,2026-03-12,-2\nA-1,C-9,2026-03-12,1.00\n"
    result = run_import(runner, tmp_path, bad)
    assert result.exit_code == 1
    assert "line 5: A-4: placed_at: not an ISO 8601 date or time" in result.output
    assert "line 6: A-5: total:" in result.output
    assert "line 7: A-1: order_id: also on line 2" in result.output
    assert "3 row(s) rejected; nothing was imported" in result.output
    assert orders() == 0 and db.session.scalar(sa.select(sa.func.count(Customer.id))) == 0


def test_skip_invalid_imports_the_rest_and_reports_conflicts(app, runner, tmp_path):
    assert run_import(runner, tmp_path, GOOD).exit_code == 0
    changed = GOOD.replace("A-3,C-1,2026-03-11 18:30,12.00", "A-3,C-1,2026-03-11 18:30,99.00")
    result = run_import(
        runner,
        tmp_path,
        changed + "A-6,C-4,2026-03-12,not money\nA-7,C-4,2026-03-12,3\n",
        "--skip-invalid",
    )
    assert result.exit_code == 0, result.output
    assert "line 4: A-3: already exists with different subtotal, total" in result.output
    assert "line 5: A-6: total: not an amount like 1234.50" in result.output
    assert "1 orders created, 2 already there" in result.output and "2 rejected" in result.output
    assert orders() == 4


def big_file(rows: int, last: str) -> str:
    lines = [f"B-{n},C-{n % 50},2026-03-10T10:00:00+00:00,10.00" for n in range(1, rows)]
    return "order_id,customer_id,placed_at,total\n" + "\n".join([*lines, last]) + "\n"


def test_a_conflict_in_a_later_chunk_writes_nothing_at_all(app, runner, tmp_path):
    """A 1,001-row file whose last row conflicts: the first 1,000-row chunk must not stay."""
    assert run_import(runner, tmp_path, GOOD).exit_code == 0
    before = orders()
    conflicting = "A-1,C-1,2026-03-10T09:00:00+01:00,99.00"  # A-1 exists with another total
    result = run_import(runner, tmp_path, big_file(1_001, conflicting))
    assert result.exit_code == 1
    assert "line 1002: A-1: already exists with different" in result.output
    assert "nothing was imported" in result.output
    assert orders() == before
    assert db.session.scalar(sa.select(sa.func.count(Customer.id))) == 2
    skipped = run_import(runner, tmp_path, big_file(1_001, conflicting), "--skip-invalid")
    assert skipped.exit_code == 0 and "1000 orders created" in skipped.output
    assert orders() == before + 1_000


def test_a_file_without_the_required_columns_is_refused(app, runner, tmp_path):
    result = run_import(runner, tmp_path, "id,customer,when\n1,2,2026-03-01\n")
    assert result.exit_code == 1
    assert "missing required column(s): order_id, customer_id, placed_at, total" in result.output


def test_the_cdnow_sample_imports_and_reconciles(app, runner, tmp_path):
    """6,919 real purchases: every dollar and every customer lands in the figures."""
    result = runner.invoke(args=["import", "orders", str(write_cdnow_csv(tmp_path / "cdnow.csv"))])
    assert result.exit_code == 0, result.output
    refresh()
    expected_cents = sum(
        int(Decimal(line.split()[4]) * 100) for line in SAMPLE.read_text().splitlines()
    )
    totals = shop_totals(db.session)
    assert (totals.orders, totals.customers, totals.net_revenue) == (
        ROWS,
        CUSTOMERS,
        expected_cents,
    )
    first_day = db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(
            DailyAnalyticsSnapshot.business_date == date(1997, 1, 1)
        )
    )
    assert first_day.new_customers == first_day.customers > 0


def test_amounts_are_read_exactly_or_refused_never_guessed(app, runner, tmp_path):
    text = (
        "order_id,customer_id,placed_at,total,refunded\n"
        'A-1,C-1,2026-03-10,"12,50",\n'  # 12.50 or 1,250? refused, not guessed
        "A-2,C-1,2026-03-10,Infinity,\n"
        "A-3,C-1,2026-03-10,NaN,\n"
        "A-4,C-1,2026-03-10,1e3,\n"
        "A-5,C-1,2026-03-10,10.00,-2\n"
        "A-6,C-1,2026-03-10,12,50,\n"  # a comma inside an unquoted value
    )
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 1 and "Traceback" not in result.output
    for line in (2, 3, 4, 5):
        assert f"line {line}: A-{line - 1}: total: not an amount like 1234.50" in result.output
    assert "line 6: A-5: refunded: must not be negative" in result.output
    assert "line 7: A-6: 6 values for 5 columns" in result.output
    assert orders() == 0


def test_a_file_naming_a_column_twice_or_not_utf8_is_refused_whole(app, runner, tmp_path):
    twice = "order_id,customer_id,placed_at,total,total\nA-1,C-1,2026-03-10,12.50,99\n"
    result = run_import(runner, tmp_path, twice)
    assert result.exit_code == 1 and "named more than once: total" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "order_id,customer_id,placed_at,total\nA-é,C-1,2026-03-10,1\n".encode("latin-1")
    )
    result = runner.invoke(args=["import", "orders", str(latin)])
    assert result.exit_code == 1 and "line 2: byte 0xE9 is not UTF-8 text" in result.output
    assert orders() == 0


def test_a_customer_id_is_the_same_customer_from_a_file_and_from_the_api(app, runner, tmp_path):
    text = (
        "order_id,customer_id,placed_at,total\nA-1, CUST-1 ,2026-03-10,1\nA-2,CUST-1,2026-03-10,1\n"
    )
    assert run_import(runner, tmp_path, text).exit_code == 0
    assert db.session.scalars(sa.select(Customer.external_id)).all() == ["CUST-1"]
    hidden = "order_id,customer_id,placed_at,total\nA-3,CUST-1\u200b,2026-03-10,1\n"
    result = run_import(runner, tmp_path, hidden)
    assert result.exit_code == 1 and "line 2: A-3: customer_id: contains U+200B" in result.output
