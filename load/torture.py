"""The write-path torture test: many writers at once against gunicorn, then every figure checked.

gunicorn runs with 4 workers and the scheduler process refreshes every half second. Eight
clients post overlapping order batches (shared customers, a campaign's coupon, days weeks
back), race full and partial refunds and resent refund ids on shared orders, race "complete"
against "cancel" on shared pending orders, and post visits whose page views arrive late;
meanwhile a CSV import, a backfill and the nightly job run as their own processes. Two
orders in three carry lines: every client returns a unit of the same line at once, and one
client changes product costs (a first cost backdated over earlier sales among them) while
the others' batches name those products. Then the
refresher is drained and `flask analytics verify` compares every derived table with a
from-scratch recompute; no order may be refunded beyond its merchandise, purchase events must
match the final statuses, and no request may have answered 5xx.

    python -m load.torture                                   # SQLite, in a temporary folder
    python -m load.torture --database-url postgresql://…     # an empty PostgreSQL database
    python -m load.torture --rounds 60                       # a longer run

The CI test (tests/integration/test_torture.py) runs it smaller on both databases.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLIENTS = 8
WORKERS = 4
CAMPAIGN_CODE = "TORTURE"
REFUNDED_OVER = """
SELECT o.external_id, o.subtotal - o.discount AS merchandise, SUM(r.amount) AS refunded
FROM orders o JOIN refunds r ON r.order_id = o.id
GROUP BY o.id, o.external_id, o.subtotal, o.discount
HAVING SUM(r.amount) > o.subtotal - o.discount
"""
PURCHASES_WRONG = """
SELECT o.external_id, o.status, COUNT(e.id) AS purchases
FROM orders o LEFT JOIN conversion_events e ON e.order_id = o.id AND e.event_type = 'purchase'
WHERE o.external_id LIKE 'T-%' OR o.external_id LIKE 'CSV-%'
GROUP BY o.id, o.external_id, o.status
HAVING COUNT(e.id) <> CASE WHEN o.status IN ('completed', 'refunded') THEN 1 ELSE 0 END
"""
# Every line rule that must hold whatever the race: lines add up to their order, no line
# gives back more than it sold, every refund of an order with lines is spread over them to
# the cent, and no line lacks a cost that was in force at its sale.
LINE_PROBLEMS = """
SELECT 'lines do not add up', o.external_id FROM orders o JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id, o.external_id, o.subtotal, o.discount
HAVING SUM(l.quantity * l.unit_price) <> o.subtotal OR SUM(l.discount) <> o.discount
UNION ALL
SELECT 'line gave back too much', CAST(l.id AS VARCHAR(20)) FROM order_lines l
JOIN refund_lines rl ON rl.order_line_id = l.id
GROUP BY l.id, l.quantity, l.unit_price, l.discount
HAVING SUM(rl.quantity) > l.quantity OR SUM(rl.amount) > l.quantity * l.unit_price - l.discount
UNION ALL
SELECT 'refund not on its lines', r.external_id FROM refunds r
WHERE EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = r.order_id)
AND r.amount <> (SELECT COALESCE(SUM(rl.amount), 0) FROM refund_lines rl WHERE rl.refund_id = r.id)
UNION ALL
SELECT 'line without the cost in force', o.external_id FROM order_lines l
JOIN orders o ON o.id = l.order_id
WHERE l.unit_cost IS NULL AND EXISTS (
  SELECT 1 FROM product_costs c WHERE c.product_id = l.product_id
  AND c.effective_from <= o.placed_at)
