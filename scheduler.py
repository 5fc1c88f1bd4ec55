"""The background scheduler: `python scheduler.py` runs it as its own process."""

from __future__ import annotations

import logging
import os
import signal
import threading
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app import create_app
from app.extensions import db
from app.jobs import run_due

log = logging.getLogger(__name__)
# Misfired runs (process asleep or down at 00:15) still run when it is back within hours.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}
RETRY_MINUTES = 30


def run_due_days(app: Flask) -> None:
    with app.app_context():
        outcomes = run_due(db.session, ZoneInfo(app.config["SHOP_TIMEZONE"]))
        db.session.remove()
    for day, outcome in outcomes.items():
        log.info("nightly aggregates for %s: %s", day, outcome)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """Nightly at NIGHTLY_AT (shop time), a retry tick for failed days, and a catch-up at start."""
    zone = ZoneInfo(app.config["SHOP_TIMEZONE"])
    hour, minute = (int(part) for part in os.environ.get("NIGHTLY_AT", "00:15").split(":"))
    scheduler = BackgroundScheduler(timezone=zone, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        run_due_days, CronTrigger(hour=hour, minute=minute, timezone=zone), args=[app], id="nightly"
    )
    scheduler.add_job(
        run_due_days, IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone), args=[app], id="retry"
    )
    scheduler.add_job(run_due_days, args=[app], id="catch-up")  # no trigger: once, right away
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
    log.info("scheduler running: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    scheduler.start()
    stop.wait()
    scheduler.shutdown()


if __name__ == "__main__":
    main()
