"""POST /api/v1/events: page views and funnel steps from the storefront, with a write token."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.schemas import BatchResult, EventBatch
from app.api.tokens import api_caller, api_rate_limit
from app.api.writes import run_batch, write_scope_error
from app.extensions import csrf, limiter
from app.ingest import ingest_events

blp = Blueprint(
    "events_api", __name__, url_prefix="/api/v1/events", description="Push storefront events"
)
csrf.exempt(blp)
limiter.limit(api_rate_limit, key_func=api_caller)(blp)
blp.before_request(write_scope_error)


@blp.post("")
@blp.arguments(EventBatch)
@blp.response(201, BatchResult)
def post_events(batch: dict):
    """A batch of up to 1,000 events, all or nothing; an event id sent again is kept once.

    The funnel counts a session on the day of its first page view; the day's sessions and
    conversion rate are recounted in the same transaction.
    """
    return run_batch(ingest_events, batch["events"])