"""
NET_BY_DAY = """
SELECT d, SUM(v) FROM (
  SELECT business_date AS d, subtotal - discount AS v FROM orders
  WHERE status IN ('completed', 'refunded')
  UNION ALL SELECT business_date, -amount FROM refunds
) AS movements GROUP BY d
"""


@dataclass
class Tally:
    """What every request answered, by kind."""

    answers: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server_errors: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.answers[(kind, status)] += 1
            if status >= 500:
                self.server_errors.append(f"{kind} {status} {detail[:300]}")

    def by_kind(self) -> dict[str, dict[str, int]]:
        kinds: dict[str, dict[str, int]] = {}
        for (kind, status), count in sorted(self.answers.items()):
            kinds.setdefault(kind, {})[str(status)] = count
        return kinds


class Client:
    """One order system talking to the API over real HTTP."""

    def __init__(self, base: str, token: str, tally: Tally) -> None:
        self.base, self.token, self.tally = base, token, tally

    def send(self, kind: str, path: str, body: object) -> tuple[int, object]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                status, text = error.code, error.read().decode()
        self.tally.record(kind, status, text)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


# --- the shared universe: every client derives the same content for the same id --------


def placed_at(number: int, now: datetime) -> datetime:
    """Spread over the last six weeks; some land on days the backfill is rewriting."""
    return now - timedelta(days=number % 42, hours=number % 9, minutes=number % 60)


def order_record(number: int, now: datetime) -> dict:
    status = "pending" if number % 5 == 0 else "completed"
    record = {
        "external_id": f"T-{number}",
        "customer_id": f"TC-{number % 97}",
        "placed_at": placed_at(number, now).isoformat(),
        "subtotal": 1_000 + (number * 37) % 9_000,
        "discount": (number % 4) * 100,
        "tax": 80,
        "channel": ("web", "mobile_app", "marketplace", "pos", "phone", "social")[number % 6],
        "status": status,
    }
    if number % 7 == 0:
        record["coupon_code"] = CAMPAIGN_CODE.lower()
    if number % 3:
        record["lines"] = order_lines(number, record["subtotal"])
    return record


def order_lines(number: int, subtotal: int) -> list[dict]:
    """Two products, adding up to the subtotal; TP-4 and TP-5 have no cost until a client
    posts one, backdated, while orders naming them keep arriving."""
    unit = subtotal // 5
    first, second = f"TP-{number % 6}", f"TP-{(number + 1) % 6}"
    return [
        {"product_id": first, "quantity": 2, "unit_price": unit, "name": f"Product {first}"},
        {"product_id": second, "quantity": 1, "unit_price": subtotal - 2 * unit},
    ]


def cost_change(round_number: int, now: datetime) -> dict:
    """Costs of every product: TP-0…3 change each round; TP-4 and TP-5 get their first cost
    in round 1, dated before every order, so the lines sold without it must take it."""
    products = [
        {
            "product_id": f"TP-{k}",
            "name": f"Product TP-{k}",
            "unit_cost": 100 + 10 * round_number + k,
        }
        for k in range(4)
    ]
    if round_number == 1:
        products += [
            {
                "product_id": f"TP-{k}",
                "name": f"Product TP-{k}",
                "unit_cost": 300 + k,
                "cost_from": (now - timedelta(days=90)).isoformat(),
            }
            for k in (4, 5)
        ]
    return {"products": products}


def visit(session: int, now: datetime, late: bool) -> list[dict]:
    """A visit; the late variant is a page view an hour before the visit's first one."""
    start = now - timedelta(days=session % 20, hours=2)
    if late:
        return [
            {
                "event_id": f"TE-{session}-early",
                "type": "page_view",
                "session_id": f"TS-{session}",
                "occurred_at": (start - timedelta(days=session % 3, hours=1)).isoformat(),
                "page": "/landing",
                "channel": "web",
            }
        ]
    steps = ("page_view", "product_view", "add_to_cart", "checkout")[: 1 + session % 4]
    return [
        {
            "event_id": f"TE-{session}-{n}",
            "type": step,
            "session_id": f"TS-{session}",
            "occurred_at": (start + timedelta(minutes=3 * n)).isoformat(),
            "page": f"/{step}",
            "channel": "web",
        }
        for n, step in enumerate(steps)
    ]


