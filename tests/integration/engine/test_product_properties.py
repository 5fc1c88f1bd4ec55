"""Property: for any history of orders with lines, refunds (named lines or none) and cost
changes, the product figures add up to the day's figures exactly, profit uses the cost in
force at each sale, and returns net on the return's own day.

Histories run through the ingestion service in time order, on the daylight-saving days of a
New York shop, with refresher passes at random points; the expected figures are plain Python
arithmetic over what was sent.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.analytics.baskets import first_product_repeat, product_pairs
from app.analytics.periods import DateRange, month_of
from app.analytics.product_figures import rebuild_products
from app.analytics.products import SUMMED as PRODUCT_SUMS
from app.analytics.products import product_rows, product_totals
from app.database import begin_write
from app.extensions import db
from app.models import DailyAnalyticsSnapshot, Order, ProductDaily, ProductMonthly
from app.pipeline.ingest import ingest_orders
from app.pipeline.orders import add_refund, change_status, find_order
from app.pipeline.products import save_products
from app.pipeline.records import OrderIn, ProductBatch, RefundIn
from tests.conftest import wipe
from tests.refresh import refresh

ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 3, 7, 0, tzinfo=ZONE).astimezone(UTC)
PRODUCTS = ["P0", "P1", "P2", "P3"]
# P0 and P1 have costs from the start and change cost during the history; P2 is costed only
# at the end, backdated (its lines sold without a cost take it then); P3 never has one.
COSTED, LATE, NEVER = ("P0", "P1"), "P2", "P3"

line_spec = st.fixed_dictionaries(
    {
        "product": st.sampled_from(PRODUCTS),
        "quantity": st.integers(1, 3),
        "unit_price": st.integers(0, 5_000),
        "own_discount_percent": st.integers(0, 30),
        "sent_cost": st.one_of(st.none(), st.integers(0, 3_000)),
    }
)
event_spec = st.fixed_dictionaries(
    {
        "minutes": st.integers(0, 4 * 24 * 60),
        "lines": st.lists(line_spec, min_size=1, max_size=4),
        "extra_discount_percent": st.integers(0, 20),
        "fate": st.sampled_from(["keep", "cancel", "refund_named", "refund_spread", "refund_both"]),
        "refund_after_minutes": st.integers(1, 3 * 24 * 60),
        "cost_change": st.one_of(
            st.none(), st.tuples(st.sampled_from(COSTED), st.integers(0, 4_000))
        ),
        "refresh": st.booleans(),
    }
)


def _write(action):
    begin_write(db.session)
    result = action()
    db.session.commit()
    return result


def _save_cost(product: str, cost: int, moment: datetime) -> None:
    batch = ProductBatch().load(
        {
            "product_id": product,
            "name": f"Product {product}",
            "category": "Things",
            "unit_cost": cost,
            "cost_from": moment.isoformat(),
        }
    )
    _write(lambda: save_products(db.session, batch["products"]))


def _order(number: int, spec: dict, placed: datetime) -> dict:
    lines = []
    for line in spec["lines"]:
        gross = line["quantity"] * line["unit_price"]
        lines.append(
            {
                "product_id": line["product"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "discount": gross * line["own_discount_percent"] // 100,
                **({"unit_cost": line["sent_cost"]} if line["sent_cost"] is not None else {}),
            }
        )
    subtotal = sum(line["quantity"] * line["unit_price"] for line in lines)
    own = sum(line["discount"] for line in lines)
    discount = own + (subtotal - own) * spec["extra_discount_percent"] // 100
    return OrderIn().load(
        {
            "external_id": f"O{number}",
            "customer_id": f"C{number % 3}",
            "placed_at": placed.isoformat(),
            "subtotal": subtotal,
            "discount": discount,
            "lines": lines,
        }
    )


class Ledger:
    """What the figures must be, kept by hand: per day and product."""

    def __init__(self) -> None:
        self.costs: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
        self.rows: dict[tuple[date, str], Counter] = defaultdict(Counter)

    def cost(self, product: str, moment: datetime) -> int | None:
        moments, costs = self.costs[product]
        index = bisect.bisect_right(moments, moment) - 1
        return costs[index] if index >= 0 else None

    def add_cost(self, product: str, moment: datetime, cost: int) -> None:
        moments, costs = self.costs[product]
        index = bisect.bisect_right(moments, moment)
        moments.insert(index, moment)
        costs.insert(index, cost)


def _apply(specs: list[dict]) -> tuple[list, Ledger]:
    ledger = Ledger()
    for product in COSTED:
        _save_cost(product, 1_000, START - timedelta(days=30))
        ledger.add_cost(product, START - timedelta(days=30), 1_000)
    timeline = []
    for number, spec in enumerate(specs):
        placed = START + timedelta(minutes=spec["minutes"])
        timeline.append((placed, "order", number, spec))
        if spec["fate"].startswith("refund") or spec["fate"] == "cancel":
            timeline.append(
                (placed + timedelta(minutes=spec["refund_after_minutes"]), "fate", number, spec)
            )
        if spec["cost_change"]:
            timeline.append((placed + timedelta(minutes=1, seconds=number), "cost", number, spec))
    timeline.sort(key=lambda item: (item[0], item[1], item[2]))
    sales = []
    for moment, kind, number, spec in timeline:
        if kind == "order":
            order = _order(number, spec, moment)
            _write(lambda order=order: ingest_orders(db.session, [order]))
            sales.append((number, moment, order))
        elif kind == "cost":
            product, cost = spec["cost_change"]
            _save_cost(product, cost, moment)
            ledger.add_cost(product, moment, cost)
        else:
            _fate(number, spec, moment)
        if spec["refresh"]:
            refresh()
    # P2's cost arrives last, backdated to before every sale.
    _save_cost(LATE, 700, START - timedelta(days=1))
    ledger.add_cost(LATE, START - timedelta(days=1), 700)
    return sales, ledger


def _fate(number: int, spec: dict, moment: datetime) -> None:
    seen = find_order(db.session, f"O{number}")
    db.session.commit()
    if spec["fate"] == "cancel":
        _write(lambda: change_status(db.session, seen, "cancelled", moment))
        return
    merchandise = seen.merchandise
    if merchandise == 0:
        return
    first_line = spec["lines"][0]
    named_amount = min(merchandise, first_line["unit_price"]) // 2
    refunds = []
    if spec["fate"] in ("refund_named", "refund_both") and named_amount > 0:
        refunds.append(
            {
                "refund_id": f"R{number}a",
                "amount": named_amount,
                "refunded_at": moment.isoformat(),
                "lines": [{"line_number": 1, "quantity": 1, "amount": named_amount}],
            }
        )
    if spec["fate"] in ("refund_spread", "refund_both"):
        left = merchandise - (named_amount if refunds else 0)
        if left > 0:
            refunds.append(
                {
                    "refund_id": f"R{number}b",
                    "amount": max(1, left // 2),
                    "refunded_at": (moment + timedelta(hours=5)).isoformat(),
                }
            )
    for refund in refunds:
        loaded = RefundIn().load(refund)
        _write(lambda loaded=loaded: add_refund(db.session, seen.id, loaded))


def _expected(ledger: Ledger) -> dict[tuple[date, str], Counter]:
    """Every product-day from the stored lines and refund lines, with costs by hand."""
    rows: dict[tuple[date, str], Counter] = defaultdict(Counter)
    lines = db.session.execute(
        sa.text(
            "SELECT o.id, o.status, o.business_date, o.placed_at, p.external_id, l.id, l.quantity,"
            " l.unit_price, l.discount, l.unit_cost FROM order_lines l JOIN orders o ON o.id ="
            " l.order_id JOIN products p ON p.id = l.product_id"
        )
    ).all()
    costs = {}
    for _order, status, day, _placed, product, line_id, qty, price, discount, cost in lines:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        costs[line_id] = (product, cost)
        if status not in ("completed", "refunded"):
            continue
        row = rows[(day, product)]
        row["units"] += qty
        row["gross"] += qty * price
        row["discounts"] += discount
        if cost is not None:
            row["cost_of_goods"] += qty * cost
            row["costed_sales"] += qty * price - discount
    for day, line_id, qty, amount in db.session.execute(
        sa.text(
            "SELECT r.business_date, rl.order_line_id, rl.quantity, rl.amount FROM refund_lines rl"
            " JOIN refunds r ON r.id = rl.refund_id"
        )
    ):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        product, cost = costs[line_id]
        row = rows[(day, product)]
        row["returns"] += amount
        row["returned_units"] += qty
        if cost is not None:
            row["cost_of_goods"] -= qty * cost
            row["costed_sales"] -= amount
    return rows


def _stored() -> dict[tuple[date, str], Counter]:
    names = (
        "units",
        "gross",
        "discounts",
        "returns",
        "returned_units",
        "cost_of_goods",
        "costed_sales",
    )
    rows = db.session.execute(
        sa.text(
            "SELECT d.business_date, p.external_id, "
            + ", ".join(f"d.{n}" for n in names)
            + ", d.net_sales FROM product_daily d JOIN products p ON p.id = d.product_id"
        )
    )
    stored = {}
    for day, product, *values, net in rows:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        counter = Counter(dict(zip(names, values, strict=True)))
        assert net == counter["gross"] - counter["discounts"] - counter["returns"]
        stored[(day, product)] = +counter
    return stored


def _line_costs_follow_the_sale(sales: list, ledger: Ledger) -> None:
    sent = db.session.execute(
        sa.text(
            "SELECT o.external_id, l.line_number, l.unit_cost FROM order_lines l"
            " JOIN orders o ON o.id = l.order_id"
        )
    ).all()
    by_order = {number: (moment, order) for number, moment, order in sales}
    for external_id, line_number, cost in sent:
        moment, order = by_order[int(external_id[1:])]
        line = order["lines"][line_number - 1]
        wanted = line["unit_cost"]
        if wanted is None:
            wanted = ledger.cost(line["product_id"], moment)
        assert cost == wanted, (external_id, line_number)


def _first_products() -> dict[str, tuple[int, int]]:
    found = first_product_repeat(db.session, YEAR, min_customers=1)
    return {row.product: (row.customers, row.repeaters) for row in found}


def _expected_first_products() -> dict[str, tuple[int, int]]:
    """By hand: each customer's first counted day, its products, and any later counted day."""
    days: dict[str, set] = defaultdict(set)
    bought: dict[tuple, set] = defaultdict(set)
    rows = db.session.execute(
        sa.text(
            "SELECT c.external_id, o.business_date, p.name FROM orders o"
            " JOIN customers c ON c.id = o.customer_id JOIN order_lines l ON l.order_id = o.id"
            " JOIN products p ON p.id = l.product_id WHERE o.status IN ('completed', 'refunded')"
        )
    )
    for customer, day, product in rows:
        days[customer].add(str(day))
        bought[(customer, str(day))].add(product)
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for customer, seen in days.items():
        for product in bought[(customer, min(seen))]:
            expected[product][0] += 1
            expected[product][1] += len(seen) > 1
    return {product: tuple(counts) for product, counts in expected.items()}


