"""Monthly cohort retention: customers grouped by the month of their first order."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import calendar_months, month_of, month_start
from app.analytics.sql import counted, month_number
from app.models import CohortRetention, CustomerMetrics, Order

COHORTS = CohortRetention.__table__
METRICS = CustomerMetrics.__table__


def rebuild_cohorts(session: Session, months: Collection[int] | None = None) -> int:
    """Recount cohort cells from the counted orders, replacing their rows.

    `months` (month numbers, see month_number) limits it to those cohorts: their customers are
    found by the first-order day the customer metrics hold, which the caller has refreshed.
    """
    month = month_number(Order.business_date)
    active = sa.select(Order.customer_id, month.label("month")).where(
        counted(Order.status), Order.customer_id.is_not(None)
    )
    if months is None:
        firsts = (
            sa.select(Order.customer_id, sa.func.min(month).label("first_month"))
            .where(counted(Order.status), Order.customer_id.is_not(None))
            .group_by(Order.customer_id)
        )
    else:
        months = sorted(set(months))
        if not months:
            return 0
        firsts = sa.select(
            METRICS.c.customer_id, month_number(METRICS.c.first_order_date).label("first_month")
        ).where(sa.or_(*(_within_month(METRICS.c.first_order_date, m) for m in months)))
        active = active.where(
            Order.customer_id.in_(firsts.with_only_columns(METRICS.c.customer_id))
        )
    firsts, active = firsts.subquery(), active.distinct().subquery()
    cells = session.execute(
        sa.select(firsts.c.first_month, active.c.month - firsts.c.first_month, sa.func.count())
        .join(firsts, firsts.c.customer_id == active.c.customer_id)
        .group_by(firsts.c.first_month, active.c.month - firsts.c.first_month)
    ).all()
    if months is None:
        session.execute(COHORTS.delete())
    else:
        session.execute(
            COHORTS.delete().where(COHORTS.c.cohort_month.in_([month_start(m) for m in months]))
        )
    rows = [
        {"cohort_month": month_start(first), "months_since": since, "customers": customers}
        for first, since, customers in cells
    ]
    if rows:
        session.execute(COHORTS.insert(), rows)
    return len(rows)


def _within_month(column, number: int):
    month = calendar_months(number, number)
    return column.between(month.start, month.end)


@dataclass(frozen=True)
class CohortCell:
    months_since: int
    customers: int
    retention: float
    incomplete: bool  # the month is still running: not a decline, just not over yet


@dataclass(frozen=True)
class Cohort:
    month: date
    size: int
    cells: list[CohortCell]


def cohort_retention(session: Session, as_of: date, months: int = 12) -> list[Cohort]:
    """The last `months` cohorts up to as_of's month; a cell is marked while its month runs."""
    current = month_of(as_of)
    # The as-of month is still running unless as_of is its last day.
    month_over = (as_of + timedelta(days=1)).month != as_of.month
    first_shown = month_start(current - months + 1)
    rows = session.execute(
        sa.select(COHORTS.c.cohort_month, COHORTS.c.months_since, COHORTS.c.customers)
        .where(COHORTS.c.cohort_month >= first_shown, COHORTS.c.cohort_month <= as_of)
        .order_by(COHORTS.c.cohort_month, COHORTS.c.months_since)
    ).all()
    cohorts: dict[date, dict[int, int]] = {}
    for cohort_month, since, customers in rows:
        cohorts.setdefault(cohort_month, {})[since] = customers
    result = []
    for cohort_month, cells in cohorts.items():
        size = cells.get(0, 0)
        start = month_of(cohort_month)
        result.append(
            Cohort(
                month=cohort_month,
                size=size,
                cells=[
                    CohortCell(
                        n,
                        cells.get(n, 0),
                        cells.get(n, 0) / size if size else 0.0,
                        start + n == current and not month_over,
                    )
                    for n in range(current - start + 1)
                ],
            )
        )
    return result
