"""Property: every bad request to a write endpoint, and every bad CSV row, is refused with a
4xx (a JSON body naming the problem; a line error for the file) and changes no row of any
table — the same on SQLite and PostgreSQL.

Each example starts from a valid record and breaks one thing about it: a wrong type, a value
out of range or too long for its column, a control or invisible character, a reserved id, a
date that cannot be true, amounts that do not add up — or the shape of the body itself.
"""

from __future__ import annotations

import hashlib
import string

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.models import Base
from tests.factories import CampaignFactory, OrderFactory
from tests.integration.http import send
from tests.refresh import refresh

REQUESTS_PER_ENDPOINT = {
    "orders": 700,
    "status": 200,
    "refunds": 400,
    "events": 400,
    "campaign create": 200,
    "campaign update": 150,
}
CSV_FILES = 200
# The token's last use is bookkeeping, not data a refused write may not touch.
IGNORED_COLUMNS = {("api_tokens", "last_used_at")}

EXAMPLE = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def examples(count: int) -> settings:
    return settings(EXAMPLE, max_examples=count)


def fingerprint() -> str:
    """Every row of every table, hashed: equal fingerprints mean nothing was written."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.c if (table.name, c.name) not in IGNORED_COLUMNS]
        key = list(table.primary_key.columns)
        for row in db.session.execute(sa.select(*columns).order_by(*key)):
            digest.update(repr(tuple(row)).encode())
    db.session.rollback()
    return digest.hexdigest()


# --- bad values ----------------------------------------------------------------------

not_a_string = st.one_of(
    st.integers(), st.floats(allow_nan=True), st.booleans(), st.lists(st.integers(), max_size=2)
)
control = st.sampled_from(["\x00", "\x07", "\n", "\x1b", "\x7f"])
invisible = st.sampled_from(["\u200b", "\u00a0", "\u202e", "\ufeff", "\u2028"])


def broken_id(max_length: int = 64) -> st.SearchStrategy:
    plain = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=8)
    return st.one_of(
        not_a_string,
        st.just(""),
        st.just("   "),
        st.text(string.ascii_letters, min_size=max_length + 1, max_size=max_length + 40),
        st.builds(lambda a, c, b: a + c + b, plain, control, plain),
        st.builds(lambda a, c, b: a + c + b, plain, invisible, plain),
    )


def broken_text(max_length: int) -> st.SearchStrategy:
    letters = st.text(string.ascii_letters, min_size=1, max_size=5)
    return st.one_of(
        not_a_string,
        st.text(string.ascii_letters, min_size=max_length + 1, max_size=max_length + 30),
        st.builds(lambda a, c: a + c + a, letters, control),  # inside: not just stripped
    )


broken_moment = st.one_of(
    not_a_string,
    st.sampled_from(
        [
            "",
            "yesterday",
            "2026-03-10",  # a date, not a moment
            "2026-03-10T10:00:00",  # no offset
            "2026-13-01T00:00:00+00:00",
            "1850-01-01T00:00:00+00:00",
            "2999-01-01T00:00:00+00:00",
            "0001-01-01T00:00:00+00:00",
            "10000-01-01T00:00:00+00:00",
        ]
    ),
)
broken_amount = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=10**12 + 1, max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.booleans(),
    st.none(),
)
broken_choice = st.one_of(
    not_a_string, st.text(string.ascii_lowercase, max_size=12).map(lambda t: t + "!")
)


def one_broken(valid: dict, fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """The valid record with one field replaced by a bad value, or missing when required."""
    bad_value = st.sampled_from(sorted(fields)).flatmap(
        lambda name: fields[name].map(lambda value: {**valid, name: value})
    )
    return bad_value


VALID_ORDER = {
    "external_id": "NEW-1",
    "customer_id": "CUST-NEW",
    "placed_at": "2026-03-10T10:00:00+00:00",
    "subtotal": 2_000,
    "discount": 100,
    "tax": 50,
}
ORDER_FIELDS = {
    "external_id": broken_id(),
    "customer_id": st.one_of(broken_id(), st.just("erased-12")),
    "customer_email": st.one_of(
        not_a_string, st.just("not-an-email"), st.just("a" * 250 + "@x.io")
    ),
    "placed_at": broken_moment,
    "completed_at": st.one_of(broken_moment, st.just("2026-03-01T00:00:00+00:00")),
    "status": st.one_of(broken_choice, st.just("refunded")),
    "channel": broken_choice,
    "payment_method": broken_choice,
    "subtotal": broken_amount,
    "discount": st.one_of(broken_amount, st.just(2_001)),  # more than the subtotal
    "shipping": broken_amount,
    "tax": broken_amount,
    "total": st.one_of(broken_amount.filter(lambda v: v is not None), st.just(1)),
    "coupon_code": broken_text(40),
}
bad_order = one_broken(VALID_ORDER, ORDER_FIELDS)
bad_orders_body = st.one_of(
    bad_order,
    st.builds(lambda o: {"orders": [VALID_ORDER | {"external_id": "NEW-2"}, o]}, bad_order),
    st.just({"orders": []}),
    st.just({"orders": [VALID_ORDER, VALID_ORDER]}),  # one id twice in a batch
    st.just({"orders": "NEW-1"}),
    st.just([VALID_ORDER]),
    st.just("an order"),
    st.just(12),
    st.just({**VALID_ORDER, "unexpected": 1}),
    st.sampled_from(["external_id", "customer_id", "placed_at", "subtotal"]).map(
        lambda required: {k: v for k, v in VALID_ORDER.items() if k != required}
    ),
)

VALID_REFUND = {"refund_id": "R-NEW", "amount": 100, "refunded_at": "2026-03-11T10:00:00+00:00"}
bad_refund = st.one_of(
    one_broken(
        VALID_REFUND,
        {
            "refund_id": broken_id(),
            "amount": st.one_of(broken_amount, st.just(0), st.just(1_901)),  # 0; past merchandise
            "refunded_at": st.one_of(broken_moment, st.just("2026-03-09T00:00:00+00:00")),
            "reason": broken_text(200),
        },
    ),
    st.just({"amount": 100}),
    st.just([]),
)
bad_status = st.one_of(
    one_broken(
        {"status": "completed", "at": "2026-03-12T10:00:00+00:00"},
        {"status": st.one_of(broken_choice, st.just("refunded")), "at": broken_moment},
    ),
    st.just({}),
    st.just({"status": "completed", "at": "2026-03-01T00:00:00+00:00"}),  # before placed
)

VALID_EVENT = {
    "event_id": "E-NEW",
    "type": "page_view",
    "session_id": "S-NEW",
    "occurred_at": "2026-03-10T09:00:00+00:00",
}
bad_events_body = st.one_of(
    one_broken(
        VALID_EVENT,
        {
            "event_id": st.one_of(broken_id(), st.sampled_from(["purchase:1", "purchase-X"])),
            "type": st.one_of(broken_choice, st.just("purchase")),
            "session_id": st.one_of(broken_id(), st.just("order:7")),
            "occurred_at": broken_moment,
            "customer_id": broken_id(),
            "order_id": st.one_of(broken_id(), st.just("NO-SUCH-ORDER")),
            "page": broken_text(200),
            "channel": broken_choice,
        },
    ).map(lambda event: {"events": [event]}),
    st.just({"events": []}),
    st.just({"events": [VALID_EVENT, VALID_EVENT]}),
    st.just(VALID_EVENT),  # one event is not a batch
)

VALID_CAMPAIGN = {"name": "Spring", "code": "SPRING-NEW", "starts_on": "2026-03-01"}
CAMPAIGN_FIELDS = {
    "name": st.one_of(broken_text(120), st.just("")),
    "code": st.one_of(broken_text(40), st.just(""), st.just("ß" * 40), st.just("BASE")),
    "status": broken_choice,
    "discount_percent": st.one_of(st.just(150), st.just(-1), st.just(12.5), st.text(max_size=3)),
    "target_audience": broken_text(40),
    "budget": broken_amount.filter(lambda v: v is not None),
    "spend": broken_amount.filter(lambda v: v is not None),
    "starts_on": st.one_of(not_a_string, st.sampled_from(["", "soon", "0001-01-01", "2026-02-30"])),
    "ends_on": st.one_of(not_a_string, st.just("2026-02-01")),  # before the start
}
bad_campaign = one_broken(VALID_CAMPAIGN, CAMPAIGN_FIELDS)
# Changing a campaign to its own code is fine: another's code is not.
bad_campaign_change = one_broken(
    VALID_CAMPAIGN,
    {**CAMPAIGN_FIELDS, "code": st.one_of(broken_text(40), st.just(""), st.just("ß" * 40))},
).flatmap(lambda change: st.just(change) | st.just({"code": "TAKEN"}))


# --- the suite -------------------------------------------------------------------------


@pytest.fixture
def shop(app):
    """One completed order (merchandise 19.00), one pending order and one campaign."""
    OrderFactory(external_id="BASE-1", subtotal=2_000, discount=100)
    OrderFactory(external_id="BASE-2", status="pending", completed_at=None)
    CampaignFactory(code="BASE")
    refresh()


def refused(status: int, body: object) -> bool:
    """A 4xx with a JSON body that says what is wrong."""
    if not (400 <= status < 500 and isinstance(body, dict) and body.get("error")):
        return False
    if status == 422:
        return bool(body.get("errors"))  # names each bad field or record
    return True


def run(kind: str, strategy, method: str, url: str, token: str, sent: dict) -> None:
    """Send the endpoint its share of bad bodies; each must be refused and write nothing."""
    before = fingerprint()

    @examples(REQUESTS_PER_ENDPOINT[kind])
    @given(body=strategy)
    def check(body):
        status, answer = send(method, url, body, token)
        assert refused(status, answer), (kind, body, status, answer)
        assert fingerprint() == before, (kind, body, "a refused request wrote something")
        sent[kind] = sent.get(kind, 0) + 1

    check()


def test_bad_requests_to_every_write_endpoint_are_refused_and_write_nothing(shop, server, writer):
    api = f"{server}/api/v1"
    CampaignFactory(code="TAKEN")
    campaign_id = db.session.scalar(sa.text("SELECT id FROM campaigns WHERE code = 'BASE'"))
    sent: dict[str, int] = {}
    run("orders", bad_orders_body, "POST", f"{api}/orders", writer, sent)
    run("status", bad_status, "POST", f"{api}/orders/BASE-2/status", writer, sent)
    run("refunds", bad_refund, "POST", f"{api}/orders/BASE-1/refunds", writer, sent)
    run("events", bad_events_body, "POST", f"{api}/events", writer, sent)
    run("campaign create", bad_campaign, "POST", f"{api}/campaigns", writer, sent)
    url = f"{api}/campaigns/{campaign_id}"
    run("campaign update", bad_campaign_change, "PATCH", url, writer, sent)
    total = sum(sent.values())
    print(f"negative suite: {total} bad requests refused, nothing written: {sent}")
    assert total >= 2_000, sent


CSV_HEADER = "order_id,customer_id,placed_at,total,discount,status,channel,refunded"
VALID_ROW = {
    "order_id": "CSV-1",
    "customer_id": "CUST-CSV",
    "placed_at": "2026-03-10T10:00:00+00:00",
    "total": "19.00",
    "discount": "1.00",
    "status": "completed",
    "channel": "web",
    "refunded": "",
}
CSV_CHARACTERS = (string.ascii_letters + string.digits + string.punctuation).replace(",", "")
csv_text = st.text(CSV_CHARACTERS.replace('"', ""), max_size=8)
CSV_FIELDS = {
    "order_id": st.one_of(st.just(""), st.just("X" * 65), st.just("A\u200bB")),
    "customer_id": st.one_of(
        st.just(""), st.just("C" * 65), st.just("erased-3"), st.just("C\x07D")
    ),
    "placed_at": st.one_of(
        csv_text.filter(lambda t: t.strip() != ""), st.just("2999-01-01"), st.just("31/12/2025")
    ),
    "total": st.one_of(
        st.sampled_from(["12,50", "Infinity", "NaN", "1e3", "-5", "abc", "0.001", "1 000"]),
        csv_text.filter(lambda t: t.strip() != "" and not t.strip().replace(".", "", 1).isdigit()),
    ),
    "discount": st.sampled_from(["-1", "x", "1,00", "1.005"]),
    "status": st.sampled_from(["refunded", "done", "pending!"]),
    "channel": st.sampled_from(["fax", "WEB", "web "]).filter(lambda c: c.strip() != "web"),
    "refunded": st.sampled_from(["-2", "20.00", "ten"]),  # 20.00 > the 19.00 merchandise
}


def csv_row(row: dict) -> str:
    return ",".join(f'"{row[name]}"' for name in CSV_HEADER.split(","))


bad_csv_row = one_broken(VALID_ROW, CSV_FIELDS)


def test_bad_csv_rows_are_reported_by_line_and_write_nothing(shop, runner, tmp_path):
    before = fingerprint()
    files = 0

    @examples(CSV_FILES)
    @given(bad=bad_csv_row, position=st.integers(0, 2))
    def check(bad, position):
        nonlocal files
        good = [VALID_ROW | {"order_id": f"CSV-OK-{n}"} for n in range(2)]
        rows = [*good[:position], bad, *good[position:]]
        path = tmp_path / "bad.csv"
        path.write_text(CSV_HEADER + "\n" + "\n".join(csv_row(row) for row in rows) + "\n")
        result = runner.invoke(args=["import", "orders", str(path)])
        assert result.exit_code == 1, (bad, result.output)
        assert f"line {position + 2}:" in result.output and "Traceback" not in result.output
        assert "nothing was imported" in result.output, result.output
        assert fingerprint() == before, (bad, "a refused file wrote something")
        files += 1

    check()
    assert files >= CSV_FILES
