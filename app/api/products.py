"""/api/v1/products: the catalog and dated costs (write token), and sales and profit by
product with daily figures (read token or staff session)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask.views import MethodView
from flask_smorest import Blueprint

from app.analytics.products import Figures, product_days, product_rows, sort_rows
from app.api.freshness import stamp_answers
from app.api.reports import date_range, money
from app.api.schemas import ProductBatch, ProductListQuery, RangeQuery
from app.api.writes import run_write, write_blueprint
from app.extensions import db, limiter
from app.models import Product, ProductCost
from app.pipeline.errors import IngestConflict
from app.pipeline.products import save_products
from app.problem import error_response
from app.security import api_caller, api_rate_limit
from app.shop import currency

blp = Blueprint(
    "products_api", __name__, url_prefix="/api/v1/products", description="Sales by product"
)
limiter.limit(api_rate_limit, key_func=api_caller)(blp)
stamp_answers(blp)
write_blp = write_blueprint(
    "products_write", __name__, "/api/v1/products", "Create and update products and costs"
)


@write_blp.route("", methods=["POST"])
class Catalog(MethodView):
    @write_blp.arguments(ProductBatch)
    @write_blp.response(201)
    def post(self, batch: dict):
        """Create or update up to 1,000 products, all or nothing. A `unit_cost` is in force
        from `cost_from` (default now); `costs` gives a dated history. Lines sold while the
        cost was unknown take a cost that covers their sale; lines that had one keep it."""

        def write():
            try:
                result = save_products(db.session, batch["products"])
            except IngestConflict as conflict:
                return error_response(
                    409, "costs conflict with ones already received", errors=conflict.conflicts
                )
            return vars(result)

        return run_write(write)


def _figures(figures: Figures, code: str) -> dict:
    amounts = ("gross", "discounts", "returns", "net_sales", "cost_of_goods", "costed_sales")
    return {
        "orders": figures.orders,
        "units": figures.units,
        "returned_units": figures.returned_units,
        **{name: money(getattr(figures, name), code) for name in amounts},
        "gross_profit": money(figures.gross_profit, code),
        "margin": figures.margin,
        "cost_known_share": figures.cost_known_share,
        "return_rate": figures.return_rate,
    }


@blp.get("")
@blp.arguments(ProductListQuery, location="query")
@blp.response(200)
def products(query: dict):
    """Products with sales or returns in the range, largest first by `sort`, with net sales
    of the previous range of equal length. Gross profit and margin cover only the sales
    whose cost is known: `cost_known_share` says how much of net sales that is."""
    days = date_range(query)
    previous = days.previous()
    rows = product_rows(db.session, days, previous)
    if query.get("category"):
        rows = [row for row in rows if row.category == query["category"]]
    code = currency()
    return {
        "start": days.start.isoformat(),
        "end": days.end.isoformat(),
        "compared_with": {"start": previous.start.isoformat(), "end": previous.end.isoformat()},
        "currency": code,
        "products": [
            {
                "product_id": row.external_id,
                "name": row.name,
                "sku": row.sku,
                "category": row.category,
                **_figures(row.figures, code),
                "previous_net_sales": money(row.previous_net_sales, code),
            }
            for row in sort_rows(rows, query["sort"])[: query["limit"]]
        ],
    }


@blp.get("/<product_id>")
@blp.arguments(RangeQuery, location="query")
@blp.response(200)
def product(query: dict, product_id: str):
    """One product: its catalog entry, its dated costs and its figures for each day."""
    found = db.session.execute(
        sa.select(Product).where(Product.external_id == product_id[:64])
    ).scalar_one_or_none()
    if found is None:
        abort(404, "no such product")
    days = date_range(query)
    code = currency()
    costs = db.session.execute(
        sa.select(ProductCost.effective_from, ProductCost.unit_cost)
        .where(ProductCost.product_id == found.id)
        .order_by(ProductCost.effective_from)
    )
    return {
        "product_id": found.external_id,
        "name": found.name,
        "sku": found.sku,
        "category": found.category,
        "unit_cost": None if found.unit_cost is None else money(found.unit_cost, code),
        "costs": [
            {"effective_from": moment.isoformat(), "unit_cost": money(cost, code)}
            for moment, cost in costs
        ],
        "start": days.start.isoformat(),
        "end": days.end.isoformat(),
        "currency": code,
        "days": [
            {"date": day.business_date.isoformat(), **_figures(day.figures, code)}
            for day in product_days(db.session, found.id, days)
        ],
    }
