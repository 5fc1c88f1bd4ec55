"""The records writers send (API bodies, CSV rows): one set of rules for every way in.

Every text field is sized from its model column (app/pipeline/fields.py), so a record either
fits every column on every database or is refused with 422 naming the field.
"""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.models import ConversionEvent, Customer, Order, Product, Refund
from app.models.enums import CHANNELS, EVENT_TYPES, PAYMENT_METHODS
from app.pipeline.erasure import ERASED_PREFIX
from app.pipeline.fields import Email, Identifier, Moment, Text
from app.pipeline.lines import lines_mismatch
from app.pipeline.purchases import ORDER_SESSION_PREFIX

# Ids the shop derives itself: a client cannot take them.
RESERVED_EVENT_ID_PREFIXES = ("purchase:", "purchase-")
RESERVED_SESSION_PREFIXES = (ORDER_SESSION_PREFIX,)
RESERVED_CUSTOMER_PREFIXES = (ERASED_PREFIX,)
TRACKED_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t != "purchase")

# Dates a shop's figures can have (outside, date arithmetic for previous periods overflows).
DAY_RANGE = validate.Range(
    min=date(1900, 1, 1), max=date(2999, 12, 31), error="a date from 1900-01-01 to 2999-12-31"
)
MINOR_UNITS = validate.Range(min=0, max=10**12)
ORDERS, CUSTOMERS, EVENTS = Order.__table__, Customer.__table__, ConversionEvent.__table__
PRODUCTS = Product.__table__
UNITS = validate.Range(min=1, max=10**6)


def _unique(records: list[dict], key: str, field_name: str) -> None:
    seen: set[str] = set()
    for record in records:
        if record[key] in seen:
            raise ValidationError(f"{record[key]} appears twice in the batch", field_name)
        seen.add(record[key])


def customer_id_field(**kwargs) -> Identifier:
    return Identifier(
        CUSTOMERS.c.external_id,
        reserved=RESERVED_CUSTOMER_PREFIXES,
        metadata={"description": "your customer id"},
        **kwargs,
    )


def product_id_field(**kwargs) -> Identifier:
    return Identifier(PRODUCTS.c.external_id, metadata={"description": "your product id"}, **kwargs)


class LineIn(Schema):
    product_id = product_id_field(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=UNITS)
    unit_price = fields.Integer(
        required=True, strict=True, validate=MINOR_UNITS, metadata={"description": "minor units"}
    )
    discount = fields.Integer(
        load_default=0,
        strict=True,
        validate=MINOR_UNITS,
        metadata={"description": "this line's own discount; the rest of the order's is spread"},
    )
    unit_cost = fields.Integer(
        load_default=None,
        strict=True,
        validate=MINOR_UNITS,
        metadata={"description": "cost at the sale; else the product's cost in force then"},
    )
    name = Text(PRODUCTS.c.name, load_default=None)
    category = Text(PRODUCTS.c.category, load_default=None)

    @validates_schema
    def discount_within_line(self, data: dict, **_kwargs) -> None:
        if data["discount"] > data["quantity"] * data["unit_price"]:
            raise ValidationError("must not exceed quantity × unit_price", "discount")


class OrderIn(Schema):
    external_id = Identifier(ORDERS.c.external_id, required=True)
    customer_id = customer_id_field(required=True)
    customer_email = Email(CUSTOMERS.c.email, load_default=None)
    placed_at = Moment(required=True)
    completed_at = Moment(load_default=None)
    status = fields.String(
        load_default="completed", validate=validate.OneOf(["pending", "completed", "cancelled"])
    )
    channel = fields.String(load_default="web", validate=validate.OneOf(CHANNELS))
    subtotal = fields.Integer(
        required=True, strict=True, validate=MINOR_UNITS, metadata={"description": "minor units"}
    )
    discount = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    shipping = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    tax = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    total = fields.Integer(
        load_default=None,
        strict=True,
        validate=MINOR_UNITS,
        metadata={"description": "checked if given"},
    )
    payment_method = fields.String(load_default="card", validate=validate.OneOf(PAYMENT_METHODS))
    coupon_code = Text(ORDERS.c.coupon_code, load_default=None)
    lines = fields.List(
        fields.Nested(LineIn),
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "optional; quantity × unit_price must sum to the subtotal"},
    )

    @validates_schema
    def lines_add_up(self, data: dict, **_kwargs) -> None:
        if data.get("lines"):
            reason = lines_mismatch(data["lines"], data["subtotal"], data["discount"])
            if reason:
                raise ValidationError(reason, "lines")

    @validates_schema
    def completed_after_placed(self, data: dict, **_kwargs) -> None:
        if data.get("completed_at") and data["completed_at"] < data["placed_at"]:
            raise ValidationError("must not be before placed_at", "completed_at")

    @validates_schema
    def amounts_add_up(self, data: dict, **_kwargs) -> None:
        if data["discount"] > data["subtotal"]:
            raise ValidationError("must not exceed subtotal", "discount")
        expected = data["subtotal"] - data["discount"] + data["shipping"] + data["tax"]
        if data["total"] is not None and data["total"] != expected:
            raise ValidationError(
                f"must equal subtotal − discount + shipping + tax ({expected})", "total"
            )


