"""The daily and weekly digest: what it covers, what it says, and sending it once per user
and period (a JobRun claim per user and period)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import Session

from app.analytics.campaigns import campaign_summaries
from app.analytics.dashboard import KpiComparison, daily_series, dashboard_kpis, revenue_by_channel
from app.analytics.insights import METRIC_LABELS, TargetOutlook, anomalies_in, month_outlooks
from app.analytics.periods import DateRange
from app.formatting import format_change, format_figure
from app.models import EmailSubscription, User
from app.models.enums import CHANNEL_LABELS
from app.notify import mail
from app.notify.unsubscribe import unsubscribe_url
from app.pipeline.jobs import run_claimed

DIGEST_KPIS = ("net_revenue", "orders", "aov", "customers", "new_customers", "conversion_rate")
KPI_LABELS = {**METRIC_LABELS, "customers": "Customers"}
MOVERS_SHOWN = 3


def digest_period(kind: str, today: date) -> DateRange:
    """Daily: yesterday. Weekly: the last complete week, Monday to Sunday."""
    if kind == "daily":
        return DateRange(today - timedelta(days=1), today - timedelta(days=1))
    last_sunday = today - timedelta(days=today.weekday() + 1)
    return DateRange(last_sunday - timedelta(days=6), last_sunday)


@dataclass(frozen=True)
class Mover:
    name: str
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before


@dataclass(frozen=True)
class MoverGroup:
    title: str
    movers: list[Mover]


def channel_movers(session: Session, days: DateRange, today: date) -> MoverGroup:
    before = {c.channel: c.net_revenue for c in revenue_by_channel(session, days.previous())}
    movers = [
        Mover(CHANNEL_LABELS[c.channel], c.net_revenue, before.get(c.channel, 0))
        for c in revenue_by_channel(session, days)
    ]
    return MoverGroup("Channels", movers)


def campaign_movers(session: Session, days: DateRange, today: date) -> MoverGroup:
    before = {
        s.id: s.revenue for s in campaign_summaries(session, days=days.previous(), today=today)
    }
    movers = [
        Mover(s.name, s.revenue, before.get(s.id, 0))
        for s in campaign_summaries(session, days=days, today=today)
    ]
    return MoverGroup("Campaigns", movers)


# Each source gives net revenue per item now and in the period before; a products source
# joins here when products exist.
MOVER_SOURCES: tuple[Callable[[Session, DateRange, date], MoverGroup], ...] = (
    channel_movers,
    campaign_movers,
)


def biggest_movers(session: Session, days: DateRange, today: date) -> list[MoverGroup]:
    groups = []
    for source in MOVER_SOURCES:
        group = source(session, days, today)
        moved = sorted((m for m in group.movers if m.change), key=lambda m: -abs(m.change))
        if moved:
            groups.append(MoverGroup(group.title, moved[:MOVERS_SHOWN]))
    return groups


@dataclass(frozen=True)
class Digest:
    kind: str
    days: DateRange
    versus_previous: KpiComparison
    versus_year: KpiComparison
    movers: list[MoverGroup]
    anomalies: list
    outlooks: list[TargetOutlook]
    trend: list  # DayFigures of the period (and the days before, for a daily digest)


def compose(session: Session, kind: str, today: date) -> Digest:
    """Every figure comes from the functions the dashboard and the API use."""
    days = digest_period(kind, today)
    trend_days = DateRange(days.end - timedelta(days=13), days.end) if kind == "daily" else days
    return Digest(
        kind=kind,
        days=days,
        versus_previous=dashboard_kpis(session, days),
        versus_year=dashboard_kpis(session, days, days.year_before()),
        movers=biggest_movers(session, days, today),
        anomalies=anomalies_in(session, days),
        outlooks=month_outlooks(session, today.replace(day=1)),
        trend=daily_series(session, trend_days),
    )


def page_link(base_url: str, page: str, days: DateRange) -> str:
    """A page showing exactly the digest's days (the pages' own ?start=&end= range)."""
    query = urlencode({"start": days.start.isoformat(), "end": days.end.isoformat()})
    return f"{base_url}/analytics/{page}/?{query}"


def render(digest: Digest, user: User, config: Mapping) -> EmailMessage:
    """The message: a plain-text part and an HTML part with a bar chart of net revenue."""
    base = config["PUBLIC_URL"]
    currency = config["SHOP_CURRENCY"]
    unsubscribe = unsubscribe_url(base, config["SECRET_KEY"], user.id, digest.kind)
    context = {
        "digest": digest,
        "kpis": _kpi_rows(digest, currency),
        "fmt": lambda name, value: format_figure(name, value, currency),
        "change": format_change,
        "labels": KPI_LABELS,
        "links": {
            page: page_link(base, page, digest.days)
            for page in ("dashboard", "revenue-streams", "campaigns", "orders")
        },
        "alerts_link": page_link(base, "alerts", digest.days),
        "bars": _bars(digest),
        "currency": currency,
        "unsubscribe": unsubscribe,
    }
    message = EmailMessage()
    message["To"] = user.email
    message["Subject"] = _subject(digest, currency)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_template("mail/digest.txt", **context))
    message.add_alternative(render_template("mail/digest.html", **context), subtype="html")
    return message


def _subject(digest: Digest, currency: str) -> str:
    net = format_figure("net_revenue", digest.versus_previous.current.net_revenue, currency)
    when = (
        f"{digest.days.start:%a %d %b %Y}"
        if digest.kind == "daily"
        else f"week of {digest.days.start:%d %b %Y}"
    )
    return f"{digest.kind.capitalize()} digest, {when}: net revenue {net}"


def _kpi_rows(digest: Digest, currency: str) -> list[dict]:
    rows = []
    for name in DIGEST_KPIS:
        now = getattr(digest.versus_previous.current, name)
        rows.append(
            {
                "name": name,
                "label": KPI_LABELS[name],
                "value": format_figure(name, now, currency),
                "vs_previous": format_change(digest.versus_previous.change(name)),
                "vs_year": format_change(digest.versus_year.change(name)),
            }
        )
    return rows


def _bars(digest: Digest) -> list[dict]:
    """Bar widths in percent of the largest day, for a chart that needs no image."""
    top = max((max(day.net_revenue, 0) for day in digest.trend), default=0) or 1
    return [
        {
            "day": day.business_date,
            "net_revenue": day.net_revenue,
            "width": round(100 * max(day.net_revenue, 0) / top),
            "in_period": digest.days.start <= day.business_date <= digest.days.end,
        }
        for day in digest.trend
    ]


def subscribers(session: Session, kind: str) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .join(EmailSubscription, EmailSubscription.user_id == User.id)
            .where(EmailSubscription.kind == kind, User.active.is_(True))
            .order_by(User.id)
        )
    )


def still_subscribed(session: Session, user_id: int, kind: str) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailSubscription)
            .where(EmailSubscription.user_id == user_id, EmailSubscription.kind == kind)
        )
        > 0
    )


def digest_job(kind: str, user_id: int) -> str:
    return f"digest-{kind}:{user_id}"


def send_digests(session: Session, kind: str, today: date, config: Mapping) -> dict[int, str]:
    """Each subscriber's digest of the period, once across every process; a failed send is
    recorded (JobRun) and retaken by the next run."""
    days = digest_period(kind, today)
    settings = mail.MailSettings.from_config(config)
    outcomes = {}
    for user in subscribers(session, kind):

        def send_one(user: User = user) -> int:
            if not still_subscribed(session, user.id, kind):
                return 0  # unsubscribed since the list was read
            message = render(compose(session, kind, today), user, config)
            mail.send(settings, message)
            return 1

        outcomes[user.id] = run_claimed(
            session, digest_job(kind, user.id), days.start.isoformat(), send_one
        )
    return outcomes
