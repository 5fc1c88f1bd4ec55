"""`flask import lines FILE.csv`: the API's rules for lines, idempotent, all or nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.analytics.periods import DateRange
from app.analytics.products import product_rows
from app.extensions import db
from app.models import AuditLog, OrderLine, Product
from tests.integration.test_import_cli import run_import
from tests.refresh import refresh

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))

ORDERS = """order_id,customer_id,placed_at,total,discount,refunded
A-1,C-1,2026-03-10T09:00:00+00:00,40.00,10.00,
A-2,C-2,2026-03-10T10:00:00+00:00,25.50,,5.50
"""
LINES = """order_id,product_id,quantity,unit_price,unit_cost,product_name,category
A-1,MUG,2,15.00,6.00,Mug,Home
A-1,TEA,2,10.00,,Tea,Food
A-2,TEA,1,25.50,,Tea,Food
"""


def import_lines(runner, tmp_path, text: str, *flags: str):
    path = tmp_path / "lines.csv"
    path.write_text(text)
    return runner.invoke(args=["import", "lines", str(path), *flags])


def lines() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OrderLine))


def test_lines_land_once_and_earlier_refunds_are_spread_over_them(app, runner, tmp_path):
    assert run_import(runner, tmp_path, ORDERS).exit_code == 0
    result = import_lines(runner, tmp_path, LINES)
    assert result.exit_code == 0, result.output
    assert "3 lines for 2 orders, 0 orders already had them, 0 rejected" in result.output
    again = import_lines(runner, tmp_path, LINES)
    assert "0 lines for 0 orders, 2 orders already had them" in again.output
    assert lines() == 3
    refresh()
    rows = {row.external_id: row.figures for row in product_rows(db.session, MARCH)}
    assert rows["MUG"].net_sales == 3_000 - 600  # 30 of the order's 50: 6.00 of its 10.00 off
    assert rows["MUG"].cost_of_goods == 1_200 and rows["MUG"].margin is not None
    # A-2's 5.50 refund, booked before it had lines, is now the tea's return.
    assert rows["TEA"].returns == 550
    assert rows["TEA"].cost_known_share == 0
    assert db.session.scalar(sa.select(Product.category).where(Product.external_id == "TEA")) == (
        "Food"
    )
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "import.lines")
    )


def test_one_order_that_does_not_add_up_stops_the_whole_file(app, runner, tmp_path):
    assert run_import(runner, tmp_path, ORDERS).exit_code == 0
    bad = LINES.replace("A-2,TEA,1,25.50", "A-2,TEA,1,25.00")
    result = import_lines(runner, tmp_path, bad)
    assert result.exit_code != 0
    assert "A-2" in result.output and "difference of -50" in result.output
    assert lines() == 0
    skipped = import_lines(runner, tmp_path, bad, "--skip-invalid")
    assert skipped.exit_code == 0 and "2 lines for 1 orders" in skipped.output
    assert lines() == 2


def test_lines_of_an_unknown_order_or_a_bad_row_are_rejected_with_their_line(app, runner, tmp_path):
    assert run_import(runner, tmp_path, ORDERS).exit_code == 0
    text = LINES + "Z-9,MUG,1,1.00,,,\nA-1,MUG,two,1.00,,,\n"
    result = import_lines(runner, tmp_path, text)
    assert result.exit_code != 0
    assert "line 6: A-1: quantity" in result.output
    assert lines() == 0
    missing = import_lines(runner, tmp_path, "order_id,product_id\nA-1,MUG\n")
    assert missing.exit_code != 0 and "missing required column(s): quantity" in missing.output
