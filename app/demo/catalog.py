"""The demo catalog: products in a dozen categories, their dated costs and list prices.

Each category has its own margin and season; some products have an accessory that is often
bought with them (a camera and its memory card), so the demo's pairs have a real lift. Costs
change a few times over the shop's life, and a few products have no cost, or get one late,
so the share of revenue whose cost is known is below 100%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.demo.campaigns import PLANS
from app.demo.clock import DAY
from app.demo.generator import Columns


@dataclass(frozen=True)
class Category:
    name: str
    code: str
    weight: float  # share of lines before the season
    cost_ratio: float  # unit cost / list price
    peak_month: float  # 1–12; its season peaks here
    season: float  # how much busier the peak month is than the rest (0: no season)
    refill: float  # chance of buying more than one unit
    brands: tuple[str, ...]
    items: tuple[tuple[str, int], ...]  # (item, list price in cents)


# fmt: off
CATEGORIES = (
    Category("Coffee & Tea", "COF", 1.3, 0.42, 1, 0.5, 0.45,
             ("Highland", "Roastery No. 7", "Lantern", "Kettle & Crane"),
             (("Espresso Beans 1 kg", 2499), ("Filter Coffee 500 g", 1299), ("Green Tea Tin", 899),
              ("Chai Blend", 1099), ("Decaf Beans 500 g", 1399), ("Espresso Machine", 34999),
              ("Burr Grinder", 8999), ("Pour-Over Kettle", 4999), ("Paper Filters (100)", 499))),
    Category("Kitchen", "KIT", 1.0, 0.52, 12, 0.5, 0.1,
             ("Copperfield", "Oakline", "Maison Rue"),
             (("Chef's Knife", 5999), ("Cast Iron Pan", 4499), ("Cutting Board", 2499),
              ("Knife Sharpener", 1999), ("Mixing Bowls (3)", 2999), ("Pan Lid", 1499),
              ("Stand Mixer", 29999), ("Silicone Spatulas", 1299))),
    Category("Electronics", "ELE", 0.6, 0.72, 11.7, 1.2, 0.02,
             ("Nova", "Pulse", "Orbit", "Vantage"),
             (("Wireless Earbuds", 7999), ("Bluetooth Speaker", 5999), ("Smartwatch", 19999),
              ("E-Reader", 12999), ("Action Camera", 24999), ("Webcam", 6999),
              ("Noise-Cancelling Headphones", 22999), ("Tablet 10\"", 32999))),
    Category("Tech Accessories", "ACC", 1.0, 0.28, 12, 0.6, 0.15,
             ("Nova", "Pulse", "Orbit", "Vantage"),
             (("Earbud Case", 1499), ("Watch Strap", 1999), ("E-Reader Cover", 2499),
              ("Memory Card 128 GB", 2299), ("USB-C Cable 2 m", 1299), ("Headphone Stand", 2999),
              ("Tablet Sleeve", 2799), ("Power Bank", 3999))),
    Category("Books", "BOO", 0.9, 0.62, 12, 0.7, 0.1,
             ("Harbour Press", "Quill & Stone", "Northlight"),
             (("Cookbook", 2999), ("Travel Guide", 1999), ("Crime Novel", 1299),
              ("Children's Picture Book", 1199), ("Notebook Journal", 1499),
              ("Gardening Handbook", 2499), ("Coffee Atlas", 3499), ("Puzzle Book", 899))),
    Category("Stationery", "STA", 0.7, 0.35, 8.8, 1.5, 0.35,
             ("Inkwell", "Paperfold", "Atelier"),
             (("Fountain Pen", 3999), ("Ink Cartridges (12)", 799), ("Gel Pens (10)", 999),
              ("A5 Notebook", 1299), ("Sketchbook", 1599), ("Desk Organiser", 2499),
              ("School Backpack", 4999), ("Pencil Case", 1199))),
    Category("Toys & Games", "TOY", 0.8, 0.50, 12, 2.0, 0.05,
             ("Tinker", "Bramble", "Sunny Days"),
             (("Wooden Train Set", 4999), ("Building Blocks (500)", 3999), ("Board Game", 3499),
              ("Jigsaw Puzzle 1000", 1999), ("Plush Bear", 2499), ("Remote-Control Car", 5999),
              ("AA Batteries (8)", 799), ("Art Set", 2999))),
    Category("Beauty", "BEA", 1.0, 0.30, 2.5, 0.4, 0.3,
             ("Lumen", "Verdant", "Aurelie"),
             (("Face Serum", 3499), ("Hand Cream", 999), ("Shampoo", 1299), ("Conditioner", 1299),
              ("Lip Balm", 499), ("Eau de Parfum", 6999), ("Body Lotion", 1599),
              ("Make-Up Brushes", 2999))),
    Category("Apparel", "APP", 1.1, 0.40, 10, 0.3, 0.15,
             ("Fieldhouse", "Linnea", "North & Pine"),
             (("Merino Sweater", 8999), ("Cotton T-Shirt", 2499), ("Rain Jacket", 11999),
              ("Wool Socks (3 pairs)", 1999), ("Beanie", 2299), ("Scarf", 2999),
              ("Chinos", 6999), ("Leather Belt", 3999))),
    Category("Garden", "GAR", 0.7, 0.48, 5, 1.8, 0.25,
             ("Greenway", "Fernhill", "Potting Shed"),
             (("Garden Hose 25 m", 3999), ("Hose Nozzle", 1299), ("Pruning Shears", 2999),
              ("Seed Collection", 1499), ("Terracotta Pots (3)", 2499), ("Raised Bed Kit", 8999),
              ("Compost 40 L", 999), ("Garden Gloves", 1299))),
    Category("Sports & Outdoors", "SPO", 0.8, 0.55, 7, 1.0, 0.1,
             ("Summit", "Tidal", "Trailhead"),
             (("Running Shoes", 11999), ("Running Socks (3 pairs)", 1599), ("Yoga Mat", 3999),
              ("Water Bottle", 1999), ("Two-Person Tent", 18999), ("Sleeping Bag", 8999),
              ("Head Torch", 2999), ("Hiking Backpack 30 L", 8999))),
    Category("Pet Supplies", "PET", 0.9, 0.58, 6, 0.2, 0.5,
             ("Waggle", "Purrfect", "Good Paws"),
             (("Dry Dog Food 5 kg", 3499), ("Dog Treats", 699), ("Cat Food (12 tins)", 1499),
              ("Cat Litter 10 L", 1199), ("Dog Bed", 5999), ("Chew Toy", 999),
              ("Scratching Post", 3999), ("Dog Lead", 1999))),
)
# fmt: on
SUBSCRIPTIONS = Category("Subscriptions", "SUB", 0.0, 0.55, 1, 0.0, 0.0, ("Storefront",), ())
# Item → its accessory: the pairs the demo's baskets favour.
ACCESSORIES = {
    "Espresso Machine": "Espresso Beans 1 kg",
    "Burr Grinder": "Filter Coffee 500 g",
    "Pour-Over Kettle": "Paper Filters (100)",
    "Cast Iron Pan": "Pan Lid",
    "Chef's Knife": "Knife Sharpener",
    "Wireless Earbuds": "Earbud Case",
    "Smartwatch": "Watch Strap",
    "E-Reader": "E-Reader Cover",
    "Action Camera": "Memory Card 128 GB",
    "Noise-Cancelling Headphones": "Headphone Stand",
    'Tablet 10"': "Tablet Sleeve",
    "Fountain Pen": "Ink Cartridges (12)",
    "Remote-Control Car": "AA Batteries (8)",
    "Shampoo": "Conditioner",
    "Garden Hose 25 m": "Hose Nozzle",
    "Running Shoes": "Running Socks (3 pairs)",
    "Two-Person Tent": "Sleeping Bag",
    "Dry Dog Food 5 kg": "Dog Treats",
}
BRANDS_PER_ITEM = 3
ACCESSORY_CHANCE = 0.35
NO_COST_SHARE = 0.04  # never costed (e.g. consignment stock)
LATE_COST_SHARE = 0.06  # costed only some months into the shop's history


@dataclass
class Catalog:
    """The products and their dated costs and prices, plus what steers basket generation."""

    products: Columns
    costs: Columns  # product_costs rows, by product then effective_from
    prices: Columns  # list price rows (product, from, price), same order
    category: np.ndarray  # category index of each product (position = id − 1)
    popularity: np.ndarray  # within its category
    accessory: np.ndarray  # product index of its accessory, −1: none
    plan_product: np.ndarray  # product index of each subscription plan


def _list_price(cents: np.ndarray) -> np.ndarray:
    """Shop prices end in 99: 2999, 1299; never below 199."""
    return np.maximum(np.round(cents / 100).astype(np.int64) * 100 - 1, 199)


def _describe(rng: np.random.Generator) -> tuple[list, list, list, list]:
    names, categories, base_prices, items = [], [], [], []
    for index, category in enumerate(CATEGORIES):
        for item, price in category.items:
            brands = rng.choice(len(category.brands), size=BRANDS_PER_ITEM, replace=False)
            for brand in sorted(brands):
                premium = 0.8 + 0.2 * brand  # later brands in the list sell dearer
                names.append(f"{category.brands[brand]} {item}")
                categories.append(index)
                base_prices.append(price * premium * rng.uniform(0.9, 1.1))
                items.append(item)
    for name, amount, _months in PLANS:
        names.append(name)
        categories.append(len(CATEGORIES))
        base_prices.append(amount)
        items.append(name)
    return names, categories, base_prices, items


def make_catalog(rng: np.random.Generator, start_utc: int, end_utc: int) -> Catalog:
    """About 300 products; costs and prices dated from before the shop opened to its end."""
    names, categories, base_prices, items = _describe(rng)
    count = len(names)
    category = np.array(categories)
    every = (*CATEGORIES, SUBSCRIPTIONS)
    plans = np.flatnonzero(category == len(CATEGORIES))
    price = _list_price(np.array(base_prices))
    price[plans] = [amount for _, amount, _ in PLANS]  # a renewal costs exactly its plan
    ratio = np.array([every[c].cost_ratio for c in category]) * rng.uniform(0.9, 1.1, count)
    first_cost = np.round(price * ratio).astype(np.int64)
    popularity = rng.pareto(1.5, size=count) + 0.2
    popularity *= (price / np.median(price)) ** -1.0  # dearer things sell less often
    by_item: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_item.setdefault(item, []).append(index)
    accessory = np.full(count, -1)
    for index, item in enumerate(items):
        if item in ACCESSORIES:
            accessory[index] = rng.choice(by_item[ACCESSORIES[item]])
    costs, prices = _schedules(rng, price, first_cost, plans, start_utc, end_utc)
    ids = np.arange(1, count + 1)
    codes = np.array([every[c].code for c in category], dtype=object)
    created = np.datetime64(start_utc - 400 * DAY, "s")
    products = {
        "id": ids,
        "external_id": np.array([f"PRD-{i:05d}" for i in ids], dtype=object),
        "sku": np.array([f"{code}-{i:05d}" for code, i in zip(codes, ids, strict=True)]).astype(
            object
        ),
        "name": np.array(names, dtype=object),
        "category": np.array([every[c].name for c in category], dtype=object),
        "unit_cost": _current_cost(costs, count),
        "created_at": np.full(count, created),
        "updated_at": np.full(count, created),
    }
    return Catalog(products, costs, prices, category, popularity, accessory, plans)


def _schedules(
    rng: np.random.Generator,
    price: np.ndarray,
    first_cost: np.ndarray,
    plans: np.ndarray,
    start_utc: int,
    end_utc: int,
) -> tuple[Columns, Columns]:
    """Each product's first cost and price (from before the shop opened), then 1–4 dated
    changes: costs drift (mostly up) and half of each change reaches the list price."""
    count = len(price)
    changes = np.minimum(rng.poisson(1.6, size=count), 3) + 1
    changes[plans] = 0
    product = np.repeat(np.arange(count), changes + 1)
    first = np.r_[0, np.cumsum(changes + 1)[:-1]]
    step = np.arange(len(product)) - first[product]
    moment = rng.integers(start_utc, end_utc, size=len(product))
    moment[step == 0] = start_utc - rng.integers(30, 400, size=count) * DAY
    order = np.lexsort((moment, product))
    product, moment = product[order], moment[order]
    factor = rng.lognormal(0.03, 0.07, size=len(product))
    factor[step == 0] = 1.0  # `step` is still 0 exactly at each product's first row
    drift = np.exp(_segment_cumsum(np.log(factor), first))
    cost = np.round(first_cost[product] * drift).astype(np.int64)
    list_price = np.where(
        np.isin(product, plans), price[product], _list_price(price[product] * (1 + drift) / 2)
    )
    costed = np.ones(len(product), dtype=bool)
    roll = rng.random(count)
    never = (roll < NO_COST_SHARE) & ~np.isin(np.arange(count), plans)
    late = (roll >= NO_COST_SHARE) & (roll < NO_COST_SHARE + LATE_COST_SHARE) & (changes > 0)
    costed &= ~never[product]
    costed &= ~(late[product] & (step == 0))
    rows = np.arange(costed.sum())
    costs = {
        "id": rows + 1,
        "product_id": product[costed] + 1,
        "unit_cost": cost[costed],
        "effective_from": moment[costed].astype("datetime64[s]"),
        "recorded_at": moment[costed].astype("datetime64[s]"),
    }
    prices = {"product": product, "moment": moment, "price": list_price}
    return costs, prices


def _segment_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Running sum restarting at each segment's first row (segments are contiguous)."""
    total = np.cumsum(values)
    before = np.r_[0.0, total][first]
    return total - np.repeat(before, np.diff(np.r_[first, len(values)]))


def _current_cost(costs: Columns, count: int) -> np.ndarray:
    """The cost in force now: each product's latest dated cost (all have begun)."""
    product = costs["product_id"]
    last = np.r_[product[1:] != product[:-1], True]
    current = np.full(count, None, dtype=object)
    current[product[last] - 1] = costs["unit_cost"][last].astype(object)
    return current


def in_force(
    product: np.ndarray, moment: np.ndarray, at_product: np.ndarray, at_moment: np.ndarray
) -> np.ndarray:
    """Row index of the dated row in force for each (product, moment): the last row of that
    product from at or before the moment; −1 when none. Rows sorted by product, then moment."""
    shift = np.int64(1) << 34  # above every epoch second of the demo
    keys = product.astype(np.int64) * shift + moment
    found = np.searchsorted(keys, at_product.astype(np.int64) * shift + at_moment, "right") - 1
    valid = found >= 0
    valid[valid] = product[found[valid]] == at_product[valid]
    return np.where(valid, found, -1)
