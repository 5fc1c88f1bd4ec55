"""A page control kept in the URL's query (a status filter, a channel, a grouping), so a view
can be bookmarked and survives a reload: the URL sets the control, the control the URL."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import parse_qsl, urlencode

from dash import Dash, Input, Output, State, no_update


def query(search: str | None) -> dict[str, str]:
    """The URL query's parameters, the first value of each (blank ones kept)."""
    params: dict[str, str] = {}
    for name, value in parse_qsl((search or "").lstrip("?"), keep_blank_values=True):
        params.setdefault(name, value)
    return params


def value_in(search: str | None, param: str, default: str, choices: Collection[str]) -> str:
    value = query(search).get(param, default)
    return value if value in choices else default


def with_value(search: str | None, param: str, value: str, default: str) -> str:
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != param]
    if value != default:
        params.append((param, value))
    return "?" + urlencode(params)


def bind(app: Dash, control_id: str, param: str, default: str, choices: Collection[str]) -> None:
    """Two callbacks: the URL's `param` → the control; the control → the URL (only when it
    changes the URL, so the pair never loops)."""

    def from_url(search: str | None) -> str:
        return value_in(search, param, default, choices)

    def to_url(value: str | None, search: str | None):
        chosen = value if value in choices else default
        wanted = with_value(search, param, chosen, default)
        current = "?" + urlencode(parse_qsl((search or "").lstrip("?")))
        return no_update if wanted == current else wanted

    app.callback(Output(control_id, "value"), Input("url", "search"))(from_url)
    app.callback(
        Output("url", "search", allow_duplicate=True),
        Input(control_id, "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )(to_url)
