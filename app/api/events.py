"""POST /api/v1/events: page views and funnel steps from the storefront, with a write token."""

from __future__ import annotations

from app.api.schemas import BatchResult, EventBatch
from app.api.writes import run_batch, write_blueprint
from app.pipeline.ingest import ingest_events

blp = write_blueprint("events_api", __name__, "/api/v1/events", "Push storefront events")


@blp.post("")
@blp.arguments(EventBatch)
@blp.response(201, BatchResult)
def post_events(batch: dict):
    """A batch of up to 1,000 events, all or nothing; an event id sent again is kept once.

    The funnel counts a session on the day of its first page view; the refresher recounts the
    days the batch touched within seconds.
    """
    return run_batch(ingest_events, batch["events"])
