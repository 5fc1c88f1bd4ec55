"""The one Dash app, mounted on the Flask server at /analytics/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dash import Dash
from flask import Flask, request

from app.dash_apps import shell
from app.dash_apps.pages import register_routing
from app.problem import error_response

URL_BASE = "/analytics/"


def init_dash(server: Flask) -> Dash:
    dash_app = Dash(
        __name__,
        server=server,
        url_base_pathname=URL_BASE,
        assets_folder=str(Path(__file__).parent / "assets"),
        # Served by Flask from app/static: no CDN.
        external_stylesheets=["/static/vendor/bootstrap.min.css"],
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="Storefront Analytics",
        update_title=None,
        on_error=shell.callback_failed,
    )
    dash_app.layout = shell.layout
    shell.register(dash_app)
    register_routing(dash_app)
    server.before_request(_refuse_unknown_callbacks(dash_app))
    # Dash's inline bootstrap scripts, allowed by hash in the Content-Security-Policy.
    server.config["DASH_CSP_HASHES"] = list(dash_app.csp_hashes())
    return dash_app


def _refuse_unknown_callbacks(dash_app: Dash) -> Callable:
    """A callback request naming no registered callback answers 400, not Dash's KeyError."""
    path = URL_BASE + "_dash-update-component"

    def check():
        if request.path != path or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        output = body.get("output") if isinstance(body, dict) else None
        if not isinstance(output, str) or output not in dash_app.callback_map:
            return error_response(400, "no such callback")
        return None

    return check
