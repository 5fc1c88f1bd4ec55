"""The HTTP API: `/api/v1` (flask-smorest blueprints, one module per resource) and the
specification's `/analytics/api/` endpoints; tokens in `tokens.py`."""
