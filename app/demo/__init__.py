"""The demo shop: generate it as numpy columns, then bulk-load it."""

from __future__ import annotations

import numpy as np

from app.demo import campaigns as campaign_gen
from app.demo import events as event_gen
from app.demo import lines as line_gen
from app.demo import orders as order_gen
from app.demo import people
from app.demo.catalog import make_catalog
from app.demo.clock import DAY, ShopClock
from app.demo.generator import DemoShop, make_customers
from app.demo.loader import DemoError, load_shop
from app.demo.spec import DemoSpec

__all__ = ["DemoError", "DemoShop", "DemoSpec", "generate_shop", "load_shop"]


def generate_shop(spec: DemoSpec) -> DemoShop:
    """Every demo table; the same spec always gives the same shop."""
    rng = np.random.default_rng(spec.seed)
    days = np.arange(np.datetime64(spec.start_date), np.datetime64(spec.end_date) + 1)
    clock = ShopClock(spec.timezone, days[0], days[-1])
    day_seconds = days.astype("datetime64[s]").astype(np.int64)  # local midnights
    end_utc = int(clock.local_to_utc(day_seconds[-1:] + DAY)[0])

    customers = make_customers(rng, spec, days)
    campaigns = campaign_gen.make_campaigns(rng, spec, days)
    subscriptions = campaign_gen.make_subscriptions(rng, customers, len(days))
    campaign_gen.stamp_subscription_times(subscriptions, clock.local_to_utc(day_seconds), rng)

    start_utc = int(clock.local_to_utc(day_seconds[:1])[0])
    catalog = make_catalog(rng, start_utc, end_utc)
    skeleton = order_gen.order_skeleton(rng, spec, days, customers, subscriptions)
    order_gen.place_in_time(rng, skeleton, day_seconds, clock)
    months = days[skeleton["day"]].astype("datetime64[M]").astype(np.int64) % 12 + 1
    lines = line_gen.make_lines(rng, skeleton, catalog, months)
    order_gen.apply_campaigns(rng, skeleton, campaigns)
    line_gen.allocate_discounts(lines, skeleton["discount"])
    order_gen.settle(rng, skeleton, spec, end_utc)
    refunds = order_gen.make_refunds(rng, skeleton, clock)
    refund_lines = line_gen.make_refund_lines(rng, refunds, lines, skeleton)
    orders = order_gen.order_columns(skeleton, customers, clock)

    people.stamp_signups(rng, customers, orders, clock.local_to_utc(day_seconds))
    referrals = people.make_referrals(rng, customers)
    events = event_gen.make_events(rng, spec, orders, skeleton["day"], day_seconds, clock)
    return DemoShop(
        tables={
            "customers": customers,
            "campaigns": campaigns,
            "products": catalog.products,
            "product_costs": catalog.costs,
            "orders": orders,
            "order_lines": lines,
            "payments": order_gen.make_payments(rng, orders),
            "refunds": refunds,
            "refund_lines": refund_lines,
            "loyalty_accounts": people.make_loyalty(rng, customers, orders),
            "referrals": referrals,
            "subscriptions": subscriptions,
            "conversion_events": events,
        }
    )
