"""WSGI entry point: `gunicorn wsgi:app`. Starts the scheduler only when SCHEDULER_ENABLED."""

import gc

from app import create_app
from scheduler import start_if_enabled

app = create_app()
# What the app built at start lives as long as the process: kept out of the collector's
# full passes, which otherwise walk all ~200,000 of those objects every so often (a 126 ms
# pause inside a dashboard callback, the whole of its p95 past 100 ms).
gc.freeze()
scheduler = start_if_enabled(app)