class OrderBatch(Schema):
    orders = fields.List(
        fields.Nested(OrderIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @pre_load
    def one_order_is_a_batch_of_one(self, data, **_kwargs):
        return {"orders": [data]} if isinstance(data, dict) and "orders" not in data else data

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["orders"], "external_id", "orders")


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["completed", "cancelled"]))
    at = Moment(load_default=None)


class RefundLineIn(Schema):
    line_number = fields.Integer(load_default=None, strict=True, validate=UNITS)
    product_id = product_id_field(load_default=None)
    quantity = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(min=0, max=10**6),
        metadata={"description": "units that came back (0: money only)"},
    )
    amount = fields.Integer(required=True, strict=True, validate=MINOR_UNITS)

    @validates_schema
    def names_a_line(self, data: dict, **_kwargs) -> None:
        if data["line_number"] is None and data["product_id"] is None:
            raise ValidationError("name the line by line_number or product_id", "line_number")


class RefundIn(Schema):
    refund_id = Identifier(Refund.__table__.c.external_id, required=True)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))
    refunded_at = Moment(required=True)
    reason = Text(Refund.__table__.c.reason, load_default=None)
    lines = fields.List(
        fields.Nested(RefundLineIn),
        load_default=None,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "optional: what came back; else spread over the lines"},
    )


class CostIn(Schema):
    unit_cost = fields.Integer(required=True, strict=True, validate=MINOR_UNITS)
    effective_from = Moment(required=True, metadata={"description": "in force from"})


class ProductIn(Schema):
    product_id = product_id_field(required=True)
    name = Text(PRODUCTS.c.name, required=True)
    sku = Text(PRODUCTS.c.sku, load_default=None)
    category = Text(PRODUCTS.c.category, load_default=None)
    unit_cost = fields.Integer(
        load_default=None,
        strict=True,
        validate=MINOR_UNITS,
        metadata={"description": "a cost in force from cost_from (default: now)"},
    )
    cost_from = Moment(load_default=None)
    costs = fields.List(
        fields.Nested(CostIn),
        load_default=None,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "dated costs (history), instead of unit_cost"},
    )

    @validates_schema
    def one_way_to_give_costs(self, data: dict, **_kwargs) -> None:
        if data.get("costs") and data.get("unit_cost") is not None:
            raise ValidationError("give unit_cost or costs, not both", "costs")
        if data.get("cost_from") and data.get("unit_cost") is None:
            raise ValidationError("cost_from needs a unit_cost", "cost_from")


class ProductBatch(Schema):
    products = fields.List(
        fields.Nested(ProductIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @pre_load
    def one_product_is_a_batch_of_one(self, data, **_kwargs):
        return {"products": [data]} if isinstance(data, dict) and "products" not in data else data

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["products"], "product_id", "products")


class EventIn(Schema):
    event_id = Identifier(
        EVENTS.c.external_id,
        required=True,
        reserved=RESERVED_EVENT_ID_PREFIXES,
        metadata={"description": "your id; sent twice is kept once"},
    )
    type = fields.String(
        required=True,
        validate=validate.OneOf(TRACKED_EVENT_TYPES),
        metadata={"description": "purchases are recorded from the orders themselves"},
    )
    session_id = Identifier(EVENTS.c.session_id, required=True, reserved=RESERVED_SESSION_PREFIXES)
    occurred_at = Moment(required=True)
    customer_id = customer_id_field(load_default=None)
    order_id = Identifier(
        ORDERS.c.external_id, load_default=None, metadata={"description": "an order already sent"}
    )
    page = Text(EVENTS.c.page, load_default=None)
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))


class EventBatch(Schema):
    events = fields.List(
        fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["events"], "event_id", "events")
