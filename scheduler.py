"""The background scheduler: `python scheduler.py` runs it as its own process."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from app import create_app

log = logging.getLogger(__name__)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler in the shop's time zone; each job gets an app context from `app`."""
    scheduler = BackgroundScheduler(
        timezone=app.config["SHOP_TIMEZONE"],
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
    )
    for register in app.extensions.get("scheduled_jobs", []):
        register(scheduler, app)
    return scheduler


def start_if_enabled(app: Flask) -> BackgroundScheduler | None:
    if not app.config["SCHEDULER_ENABLED"]:
        return None
    scheduler = build_scheduler(app)
    scheduler.start()
    return scheduler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    scheduler = build_scheduler(app)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    scheduler.start()
    log.info("scheduler running with %d job(s)", len(scheduler.get_jobs()))
    stop.wait()
    scheduler.shutdown()


if __name__ == "__main__":
    main()