YEAR = DateRange(date(2026, 1, 1), date(2026, 12, 31))
# The history lies in March: ranges with it as a whole month, as edge days, or both.
READ_RANGES = [
    DateRange(date(2026, 2, 15), date(2026, 3, 31)),
    DateRange(date(2026, 3, 1), date(2026, 3, 8)),
    DateRange(date(2026, 3, 8), date(2026, 4, 10)),
    DateRange(date(2026, 3, 1), date(2026, 3, 31)),
    DateRange(date(2026, 2, 1), date(2026, 4, 30)),
    DateRange(date(2026, 3, 9), date(2026, 3, 9)),
]


def _months_are_their_days() -> None:
    daily, monthly = ProductDaily.__table__, ProductMonthly.__table__
    summed = {}
    for row in db.session.execute(sa.select(daily)).mappings():
        key = (month_of(row["business_date"]), row["product_id"])
        totals = summed.setdefault(key, Counter())
        totals.update({name: row[name] for name in PRODUCT_SUMS})
    stored = {
        (row["month"], row["product_id"]): Counter({name: row[name] for name in PRODUCT_SUMS})
        for row in db.session.execute(sa.select(monthly)).mappings()
    }
    assert stored == summed


def _reads_are_the_days(days: DateRange) -> None:
    daily = ProductDaily.__table__
    by_product: dict[int, Counter] = {}
    for row in db.session.execute(
        sa.select(daily).where(daily.c.business_date.between(days.start, days.end))
    ).mappings():
        by_product.setdefault(row["product_id"], Counter()).update(
            {name: row[name] for name in PRODUCT_SUMS}
        )
    read = {
        row.product_id: {name: getattr(row.figures, name) for name in PRODUCT_SUMS}
        for row in product_rows(db.session, days)
        if any(getattr(row.figures, name) for name in PRODUCT_SUMS)
    }
    expected = {
        product: {name: sums[name] for name in PRODUCT_SUMS}
        for product, sums in by_product.items()
        if any(sums.values())
    }
    assert read == expected, days
    total = product_totals(db.session, days)
    assert {name: getattr(total, name) for name in PRODUCT_SUMS} == {
        name: sum(sums[name] for sums in by_product.values()) for name in PRODUCT_SUMS
    }


