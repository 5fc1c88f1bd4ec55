"""Every read answer says how fresh its figures are: the `X-Figures-As-Of` header."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from app.analytics.freshness import figures_as_of
from app.extensions import db

HEADER = "X-Figures-As-Of"


def _capture() -> None:
    # Read before the view: the figures the view reads then are at least this fresh.
    if request.method in ("GET", "HEAD"):
        g.figures_as_of = figures_as_of(db.session)


def _stamp(response: Response) -> Response:
    as_of = g.pop("figures_as_of", None)
    if as_of is not None:
        response.headers[HEADER] = as_of.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return response


def stamp_answers(blueprint: Blueprint) -> Blueprint:
    """Give the blueprint's read answers the header."""
    blueprint.before_request(_capture)
    blueprint.after_request(_stamp)
    return blueprint
