"""Building blocks shared by the pages: cards, empty states, definitions, tables."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.glossary import GLOSSARY


def page_header(prefix: str, title: str, subtitle: str) -> html.Div:
    return html.Div(
        [
            html.H1(title, id=f"{prefix}-title", className="h3 mb-1"),
            html.P(subtitle, className="text-muted mb-3"),
        ]
    )


def change_badge(
    change: float | None, *, higher_is_better: bool = True, before: float | None = None
) -> html.Span:
    """The relative change; when the earlier figure was zero there is no ratio to show."""
    if change is None:
        if before == 0:
            return html.Span("was 0", className="badge text-bg-light border")
        return html.Span("no earlier data", className="badge text-bg-light")
    if change == 0:
        return html.Span("no change", className="badge text-bg-light border")
    good = (change >= 0) == higher_is_better
    arrow = "▲" if change >= 0 else "▼"
    colour = "success" if good else "danger"
    return html.Span(f"{arrow} {abs(change):.1%}", className=f"badge text-bg-{colour}")


def kpi_card(
    element_id: str,
    label: str,
    value: str,
    change: float | None = None,
    *,
    compare: bool = True,
    higher_is_better: bool = True,
    before: float | None = None,
    versus: str = "vs previous period",
    note: str | None = None,
    xl: int | bool = 3,
) -> dbc.Col:
    body = [
        html.Div(label, className="text-muted small"),
        html.Div(value, id=element_id, className="fs-4 fw-semibold"),
    ]
    if note:  # what the figure covers (a profit's cost-known share), under the figure
        body.append(html.Div(note, id=f"{element_id}-note", className="small text-muted"))
    if compare:
        body.append(
            html.Div(
                [
                    change_badge(change, higher_is_better=higher_is_better, before=before),
                    html.Span(f" {versus}", className="small text-muted"),
                ]
            )
        )
    return dbc.Col(
        dbc.Card(dbc.CardBody(body), className="shadow-sm h-100"),
        xs=12,
        sm=6,
        md=4,
        xl=xl,  # True: equal columns (five cards in one row)
        className="mb-3",
    )


def compared(now: float | None, before: float | None, versus: str, compare: bool = True) -> dict:
    """kpi_card's comparison arguments for a figure and its earlier value (None: not known)."""
    change = None if now is None or not before else (now - before) / abs(before)
    return {"change": change, "before": before, "versus": versus, "compare": compare}


def empty_state(element_id: str, message: str) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Strong("Nothing to show yet. "),
            message,
            " Figures appear here within seconds of the shop's orders arriving (through the API"
            " or an import of past orders).",
        ],
        color="light",
        id=element_id,
        className="border",
    )


def definitions(prefix: str, terms: Sequence[str]) -> dbc.Accordion:
    """The glossary entries behind a page's figures, one click away."""
    items = [
        dbc.AccordionItem(html.P(GLOSSARY[term], className="mb-0"), title=term) for term in terms
    ]
    return dbc.Accordion(items, start_collapsed=True, id=f"{prefix}-definitions", className="mt-4")


def graph(element_id: str) -> dcc.Graph:
    return dcc.Graph(id=element_id, config=GRAPH_CONFIG, style={"height": "340px"})


# No logo; of the modebar only what a manager uses: save as picture, zoom back out.
GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "autoScale2d",
        "zoomIn2d",
        "zoomOut2d",
        "pan2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def card(title: str, children, element_id: str | None = None) -> dbc.Card:
    return dbc.Card(
        [dbc.CardHeader(title), dbc.CardBody(children)],
        className="shadow-sm mb-3",
        id=element_id or "",
    )


def export_buttons(prefix: str, table: str) -> html.Div:
    return html.Div(
        [
            dbc.Button(
                "CSV",
                id=f"{prefix}-{table}-csv",
                size="sm",
                color="secondary",
                outline=True,
                className="me-1",
            ),
            dbc.Button(
                "Excel", id=f"{prefix}-{table}-xlsx", size="sm", color="secondary", outline=True
            ),
            dcc.Download(id=f"{prefix}-{table}-download"),
        ],
        className="float-end",
    )


def table(
    element_id: str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    numeric: Sequence[bool] | None = None,
) -> dbc.Table:
    numeric = numeric or [False] * len(columns)
    align = ["text-end" if flag else "" for flag in numeric]
    head = html.Thead(
        html.Tr([html.Th(name, className=cls) for name, cls in zip(columns, align, strict=True)])
    )
    body = html.Tbody(
        [
            html.Tr([html.Td(cell, className=cls) for cell, cls in zip(row, align, strict=True)])
            for row in rows
        ]
    )
    return dbc.Table(
        [head, body], id=element_id, hover=True, size="sm", responsive=True, className="mb-0"
    )


def button_radio(
    element_id: str,
    choices: dict[str, str],
    value: str,
    *,
    extra_class: str = "",
    compact: bool = False,
) -> dbc.RadioItems:
    """A row of toggle buttons (value → label), one of them pressed."""
    return dbc.RadioItems(
        id=element_id,
        options=[{"label": label, "value": key} for key, label in choices.items()],
        value=value,
        inline=True,
        className=f"btn-group {extra_class}".strip(),
        inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm" + (" py-0" if compact else ""),
        labelCheckedClassName="active",
    )
