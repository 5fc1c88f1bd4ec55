"""Business dates in the shop's time zone: after SHOP_TIMEZONE changes, stamp them again.

Orders, refunds and events store the shop-local day of their instant so SQL can group by it;
those days were derived in the zone configured when each row arrived. `restamp` derives them
again in the zone configured now, marks every affected day stale and refreshes, and records
the zone, which `stamped_zone` reports (status and the scheduler warn while they differ).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.models import ConversionEvent, Order, Refund, ShopSetting
from app.pipeline.stale import Keys, mark
from app.timeutil import business_date

ZONE_KEY = "business_dates_zone"
STAMPED = ((Order, "placed_at"), (Refund, "refunded_at"), (ConversionEvent, "occurred_at"))
BATCH = 20_000


def stamped_zone(session: Session) -> str | None:
    """The zone the stored business dates were stamped in, when recorded."""
    return session.scalar(sa.select(ShopSetting.value).where(ShopSetting.key == ZONE_KEY))


def zone_warning(session: Session, zone: ZoneInfo) -> str | None:
    """A sentence for operators when the stored dates are in another zone than configured."""
    stamped = stamped_zone(session)
    if stamped is None or stamped == zone.key:
        return None
    return (
        f"business dates are stamped in {stamped} but SHOP_TIMEZONE is {zone.key}: "
        "run `flask analytics restamp`"
    )


def record_zone(session: Session, zone: ZoneInfo) -> None:
    setting = session.get(ShopSetting, ZONE_KEY) or ShopSetting(key=ZONE_KEY)
    setting.value = zone.key
    session.add(setting)


def restamp(session: Session, zone: ZoneInfo) -> dict[str, int]:
    """Re-derive every business date in `zone` (the caller commits, then refreshes); returns
    the rows changed per table. The days touched, before and after, are marked stale."""
    changed, days = {}, set()
    for model, instant in STAMPED:
        changed[model.__tablename__] = _restamp_table(session, model, instant, zone, days)
    if days:
        span = DateRange(min(days), max(days))
        # Every visit's entry day may have moved: their funnel rows are derived again.
        mark(
            session,
            Keys(days=set(span), visit_days=set(span), everything=True, all_sessions=True),
        )
    record_zone(session, zone)
    return changed


def _restamp_table(session, model, instant: str, zone: ZoneInfo, days: set[date]) -> int:
    table = model.__table__
    moment, stored = table.c[instant], table.c.business_date
    last_id, changed = 0, 0
    while True:
        rows = session.execute(
            sa.select(table.c.id, moment, stored)
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return changed
        moves = []
        for row_id, at, old in rows:
            day = business_date(at, zone)
            if day != old:
                moves.append({"row_id": row_id, "day": day})
                days.update((day, old))
        if moves:
            session.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(business_date=sa.bindparam("day")),
                moves,
            )
            changed += len(moves)
        last_id = rows[-1][0]