@pytest.fixture
def new_york_app(app, make_app):  # `app` wipes the tables afterwards
    return make_app(SHOP_TIMEZONE="America/New_York")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(event_spec, min_size=1, max_size=8))
def test_product_figures_add_up_to_the_days_with_costs_at_the_sale(new_york_app, specs):
    with new_york_app.app_context():
        with db.engine.begin() as connection:
            wipe(connection)
        sales, ledger = _apply(specs)
        refresh()
        stored = _stored()
        expected = {key: +row for key, row in _expected(ledger).items() if any(row.values())}
        assert stored == expected
        _line_costs_follow_the_sale(sales, ledger)

        # The product figures of a day are the day's figures (every order here has lines).
        by_day: Counter = Counter()
        for (day, _product), row in stored.items():
            by_day[(day, "gross")] += row["gross"]
            by_day[(day, "discounts")] += row["discounts"]
            by_day[(day, "refunds")] += row["returns"]
        snapshot = Counter()
        for row in db.session.scalars(sa.select(DailyAnalyticsSnapshot)):
            for name in ("gross", "discounts", "refunds"):
                snapshot[(row.business_date, name)] += getattr(row, name)
        assert +by_day == +snapshot

        assert _first_products() == _expected_first_products()

        # The months kept beside the days are their days summed, and a range read through
        # them (whole months, then the days before and after) is its days summed.
        _months_are_their_days()
        for days in READ_RANGES:
            _reads_are_the_days(days)

        # A rebuild from scratch writes the same rows as the refresher kept.
        rebuild_products(db.session, DateRange(date(2026, 1, 1), date(2026, 12, 31)))
        db.session.commit()
        assert _stored() == stored


