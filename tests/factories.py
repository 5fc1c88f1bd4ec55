"""factory-boy factories writing through the app's session."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import factory
from flask import current_app

from app.extensions import db
from app.models import Campaign, ConversionEvent, Customer, Order, Refund, User
from app.timeutil import business_date

DEFAULT_PASSWORD = "correct horse battery"


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@shop.test")
    role = "viewer"
    active = True
    password_hash = ""

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs) -> None:
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            db.session.commit()


def _shop_day(moment: datetime) -> date:
    return business_date(moment, ZoneInfo(current_app.config["SHOP_TIMEZONE"]))


class CustomerFactory(BaseFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = "Ada Lovelace"
    created_at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    acquisition_channel = "web"


class CampaignFactory(BaseFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Spring Sale {n}")
    code = factory.Sequence(lambda n: f"SPRING{n}")
    status = "active"
    discount_percent = 10
    budget = 100_000
    starts_on = date(2026, 3, 1)
    ends_on = date(2026, 3, 31)


class OrderFactory(BaseFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: f"O{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    placed_at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    business_date = factory.LazyAttribute(lambda o: _shop_day(o.placed_at))
    status = "completed"
    completed_at = factory.LazyAttribute(lambda o: o.placed_at if o.status != "pending" else None)
    channel = "web"
    subtotal = 5_000
    discount = 0
    shipping = 0
    tax = 0
    total = factory.LazyAttribute(lambda o: o.subtotal - o.discount + o.shipping + o.tax)


class RefundFactory(BaseFactory):
    class Meta:
        model = Refund

    order = factory.SubFactory(OrderFactory)
    amount = 1_000
    refunded_at = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    business_date = factory.LazyAttribute(lambda r: _shop_day(r.refunded_at))


class EventFactory(BaseFactory):
    class Meta:
        model = ConversionEvent

    external_id = factory.Sequence(lambda n: f"E{n:08d}")
    event_type = "page_view"
    session_id = factory.Sequence(lambda n: f"session-{n}")
    occurred_at = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    page = "/"
    channel = "web"
