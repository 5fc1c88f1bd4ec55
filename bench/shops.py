"""The bench shops: one per size, the same shop with a longer history.

Every size keeps the bench's daily order rate (1,000,000 orders over two years) and the same
100,000 customers, so a bigger shop is an older one: the nightly job's day holds the same
work at every size and only the history behind it grows. Each shop is generated once into
its own SQLite file and reused; `--rebuild` makes it again.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import Flask

from app import create_app

DATA_DIR = Path(__file__).resolve().parent / "data"
CUSTOMERS = 100_000
ORDERS_PER_DAY = 1_000_000 / 730
# A fixed end date keeps each shop the same from run to run.
END_DATE = date(2026, 10, 31)
DAY = date(2026, 10, 30)  # a busy weekday near the end, as the nightly job sees it
TODAY = END_DATE + timedelta(days=1)


@dataclass(frozen=True)
class Shop:
    name: str
    orders: int

    @property
    def days(self) -> int:
        return round(self.orders / ORDERS_PER_DAY)

    @property
    def path(self) -> Path:
        return DATA_DIR / f"shop-{self.name}.sqlite"

    @property
    def record_path(self) -> Path:
        return DATA_DIR / f"shop-{self.name}.json"

    @property
    def uri(self) -> str:
        return f"sqlite:///{self.path}"

    @property
    def first_day(self) -> date:
        return END_DATE - timedelta(days=self.days - 1)

    def built(self) -> bool:
        return self.path.exists() and self.record_path.exists()

    def record(self) -> dict:
        return json.loads(self.record_path.read_text())


SHOPS = {
    shop.name: shop
    for shop in (Shop("100k", 100_000), Shop("1m", 1_000_000), Shop("3m", 3_000_000))
}


def bench_app(uri: str) -> Flask:
    DATA_DIR.mkdir(exist_ok=True)
    return create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri, "INSTANCE_PATH": str(DATA_DIR)}
    )


def spec(shop: Shop):
    """What the generator makes for the shop (the same on every database)."""
    from app.demo import DemoSpec

    return DemoSpec.build(
        orders=shop.orders,
        customers=CUSTOMERS,
        days=shop.days,
        seed=1,
        timezone="UTC",
        end_date=END_DATE,
    )


def build(shop: Shop) -> dict:
    """Migrate an empty file and seed it, timing generation and loading apart (call this in a
    process of its own: its peak memory is the seed's)."""
    from flask_migrate import upgrade

    from app.demo import generate_shop, load_shop
    from app.extensions import db

    for leftover in DATA_DIR.glob(f"{shop.path.name}*"):
        leftover.unlink()
    shop.record_path.unlink(missing_ok=True)
    app = bench_app(shop.uri)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        generated_shop = generate_shop(spec(shop))
        generated = time.perf_counter()
        counts = load_shop(db.session, generated_shop)
        db.session.commit()
        finished = time.perf_counter()
    record = {
        "orders": shop.orders,
        "days": shop.days,
        "seed_seconds": finished - started,
        "generate_seconds": generated - started,
        "load_seconds": finished - generated,
        "rows": sum(counts.values()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "counts": counts,
    }
    shop.record_path.write_text(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        print(name, build(SHOPS[name]), flush=True)
