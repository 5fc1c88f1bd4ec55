"""Demo order lines and refund lines, stored exactly as the ingestion service would store them.

An order's lines are its subtotal: quantity × list price in force when it was placed. The
order's discount is spread over its lines by value with the service's rule (largest
remainder, ties to the earlier line: app/pipeline/allocation.py), and each line keeps the
cost in force at `placed_at` (none before the product's first dated cost). A full return
names every line with all its units; half the partial refunds name one line and the units
that came back; the rest are money only, spread over the lines by what is left of each.
"""

from __future__ import annotations

import numpy as np

from app.demo.catalog import ACCESSORY_CHANCE, CATEGORIES, Catalog, in_force
from app.demo.generator import MEDIAN_BASKET, Columns

LINES_PER_BASKET = 1.7  # extra lines beyond the first, for a basket of the web's median
MAX_LINES = 7
MAX_UNITS = 6
NAMED_PARTIAL_SHARE = 0.5


def spread_by_segment(amounts: np.ndarray, weights: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """app.pipeline.allocation.spread for many amounts at once: `amounts[s]` over the weights
    of segment s. `segment` is sorted, and every segment 0..len(amounts)−1 has a weight."""
    starts = np.searchsorted(segment, np.arange(len(amounts)))
    total = np.add.reduceat(weights, starts)
    amount, weight_total = amounts[segment], total[segment]
    safe = np.where(weight_total > 0, weight_total, 1)
    shares = amount * weights // safe
    remainder = amount * weights % safe
    leftover = np.where(total > 0, amounts - np.add.reduceat(shares, starts), 0)
    ranked = np.lexsort((np.arange(len(weights)), -remainder, segment))
    rank = np.arange(len(weights)) - starts[segment[ranked]]
    shares[ranked[rank < leftover[segment[ranked]]]] += 1
    unweighted = np.flatnonzero(total == 0)
    shares[starts[unweighted]] = amounts[unweighted]  # no weight: all on the first
    return shares


def _category_by_month(rng: np.random.Generator, months: np.ndarray) -> np.ndarray:
    """Each line's category: its usual share, raised in its season."""
    weight = np.array([category.weight for category in CATEGORIES])
    peak = np.array([category.peak_month for category in CATEGORIES])
    season = np.array([category.season for category in CATEGORIES])
    draw = rng.random(len(months))
    chosen = np.empty(len(months), dtype=np.int64)
    for month in range(1, 13):
        away = np.abs(month - peak)
        away = np.minimum(away, 12 - away)
        odds = weight * (1 + season * np.exp(-((away / 1.2) ** 2)))
        cumulative = np.cumsum(odds) / odds.sum()
        these = months == month
        chosen[these] = np.searchsorted(cumulative, draw[these], side="right")
    return np.minimum(chosen, len(CATEGORIES) - 1)


def _pick_products(rng: np.random.Generator, catalog: Catalog, months: np.ndarray) -> np.ndarray:
    """A product of the line's category, best sellers most often."""
    category = _category_by_month(rng, months)
    grouped = catalog.category  # products are listed category by category
    totals = np.bincount(grouped, weights=catalog.popularity)
    within = np.cumsum(catalog.popularity) - np.r_[0.0, np.cumsum(totals)][grouped]
    keys = grouped + within / totals[grouped]  # category c spans (c, c + 1]
    last = np.searchsorted(grouped, np.arange(len(CATEGORIES)), side="right") - 1
    picked = np.searchsorted(keys, category + rng.random(len(category)), side="right")
    return np.minimum(picked, last[category])


def _baskets(
    rng: np.random.Generator, skeleton: dict, catalog: Catalog, months: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(order, product) of every line, by order, in no particular order within it."""
    plan = skeleton["plan"]
    regular = plan < 0
    rate = LINES_PER_BASKET * MEDIAN_BASKET[skeleton["channel"]] / MEDIAN_BASKET[0]
    extra = np.minimum(rng.poisson(rate), MAX_LINES - 1)
    order = np.repeat(np.arange(len(plan)), np.where(regular, 1 + extra, 0))
    product = _pick_products(rng, catalog, months[order])
    accessory = catalog.accessory[product]
    adds = (accessory >= 0) & (rng.random(len(product)) < ACCESSORY_CHANCE)
    renewals = np.flatnonzero(~regular)
    order = np.concatenate([order, order[adds], renewals])
    product = np.concatenate([product, accessory[adds], catalog.plan_product[plan[renewals]]])
    _, first = np.unique(order * len(catalog.category) + product, return_index=True)
    order, product = order[first], product[first]  # one line per product
    arranged = np.lexsort((rng.random(len(order)), order))
    return order[arranged], product[arranged]


def make_lines(
    rng: np.random.Generator, skeleton: dict, catalog: Catalog, months: np.ndarray
) -> Columns:
    """1–7 lines per order (a renewal: its plan), one per product; sets the subtotals."""
    count = len(skeleton["channel"])
    order, product = _baskets(rng, skeleton, catalog, months)
    refill = np.array([c.refill for c in CATEGORIES] + [0.0])[catalog.category[product]]
    more = rng.random(len(order)) < refill
    quantity = 1 + np.where(more, np.minimum(rng.geometric(0.5, size=len(order)), MAX_UNITS - 1), 0)
    placed = skeleton["placed"][order]
    prices, costs = catalog.prices, catalog.costs
    unit_price = prices["price"][in_force(prices["product"], prices["moment"], product, placed)]
    cost_row = in_force(
        costs["product_id"] - 1, costs["effective_from"].astype(np.int64), product, placed
    )
    subtotal = np.bincount(order, weights=quantity * unit_price, minlength=count)
    skeleton["subtotal"] = np.rint(subtotal).astype(np.int64)
    starts = np.searchsorted(order, np.arange(count))
    return {
        "id": np.arange(1, len(order) + 1),
        "order_id": order + 1,
        "line_number": np.arange(len(order)) - starts[order] + 1,
        "product_id": product + 1,
        "quantity": quantity,
        "unit_price": unit_price,
        # The cost in force when the order was placed; None before the product's first cost.
        "unit_cost": np.where(cost_row >= 0, costs["unit_cost"][cost_row], None).astype(object),
        "_order": order,
    }


def allocate_discounts(lines: Columns, order_discount: np.ndarray) -> None:
    """Each line's share of its order's discount, by value (the service's rule)."""
    gross = lines["quantity"] * lines["unit_price"]
    lines["discount"] = spread_by_segment(order_discount, gross, lines["_order"])
    lines["_net"] = gross - lines["discount"]


def make_refund_lines(
    rng: np.random.Generator, refunds: Columns, lines: Columns, skeleton: dict
) -> Columns:
    """What each refund gave back of each line, as the service books it. A named partial
    refund is the value of the units that came back, so its amount is set here."""
    order = refunds["order_id"] - 1
    line_order = lines["_order"]
    starts = np.searchsorted(line_order, order)
    sizes = np.searchsorted(line_order, order, side="right") - starts
    full = refunds["reason"] == "Returned"
    named = ~full & (rng.random(len(order)) < NAMED_PARTIAL_SHARE)
    money_only = ~full & ~named
    rows = [_every_line(np.flatnonzero(full), starts, sizes, lines)]
    rows.append(_one_line(rng, np.flatnonzero(named), starts, sizes, lines, refunds, skeleton))
    rows.append(_spread(np.flatnonzero(money_only), starts, sizes, lines, refunds))
    refund, line, units, amount = (np.concatenate(parts) for parts in zip(*rows, strict=True))
    keep = amount > 0  # the service writes no row for a zero share
    arranged = np.lexsort((line[keep], refund[keep]))
    return {
        "id": np.arange(1, keep.sum() + 1),
        "refund_id": refunds["id"][refund[keep][arranged]],
        "order_line_id": lines["id"][line[keep][arranged]],
        "quantity": units[keep][arranged],
        "amount": amount[keep][arranged],
    }


def _expand(chosen: np.ndarray, starts: np.ndarray, sizes: np.ndarray):
    """Each chosen refund repeated once per line of its order, beside that line."""
    counts = sizes[chosen]
    refund = np.repeat(chosen, counts)
    offset = np.arange(len(refund)) - np.repeat(np.cumsum(counts) - counts, counts)
    return refund, starts[refund] + offset


def _every_line(chosen, starts, sizes, lines):
    refund, line = _expand(chosen, starts, sizes)
    return refund, line, lines["quantity"][line], lines["_net"][line]


def _one_line(rng, chosen, starts, sizes, lines, refunds, skeleton):
    line = starts[chosen] + (rng.random(len(chosen)) * sizes[chosen]).astype(np.int64)
    quantity = lines["quantity"][line]
    units = 1 + (rng.random(len(chosen)) * quantity).astype(np.int64)
    amount = lines["_net"][line] * units // quantity
    refunds["amount"][chosen] = amount
    refunds["reason"][chosen] = "Item returned"
    order = refunds["order_id"][chosen] - 1
    merchandise = skeleton["subtotal"][order] - skeleton["discount"][order]
    skeleton["status"][order[amount == merchandise]] = "refunded"  # all of it came back
    return chosen, line, units, amount


def _spread(chosen, starts, sizes, lines, refunds):
    refund, line = _expand(chosen, starts, sizes)
    segment = np.repeat(np.arange(len(chosen)), sizes[chosen])
    amount = spread_by_segment(refunds["amount"][chosen], lines["_net"][line], segment)
    return refund, line, np.zeros(len(line), dtype=np.int64), amount
