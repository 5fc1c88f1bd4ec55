"""Faults survived: the database goes away and comes back; a batch fails half-way."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import Order
from tests.conftest import app_config
from tests.factories import OrderFactory, UserFactory
from tests.integration.browser import live_server
from tests.integration.http import call, create_token, exchange, post
from tests.integration.throwaway_postgres import throwaway_postgres


class Browser:
    """A signed-in staff member's cookies, over real HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture
def own_postgres():
    with throwaway_postgres() as server:
        yield server


def test_database_stops_and_returns_everything_recovers_by_itself(own_postgres, tmp_path):
    app = create_app(app_config(own_postgres.url, INSTANCE_PATH=str(tmp_path)))
    with app.app_context():
        upgrade()
        UserFactory(email="staff@shop.test", role="viewer")
        OrderFactory()
        db.session.commit()
        token = create_token(app.test_cli_runner())
        db.session.remove()  # the test itself holds no connection across the outage
        with live_server(app) as base:
            staff = Browser(base)
            assert (
                staff.open(
                    "/login", {"email": "staff@shop.test", "password": "correct horse battery"}
                )[0]
                == 200
            )
            assert call(f"{base}/healthz")[0] == 200
            assert call(f"{base}/api/v1/kpis?days=7", token)[0] == 200

            own_postgres.stop()
            status, headers, body = exchange("GET", f"{base}/healthz")
            assert (status, body["status"], headers["Retry-After"]) == (503, "unavailable", "30")
            status, body = call(f"{base}/api/v1/kpis?days=7", token)
            assert status == 503 and "database" in body["error"]
            status, kind, page = staff.open("/analytics/dashboard/")
            assert status == 503 and kind.startswith("text/html")
            assert "not answering" in page and "Traceback" not in page and "psycopg" not in page

            own_postgres.start()  # no restart of the app: the pool reconnects (pre-ping)
            assert call(f"{base}/healthz")[0] == 200
            status, body = call(f"{base}/api/v1/kpis?days=7", token)
            assert status == 200
            assert staff.open("/analytics/dashboard/")[0] == 200
        db.engine.dispose()


def test_a_batch_that_fails_half_way_writes_nothing(own_postgres, tmp_path):
    """The database itself refuses one order in the middle of the batch (a trigger)."""
    app = create_app(app_config(own_postgres.url, INSTANCE_PATH=str(tmp_path)))
    with app.app_context():
        upgrade()
        db.session.execute(
            sa.text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.external_id = 'B-50' THEN RAISE EXCEPTION 'disk full (simulated)'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        db.session.execute(
            sa.text(
                "CREATE TRIGGER poison BEFORE INSERT ON orders FOR EACH ROW "
                "EXECUTE FUNCTION refuse_poison()"
            )
        )
        db.session.commit()
        token = create_token(app.test_cli_runner(), "write")
        batch = {
            "orders": [
                {
                    "external_id": f"B-{n}",
                    "customer_id": f"C-{n}",
                    "placed_at": "2026-03-10T10:00:00+00:00",
                    "subtotal": 1_000,
                }
                for n in range(1, 101)
            ]
        }
        with live_server(app) as base:
            status, body = post(f"{base}/api/v1/orders", batch, token)
        assert status == 500 and "Traceback" not in json.dumps(body)
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0
        counts = db.session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM payments),"
                " (SELECT count(*) FROM daily_analytics_snapshots),"
                " (SELECT count(*) FROM conversion_events)"
            )
        ).one()
        assert tuple(counts) == (0, 0, 0, 0)
        db.session.remove()
        db.engine.dispose()
