"""Erasing a customer's personal data on request, leaving every aggregate figure as it was.

The customer row stays (orders, refunds, loyalty and referrals keep pointing at it, so no sum,
count or segment changes); what identifies the person goes: email, name, and the shop's own
customer id, replaced by a neutral one. A later order under the old id makes a new customer.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Customer

ERASED_PREFIX = "erased-"


class NotFound(LookupError):
    pass


def erase_customer(session: Session, external_id: str) -> Customer:
    """Erase in the caller's transaction; the caller audits it (never with the data itself)."""
    customer = session.scalar(sa.select(Customer).where(Customer.external_id == external_id))
    if customer is None:
        raise NotFound(f"no customer {external_id}")
    customer.email = None
    customer.name = None
    customer.external_id = f"{ERASED_PREFIX}{customer.id}"
    session.flush()
    return customer
