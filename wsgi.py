"""WSGI entry point: `gunicorn wsgi:app`. Starts the scheduler only when SCHEDULER_ENABLED."""

from app import create_app
from scheduler import start_if_enabled

app = create_app()
scheduler = start_if_enabled(app)
