"""A cost change racing a batch of orders that names the product: the batch's lines get the
cost in force at their sale, whichever writer began first (both lock the product row)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.database import begin_write
from app.extensions import db
from app.models import OrderLine, RefundLine
from app.pipeline.ingest import ingest_orders
from app.pipeline.orders import add_refund, find_order
from app.pipeline.products import save_products
from app.pipeline.records import OrderIn, ProductBatch

PLACED = datetime(2026, 5, 1, 12, tzinfo=UTC)


def _order() -> dict:
    return OrderIn().load(
        {
            "external_id": "O-1",
            "customer_id": "C-1",
            "placed_at": PLACED.isoformat(),
            "subtotal": 2_000,
            "lines": [{"product_id": "MUG", "quantity": 2, "unit_price": 1_000}],
        }
    )


def _cost() -> list[dict]:
    record = {
        "product_id": "MUG",
        "name": "Mug",
        "unit_cost": 400,
        "cost_from": (PLACED - timedelta(days=30)).isoformat(),
    }
    return ProductBatch().load(record)["products"]


def test_a_batch_that_arrives_while_a_cost_change_is_open_takes_the_new_cost(app):
    # The product exists with no cost yet.
    begin_write(db.session)
    save_products(db.session, ProductBatch().load({"product_id": "MUG", "name": "Mug"})["products"])
    db.session.commit()

    engine = db.engine
    costs = Session(engine)
    begin_write(costs)
    save_products(costs, _cost())  # a first cost, dated before the sale; not committed yet
    finished = threading.Event()

    def send_batch() -> None:
        with app.app_context(), Session(engine) as batch:
            begin_write(batch)
            ingest_orders(batch, [_order()])
            batch.commit()
        finished.set()

    sender = threading.Thread(target=send_batch)
    sender.start()
    time.sleep(0.5)
    # The batch waits for the cost change that holds the product (on SQLite, for the write
    # lock): had it read the costs before the change committed, its line would have none.
    assert not finished.is_set()
    costs.commit()
    costs.close()
    sender.join(timeout=30)
    assert finished.is_set()
    db.session.expire_all()
    assert db.session.scalars(sa.select(OrderLine.unit_cost)).all() == [400]


def test_a_backdated_cost_reaches_the_lines_of_a_batch_open_when_it_was_posted(app):
    begin_write(db.session)
    save_products(db.session, ProductBatch().load({"product_id": "MUG", "name": "Mug"})["products"])
    db.session.commit()

    engine = db.engine
    batch = Session(engine)
    begin_write(batch)
    ingest_orders(batch, [_order()])  # its line has no cost: none is in force yet
    finished = threading.Event()

    def post_cost() -> None:
        with Session(engine) as costs:
            begin_write(costs)
            save_products(costs, _cost())
            costs.commit()
        finished.set()

    poster = threading.Thread(target=post_cost)
    poster.start()
    time.sleep(0.5)
    # The cost change waits for the batch; its update of unknown costs then sees the line.
    assert not finished.is_set()
    batch.commit()
    batch.close()
    poster.join(timeout=30)
    assert finished.is_set()
    db.session.expire_all()
    assert db.session.scalars(sa.select(OrderLine.unit_cost)).all() == [400]


def test_lines_that_arrive_while_a_refund_is_open_take_that_refund_too(app):
    bare = {key: value for key, value in _order().items() if key != "lines"}
    begin_write(db.session)
    ingest_orders(db.session, [{**bare, "lines": None}])
    db.session.commit()
    seen = find_order(db.session, "O-1")
    db.session.commit()

    engine = db.engine
    refunding = Session(engine)
    begin_write(refunding)
    refund = {"refund_id": "R-1", "amount": 500, "refunded_at": PLACED + timedelta(days=1)}
    add_refund(refunding, seen.id, refund)  # the order has no lines yet: none to spread over
    finished = threading.Event()

    def send_lines() -> None:
        with app.app_context(), Session(engine) as batch:
            begin_write(batch)
            ingest_orders(batch, [_order()])  # the same order again, now with its lines
            batch.commit()
        finished.set()

    sender = threading.Thread(target=send_lines)
    sender.start()
    time.sleep(0.5)
    assert not finished.is_set()  # the lines wait for the refund that holds the order
    refunding.commit()
    refunding.close()
    sender.join(timeout=30)
    assert finished.is_set()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.sum(RefundLine.amount))) == 500
