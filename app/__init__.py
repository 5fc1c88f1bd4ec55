"""Storefront Analytics: the Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from app.config import load_config
from app.extensions import Api, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: Mapping[str, object] | None = None) -> Flask:
    """Build the app; it starts nothing (no threads, no schema changes)."""
    overrides = dict(overrides or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(load_config(app.instance_path, overrides))
    register_observability(app)
    register_extensions(app)
    register_blueprints(app)
    register_pipeline(app)
    register_access_gate(app)
    register_request_limits(app)
    register_errorhandlers(app)
    register_commands(app)
    register_dash(app)
    register_admin(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import database

    db.init_app(app)
    database.configure_engine_events()
    migrate.init_app(
        app,
        db,
        directory=MIGRATIONS_DIR,
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        render_item=database.render_migration_item,
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)


def register_observability(app: Flask) -> None:
    from app import observability, security

    observability.init_app(app)
    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app import health
    from app.api import reports
    from app.auth import views
    from app.notify import unsubscribe

    app.register_blueprint(health.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(unsubscribe.bp)
    from app.api import analytics, campaigns, events, insights, orders, products

    app.register_blueprint(reports.bp)
    api = Api(app)
    api.register_blueprint(analytics.blp)
    api.register_blueprint(orders.blp)
    api.register_blueprint(campaigns.blp)
    api.register_blueprint(events.blp)
    api.register_blueprint(insights.blp)
    api.register_blueprint(products.blp)
    api.register_blueprint(products.write_blp)


def register_pipeline(app: Flask) -> None:
    from app.pipeline import stale

    # ORM writes stamp business dates and mark what they made stale. The zone is read at
    # flush time, so each app (and test) uses its own shop time zone.
    stale.install(lambda: ZoneInfo(current_app.config["SHOP_TIMEZONE"]))


def register_access_gate(app: Flask) -> None:
    from app.auth import gate

    gate.init_app(app)


def register_request_limits(app: Flask) -> None:
    from app import request_limits

    # After the gate: a caller without a login is refused before its body is read at all.
    request_limits.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from app import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from app import cli
    from app.notify.commands import notify_cli

    cli.init_app(app)
    app.cli.add_command(notify_cli)  # the notify face's own group (faces do not import faces)


def register_dash(app: Flask) -> None:
    from app.dash_apps import init_dash

    init_dash(app)


def register_admin(app: Flask) -> None:
    from app.admin import init_admin

    init_admin(app)