def batch_numbers(client: int, round_number: int, pool: int) -> list[int]:
    """The orders a client sends in a round: neighbouring clients share half of them."""
    first = (client * pool // CLIENTS + round_number * 7) % pool
    return sorted({(first + k) % pool for k in range(20)})


def race(client: Client, index: int, round_number: int, pool: int, now: datetime) -> None:
    """Every client at once on the same orders: refunds of the same order (some with the
    same refund id), and "complete" against "cancel" of the same pending order."""
    targets = batch_numbers(0, round_number, pool)  # client 0 has sent them by now
    completed = [n for n in targets if order_record(n, now)["status"] == "completed"][:3]
    pending = [n for n in targets if order_record(n, now)["status"] == "pending"][:2]
    for number in completed:
        record = order_record(number, now)
        merchandise = record["subtotal"] - record["discount"]
        refunded_at = (placed_at(number, now) + timedelta(hours=1)).isoformat()
        # Half the clients send the full refund under one shared id, half under their own.
        full_id = f"RF-{number}" if index % 2 else f"RF-{number}-{index}"
        full = {"refund_id": full_id, "amount": merchandise, "refunded_at": refunded_at}
        part = {
            "refund_id": f"RP-{number}",
            "amount": merchandise // 3 or 1,
            "refunded_at": refunded_at,
        }
        pair = [("refund full", full), ("refund resent id", part)]
        for kind, refund in pair if index % 4 < 2 else pair[::-1]:
            client.send(kind, f"/api/v1/orders/T-{number}/refunds", refund)
        if index == round_number % CLIENTS:
            client.send("cancel", f"/api/v1/orders/T-{number}/status", {"status": "cancelled"})
        # Every client returns one unit of the same line: two units, so two succeed.
        if "lines" in record:
            one_back = {
                "refund_id": f"RL-{number}-{index}",
                "amount": 1,
                "refunded_at": refunded_at,
                "lines": [{"line_number": 1, "quantity": 1, "amount": 1}],
            }
            client.send("refund line", f"/api/v1/orders/T-{number}/refunds", one_back)
    for number in pending:
        status = "completed" if index % 2 else "cancelled"
        client.send("status change", f"/api/v1/orders/T-{number}/status", {"status": status})


def client_rounds(
    client: Client, index: int, rounds: int, pool: int, now: datetime, barrier: threading.Barrier
) -> None:
    for round_number in range(rounds):
        numbers = batch_numbers(index, round_number, pool)
        orders = [order_record(n, now) for n in numbers]
        if index == CLIENTS - 1:
            # While the other clients' batches name the same products.
            client.send("cost change", "/api/v1/products", cost_change(round_number, now))
        client.send("orders batch", "/api/v1/orders", {"orders": orders})
        barrier.wait()
        race(client, index, round_number, pool, now)
        sessions = [index * 1_000 + round_number, (index + 1) % CLIENTS * 1_000 + round_number]
        events = [e for s in sessions for e in visit(s, now, late=False)]
        client.send("events batch", "/api/v1/events", {"events": events})
        late = [e for s in sessions[:1] for e in visit(s - 1, now, late=True)]
        client.send("late page view", "/api/v1/events", {"events": late})


# --- the processes ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database_url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "torture-test-secret-key",
        "INSTANCE_PATH": str(instance),
        "SHOP_TIMEZONE": "America/New_York",
        "API_RATE_LIMIT": "1000000 per minute",
        "LOG_LEVEL": "WARNING",
        "REFRESH_INTERVAL_SECONDS": "0.5",
        "FLASK_APP": "app",
    }


def flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _wait_for_server(base: str, process: subprocess.Popen) -> None:
    for _ in range(240):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError("gunicorn did not start")


def csv_file(folder: Path, rows: int, now: datetime) -> Path:
    """Orders for the import process: some new, some the clients also send (same content)."""
    path = folder / "import.csv"
    lines = ["order_id,customer_id,placed_at,total,discount,channel,status,refunded"]
    for number in range(rows):
        when = (now - timedelta(days=number % 30, hours=3)).isoformat()
        refunded = "2.00" if number % 10 == 0 else ""
        lines.append(f"CSV-{number},TC-{number % 97},{when},25.00,1.00,web,completed,{refunded}")
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Outcome:
    seconds: float
    requests: dict
    server_errors: list[str]
    import_result: str
    backfill_result: str
    nightly_result: str
    verify_output: str
    verify_ok: bool
    over_refunded: list
    line_problems: list
    purchase_mismatches: list
    net_revenue_mismatches: list
    orders: int
    refunds: int
    statuses: dict

    @property
    def passed(self) -> bool:
        return (
            self.verify_ok
            and not self.server_errors
            and not self.over_refunded
            and not self.line_problems
            and not self.purchase_mismatches
            and not self.net_revenue_mismatches
        )