def test_lines_hold_the_whole_order_and_refund(app):
    """Every order's lines carry all of its subtotal and discount, and every refund of an
    order with lines is spread over them to the cent."""
    order = OrderIn().load(
        {
            "external_id": "O1",
            "customer_id": "C1",
            "placed_at": "2026-05-01T12:00:00+00:00",
            "subtotal": 1_001,
            "discount": 100,
            "lines": [
                {"product_id": "A", "quantity": 1, "unit_price": 334},
                {"product_id": "B", "quantity": 1, "unit_price": 333},
                {"product_id": "C", "quantity": 1, "unit_price": 334, "discount": 10},
            ],
        }
    )
    _write(lambda: ingest_orders(db.session, [order]))
    seen = find_order(db.session, "O1")
    refund = RefundIn().load(
        {"refund_id": "R1", "amount": 301, "refunded_at": "2026-05-02T12:00:00+00:00"}
    )
    _write(lambda: add_refund(db.session, seen.id, refund))
    lines = db.session.execute(
        sa.text(
            "SELECT line_number, quantity * unit_price, discount FROM order_lines"
            " ORDER BY line_number"
        )
    ).all()
    assert sum(gross for _, gross, _ in lines) == 1_001
    assert sum(discount for _, _, discount in lines) == 100
    # Line C keeps its own 10 and takes its share of the other 90, spread by value.
    assert lines[2][2] >= 10
    back = db.session.execute(sa.text("SELECT SUM(amount), SUM(quantity) FROM refund_lines")).one()
    assert tuple(back) == (301, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_pairs_count_orders_holding_both_with_support_confidence_and_lift(app):
    """Four orders: A+B twice, A+C once, B alone. A→B: 2 of A's 3 orders; lift 2·4/(3·3)."""
    baskets = [["A", "B"], ["A", "B", "B"], ["A", "C"], ["B"]]
    orders = []
    for number, products in enumerate(baskets):
        lines = [{"product_id": p, "quantity": 1, "unit_price": 100} for p in products]
        orders.append(
            OrderIn().load(
                {
                    "external_id": f"O{number}",
                    "customer_id": f"C{number}",
                    "placed_at": f"2026-05-0{1 + number % 2}T12:00:00+00:00",
                    "subtotal": 100 * len(products),
                    "lines": lines,
                }
            )
        )
    _write(lambda: ingest_orders(db.session, orders))
    refresh()
    may = DateRange(date(2026, 5, 1), date(2026, 5, 31))
    pairs = product_pairs(db.session, may, min_orders=1)
    assert [(p.product_a, p.product_b, p.orders) for p in pairs] == [("A", "B", 2), ("A", "C", 1)]
    top = pairs[0]
    assert (
        top.support == 2 / 4 and top.confidence_a_to_b == 2 / 3 and top.confidence_b_to_a == 2 / 3
    )
    assert top.lift == 2 * 4 / (3 * 3)
    assert product_pairs(db.session, may, min_orders=3) == []
    assert (
        product_pairs(db.session, DateRange(date(2026, 5, 2), date(2026, 5, 2)), min_orders=1)[
            0
        ].orders
        == 1
    )
