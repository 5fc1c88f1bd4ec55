"""The background scheduler: `python scheduler.py` runs it as its own process.

Every REFRESH_INTERVAL_SECONDS it runs the refresher (figures follow writes within seconds);
at NIGHTLY_AT, shop time, the nightly job (and, every half hour, any day that failed).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app import create_app
from app.extensions import db
from app.notify.rounds import digest_time, morning_round
from app.pipeline.jobs import run_due
from app.pipeline.refresher import RefreshSettings, refresh
from app.pipeline.restamp import zone_warning

log = logging.getLogger(__name__)
# Misfired runs (process asleep or down at 00:15) still run when it is back within hours.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600}
RETRY_MINUTES = 30


class QuietRefreshSkips(logging.Filter):
    """A refresher tick that finds the last pass still running is skipped, as it should be
    (a long backfill, say): that is not worth a warning every second."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("refresh_figures" in message and "maximum number of running" in message)


logging.getLogger("apscheduler.scheduler").addFilter(QuietRefreshSkips())
# "Running job … executed successfully" twice a second says nothing the jobs do not log.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)


def run_due_days(app: Flask) -> None:
    with app.app_context():
        settings = RefreshSettings.from_config(app.config)
        warning = zone_warning(db.session, settings.zone)
        if warning:
            log.error(warning)
        outcomes = run_due(db.session, settings)
        db.session.remove()
    for day, outcome in outcomes.items():
        log.info("nightly aggregates for %s: %s", day, outcome)


def tell_staff(app: Flask) -> None:
    """Insights, alerts and digests; each step once per period across processes."""
    with app.app_context():
        settings = RefreshSettings.from_config(app.config)
        try:
            outcomes = morning_round(db.session, app.config, datetime.now(settings.zone))
        except Exception:
            log.exception("morning round failed")  # the retry tick tries again
            outcomes = {}
        db.session.remove()
    for step, outcome in outcomes.items():
        log.info("morning round, %s: %s", step, outcome)


def refresh_figures(app: Flask) -> None:
    """One refresher pass, unless another process is in the middle of one."""
    with app.app_context():
        try:
            refresh(db.engine, RefreshSettings.from_config(app.config), wait=False)
        except Exception:
            # The keys stay pending: the next tick takes them again.
            log.exception("refresher pass failed")


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """The refresher every few seconds; nightly at NIGHTLY_AT (shop time), a retry tick for
    failed days, and a catch-up at start. NIGHTLY_AT=off leaves only the refresher."""
    settings = RefreshSettings.from_config(app.config)
    zone = settings.zone
    scheduler = BackgroundScheduler(timezone=zone, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        refresh_figures,
        IntervalTrigger(seconds=app.config["REFRESH_INTERVAL_SECONDS"], timezone=zone),
        args=[app],
        id="refresh",
        misfire_grace_time=None,
    )
    nightly_at = os.environ.get("NIGHTLY_AT", "00:15")
    if nightly_at.strip().lower() == "off":
        return scheduler
    hour, minute = (int(part) for part in nightly_at.split(":"))
    scheduler.add_job(
        run_due_days, CronTrigger(hour=hour, minute=minute, timezone=zone), args=[app], id="nightly"
    )
    scheduler.add_job(
        run_due_days, IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone), args=[app], id="retry"
    )
    scheduler.add_job(run_due_days, args=[app], id="catch-up")  # no trigger: once, right away
    # Insights once yesterday's figures are complete, alerts, then digests after DIGEST_AT.
    scheduler.add_job(
        tell_staff,
        IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone),
        args=[app],
        id="tell",
        next_run_time=datetime.now(zone) + timedelta(minutes=1),  # after the catch-up
    )
    digest_at = digest_time(app.config)
    scheduler.add_job(
        tell_staff,
        CronTrigger(hour=digest_at.hour, minute=digest_at.minute, timezone=zone),
        args=[app],
        id="digests",
    )
    return scheduler


def start_if_enabled(app: Flask) -> BackgroundScheduler | None:
    if not app.config["SCHEDULER_ENABLED"]:
        return None
    scheduler = build_scheduler(app)
    scheduler.start()
    return scheduler


def main() -> None:
    app = create_app()  # configures logging (LOG_FORMAT, LOG_LEVEL) once
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
