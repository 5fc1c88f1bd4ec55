"""`flask` commands, one module per command group."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.cli.analytics import analytics_cli
    from app.cli.customers import customers_cli
    from app.cli.demo import demo_cli
    from app.cli.imports import import_cli
    from app.cli.tokens import tokens_cli
    from app.cli.users import users_cli

    for group in (analytics_cli, users_cli, tokens_cli, demo_cli, import_cli, customers_cli):
        app.cli.add_command(group)
