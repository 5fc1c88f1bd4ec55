"""Load mix for `make load`: staff dashboard callbacks, API reads and batch ingestion, and a
probe that measures freshness: from an order's 201 to figures whose `X-Figures-As-Of` says
they include it.

Credentials come from the environment (load/run.sh creates them): LOAD_EMAIL, LOAD_PASSWORD,
LOAD_READ_TOKEN, LOAD_WRITE_TOKEN. Each kind is named in the statistics, so the report gives
requests per second and p50/p95/p99 per kind.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from datetime import UTC, datetime

from locust import HttpUser, between, task

RANGE = os.environ.get("LOAD_RANGE", "?start=2026-10-02&end=2026-10-31")
PAGES = {  # page path -> the url properties its callbacks read
    "dashboard": "/analytics/dashboard/",
    "revenue-streams": "/analytics/revenue-streams/",
    "customers": "/analytics/customers/",
    "funnel": "/analytics/funnel/",
}
BATCH = int(os.environ.get("LOAD_BATCH", "100"))
_sequence = itertools.count()


def _outputs(spec: str) -> list[dict] | dict:
    """Dash's output string ("..a.b...c.d.." or "a.b") as the renderer sends it."""

    def one(text: str) -> dict:
        component, _, prop = text.rpartition(".")
        return {"id": component, "property": prop}

    if spec.startswith(".."):
        return [one(part) for part in spec.strip(".").split("...")]
    return one(spec)


class StaffUser(HttpUser):
    """A signed-in manager clicking through the pages: page-level callbacks only."""

    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        page = self.client.get("/login", name="login page").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        form = {"email": os.environ["LOAD_EMAIL"], "password": os.environ["LOAD_PASSWORD"]}
        if token:
            form["csrf_token"] = token.group(1)
        self.client.post("/login", data=form, name="login")
        self.client.get("/analytics/dashboard/" + RANGE, name="page load")
        dependencies = self.client.get("/analytics/_dash-dependencies", name="dash deps").json()
        self.callbacks = [
            dep
            for dep in dependencies
            if dep["inputs"]
            and all(i["id"] == "url" for i in dep["inputs"])
            and not dep.get("state")
            and any(dep["output"].strip(".").startswith(slug) for slug in PAGES)
        ]

    def _call(self, dep: dict) -> None:
        slug = next(s for s in PAGES if dep["output"].strip(".").startswith(s))
        values = {"search": RANGE, "pathname": PAGES[slug], "href": PAGES[slug] + RANGE}
        inputs = [
            {"id": "url", "property": i["property"], "value": values[i["property"]]}
            for i in dep["inputs"]
        ]
        body = {
            "output": dep["output"],
            "outputs": _outputs(dep["output"]),
            "inputs": inputs,
            "changedPropIds": [f"url.{inputs[0]['property']}"],
            "state": [],
        }
        headers = {"X-CSRFToken": self.client.cookies.get("_csrf_token", "")}
        with self.client.post(
            "/analytics/_dash-update-component",
            json=body,
            headers=headers,
            name=f"callback {slug}",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task
    def open_pages(self) -> None:
        for dep in self.callbacks:
            self._call(dep)


class ApiReader(HttpUser):
    weight = 3
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['LOAD_READ_TOKEN']}"

    @task(3)
    def kpis(self) -> None:
        self.client.get(f"/api/v1/kpis{RANGE}", name="api kpis")

    @task(3)
    def daily(self) -> None:
        self.client.get(f"/api/v1/daily{RANGE}", name="api daily")

    @task(2)
    def channels(self) -> None:
        self.client.get(f"/api/v1/channels{RANGE}", name="api channels")

    @task(2)
    def customers(self) -> None:
        self.client.get("/api/v1/customers?per_page=50", name="api customers")

    @task(1)
    def segments(self) -> None:
        self.client.get("/api/v1/segments", name="api segments")


class Ingester(HttpUser):
    """An order system pushing batches of new orders (today's date, fresh ids)."""

    weight = 1
    wait_time = between(0.5, 1.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['LOAD_WRITE_TOKEN']}"
        self.prefix = uuid.uuid4().hex[:8]

    @task
    def push_batch(self) -> None:
        batch = next(_sequence)
        orders = [
            {
                "external_id": f"LOAD-{self.prefix}-{batch}-{n}",
                "customer_id": f"LOAD-C-{(batch * BATCH + n) % 5000}",
                "placed_at": "2026-10-31T15:00:00+00:00",
                "subtotal": 2_500 + n,
                "channel": "web",
            }
            for n in range(BATCH)
        ]
        with self.client.post(
            "/api/v1/orders",
            json={"orders": orders},
            name=f"ingest batch of {BATCH}",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


FRESHNESS_TIMEOUT_SECONDS = 60


class FreshnessProbe(HttpUser):
    """Two probes: post one order, then poll a read until its figures say they include it."""

    fixed_count = 2
    wait_time = between(1.0, 2.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['LOAD_WRITE_TOKEN']}"
        self.prefix = uuid.uuid4().hex[:8]
        self.sequence = itertools.count()

    @task
    def probe(self) -> None:
        number = next(self.sequence)
        order = {
            "external_id": f"FRESH-{self.prefix}-{number}",
            "customer_id": f"FRESH-C-{self.prefix}-{number}",
            "placed_at": "2026-10-31T16:00:00+00:00",
            "subtotal": 1_234,
        }
        with self.client.post(
            "/api/v1/orders", json=order, name="freshness order", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}")
                return
        written, started = datetime.now(UTC), time.perf_counter()
        while time.perf_counter() - started < FRESHNESS_TIMEOUT_SECONDS:
            answer = self.client.get(f"/api/v1/kpis{RANGE}", name="freshness poll")
            as_of = answer.headers.get("X-Figures-As-Of")
            if as_of and datetime.fromisoformat(as_of) >= written:
                break
            time.sleep(0.1)
        elapsed = (time.perf_counter() - started) * 1000
        timed_out = elapsed >= FRESHNESS_TIMEOUT_SECONDS * 1000
        self.environment.events.request.fire(
            request_type="FRESH",
            name="freshness: commit to figures",
            response_time=elapsed,
            response_length=0,
            exception=RuntimeError("figures never caught up") if timed_out else None,
            context={},
        )
