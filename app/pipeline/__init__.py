"""The write side: ingestion, stale-key marking, the single refresher, jobs and erasure.

Every write of orders, refunds or events records, in its own transaction, the keys it made
stale (app/pipeline/stale.py); one refresher at a time recomputes them
(app/pipeline/refresher.py). Nothing here reads a Flask request.
"""