def run(database_url: str, rounds: int, pool: int, csv_rows: int, instance: Path) -> Outcome:
    """The whole torture run against an empty, migrated-or-not database; returns what it saw."""
    env = _environment(database_url, instance)
    flask(env, "db", "upgrade")
    flask(env, "demo", "seed", "--orders", "1500", "--days", "60", "--reset")
    token = flask(env, "tokens", "create", "--name", "torture", "--scope", "write").stdout.split()[
        -1
    ]
    now = datetime.now(UTC) - timedelta(minutes=5)
    tally = Tally()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    logs = [(instance / name).open("w") for name in ("gunicorn.log", "scheduler.log")]
    gunicorn = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(WORKERS)]
    server = subprocess.Popen(
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    scheduler = subprocess.Popen(
        [sys.executable, "scheduler.py"],
        cwd=ROOT,
        env={**env, "NIGHTLY_AT": "off"},
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    started = time.perf_counter()
    try:
        _wait_for_server(base, server)
        setup = Client(base, token, tally)
        campaign = {
            "name": "Torture",
            "code": CAMPAIGN_CODE,
            "status": "active",
            "spend": 50_000,
            "starts_on": (now - timedelta(days=45)).date().isoformat(),
        }
        setup.send("campaign", "/api/v1/campaigns", campaign)
        side = {}
        side_jobs = [
            ("import", ("import", "orders", str(csv_file(instance, csv_rows, now)))),
            (
                "backfill",
                ("analytics", "backfill", "--start", (now - timedelta(days=50)).date().isoformat()),
            ),
            ("nightly", ("analytics", "update")),
        ]

        def side_job(name: str, args: tuple[str, ...], delay: float) -> None:
            time.sleep(delay)
            result = flask(env, *args, check=False)
            side[name] = (
                f"exit {result.returncode}: {(result.stdout + result.stderr).strip()[-300:]}"
            )

        threads = [
            threading.Thread(target=side_job, args=(name, args, 0.5 + 1.5 * n))
            for n, (name, args) in enumerate(side_jobs)
        ]
        for thread in threads:
            thread.start()
        barrier = threading.Barrier(CLIENTS, timeout=300)
        with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
            list(
                clients.map(
                    lambda index: client_rounds(
                        Client(base, token, tally), index, rounds, pool, now, barrier
                    ),
                    range(CLIENTS),
                )
            )
        for thread in threads:
            thread.join()
    finally:
        for process in (scheduler, server):
            process.terminate()
        for process in (scheduler, server):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
    seconds = time.perf_counter() - started
    flask(env, "analytics", "refresh")
    checked = flask(env, "analytics", "verify", check=False)
    engine = sa.create_engine(_sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            over = [tuple(row) for row in connection.execute(sa.text(REFUNDED_OVER))]
            purchases = [tuple(row) for row in connection.execute(sa.text(PURCHASES_WRONG))]
            line_problems = [tuple(row) for row in connection.execute(sa.text(LINE_PROBLEMS))]
            net_by_day = {
                str(day): int(net) for day, net in connection.execute(sa.text(NET_BY_DAY))
            }
            reported = {
                str(day): int(net)
                for day, net in connection.execute(
                    sa.text("SELECT business_date, net_revenue FROM daily_analytics_snapshots")
                )
            }
            orders = connection.scalar(sa.text("SELECT count(*) FROM orders"))
            refunds = connection.scalar(sa.text("SELECT count(*) FROM refunds"))
            statuses = dict(
                connection.execute(
                    sa.text("SELECT status, count(*) FROM orders GROUP BY status")
                ).all()
            )
    finally:
        engine.dispose()
    wrong_days = [
        (day, net, reported.get(day, 0))
        for day, net in sorted(net_by_day.items())
        if net != reported.get(day, 0)
    ]
    return Outcome(
        seconds=seconds,
        requests=tally.by_kind(),
        server_errors=tally.server_errors,
        import_result=side.get("import", "did not run"),
        backfill_result=side.get("backfill", "did not run"),
        nightly_result=side.get("nightly", "did not run"),
        verify_output=checked.stdout + checked.stderr,
        verify_ok=checked.returncode == 0,
        over_refunded=over,
        line_problems=line_problems,
        purchase_mismatches=purchases,
        net_revenue_mismatches=wrong_days,
        orders=orders,
        refunds=refunds,
        statuses=statuses,
    )


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def report(outcome: Outcome) -> str:
    lines = [f"torture run: {outcome.seconds:.1f} s, {'PASSED' if outcome.passed else 'FAILED'}"]
    lines.append(f"orders {outcome.orders:,} ({outcome.statuses}), refunds {outcome.refunds:,}")
    for kind, statuses in outcome.requests.items():
        lines.append(f"  {kind:<18} " + ", ".join(f"{s}: {n}" for s, n in statuses.items()))
    lines += [
        f"import:   {outcome.import_result}",
        f"backfill: {outcome.backfill_result}",
        f"nightly:  {outcome.nightly_result}",
        outcome.verify_output.rstrip(),
        f"5xx answers: {len(outcome.server_errors)}; over-refunded orders: "
        f"{len(outcome.over_refunded)}; purchase events off: {len(outcome.purchase_mismatches)}; "
        f"days whose net revenue differs from the orders: {len(outcome.net_revenue_mismatches)}; "
        f"line rules broken: {len(outcome.line_problems)}",
    ]
    lines += [f"  {problem}: {subject}" for problem, subject in outcome.line_problems[:10]]
    lines += outcome.server_errors[:10]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--rounds", type=int, default=40, help="rounds per client")
    parser.add_argument("--pool", type=int, default=400, help="orders the clients share")
    parser.add_argument("--csv-rows", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storefront-torture-") as folder:
        url = args.database_url or f"sqlite:///{folder}/torture.sqlite"
        outcome = run(url, args.rounds, args.pool, args.csv_rows, Path(folder))
    print(report(outcome))
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
