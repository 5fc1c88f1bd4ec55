"""Figure builders: pure functions from engine results to plotly figure dicts.

Plain dicts, not `go.Figure`: building and validating figure objects cost ~20 ms each, most of
a callback's budget; Dash sends either to the browser the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import plotly.io as pio

from app.dash_apps.grains import bucket, grouped
from app.formatting import to_major
from app.models.enums import CHANNEL_LABELS, PAYMENT_METHOD_LABELS


@cache
def _template() -> dict:
    """The house template: plotly_white with the page's font, a colour-blind-safe palette
    (Okabe-Ito) and separators for thousands."""
    template = pio.templates["plotly_white"].to_plotly_json()
    template["layout"].update(
        font={"family": HOUSE_FONT, "size": 13, "color": "#212529"},
        colorway=HOUSE_PALETTE,
        separators=".,",
        hoverlabel={"font": {"family": HOUSE_FONT}},
    )
    return template


HOUSE_FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", Arial, sans-serif'
)
HOUSE_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]


def _layout(**extra) -> dict:
    return {
        "margin": {"l": 64, "r": 16, "t": 30, "b": 48},
        "template": _template(),
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        **extra,
    }


class Figure(dict):
    """A plotly figure as a dict, with the two helpers the builders need."""

    def __init__(self, **layout) -> None:
        super().__init__(data=[], layout=_layout(**layout))

    @property
    def data(self) -> list[dict]:
        return self["data"]

    def add(self, trace_type: str, **trace) -> None:
        self["data"].append({"type": trace_type, **trace})

    def axis(self, name: str, **settings) -> None:
        """Axis settings; a title is given as {"text": …}, the only form plotly.js draws."""
        if isinstance(settings.get("title"), str):
            settings["title"] = {"text": settings["title"], "standoff": 8}
        self["layout"].setdefault(name, {}).update(settings)

    def money_axis(self, name: str, title: str, currency: str) -> None:
        """An axis of amounts in major units: its title names the currency, ticks in thousands."""
        self.axis(name, title=f"{title} ({currency})", tickformat=",.0f", rangemode="tozero")


def _major(values: Sequence[int], currency: str) -> list[float]:
    return [float(to_major(value, currency)) for value in values]


def empty_figure(message: str) -> Figure:
    figure = Figure(
        annotations=[
            {"text": message, "showarrow": False, "font": {"size": 14, "color": "#6c757d"}}
        ]
    )
    figure.axis("xaxis", visible=False)
    figure.axis("yaxis", visible=False)
    return figure


def revenue_trend(current, previous, currency: str, grain: str = "day") -> Figure:
    """Net revenue per day (or week, or month), with the comparison period drawn on the same
    points."""
    now = grouped(((r.business_date, r.net_revenue) for r in current), grain)
    before = grouped(((r.business_date, r.net_revenue) for r in previous), grain)
    days = [day for day, _ in now]
    label = GRAIN_LABELS[grain]
    figure = Figure()
    figure.add(
        "scatter",
        x=days,
        y=_major([amount for _, amount in now], currency),
        name="This period",
        mode="lines+markers",
    )
    figure.add(
        "scatter",
        x=days[: len(before)],
        y=_major([amount for _, amount in before][: len(days)], currency),
        name="Compared period",
        mode="lines",
        line={"dash": "dash", "color": "#adb5bd"},
        customdata=[str(day) for day, _ in before][: len(days)],
        hovertemplate="%{customdata}: %{y:,.2f}<extra>Compared period</extra>",
    )
    figure.money_axis("yaxis", f"Net revenue per {label}", currency)
    figure.axis("xaxis", title=f"{label.title()} (shop time)" if grain == "day" else label.title())
    return figure


GRAIN_LABELS = {"day": "day", "week": "week (from Monday)", "month": "month"}


def mark_anomalies(figure: Figure, anomalies, currency: str) -> Figure:
    """Flagged days of net revenue as markers on a daily trend, with their expected range."""
    if not anomalies:
        return figure
    figure.add(
        "scatter",
        x=[a.business_date for a in anomalies],
        y=[float(to_major(round(a.value), currency)) for a in anomalies],
        name="Unusual day",
        mode="markers",
        marker={"symbol": "diamond-open", "size": 14, "color": "#D55E00", "line": {"width": 2}},
        customdata=[
            [float(to_major(round(bound), currency)) for bound in (a.lower, a.upper)]
            for a in anomalies
        ],
        hovertemplate="expected %{customdata[0]:,.2f} – %{customdata[1]:,.2f}"
        "<extra>Unusual day</extra>",
    )
    return figure


def new_vs_returning(split) -> Figure:
    figure = Figure(barmode="stack")
    days = [row.business_date for row in split]
    figure.add("bar", x=days, y=[row.new_customers for row in split], name="New")
    figure.add("bar", x=days, y=[row.returning_customers for row in split], name="Returning")
    figure.axis("yaxis", title="Customers")
    return figure


def payment_mix(methods: dict[str, tuple[int, int]], currency: str) -> Figure:
    names = list(methods)
    figure = Figure(hovermode="closest")
    figure.add(
        "pie",
        labels=[PAYMENT_METHOD_LABELS.get(name, name) for name in names],
        values=_major([methods[name][1] for name in names], currency),
        customdata=[methods[name][0] for name in names],
        hole=0.5,
        sort=False,
        hovertemplate=f"%{{label}}: %{{value:,.2f}} {currency}"
        " (%{percent}, %{customdata:,} orders)<extra></extra>",
    )
    return figure


def channel_trend(rows, currency: str, grain: str = "day") -> Figure:
    """Net revenue per day (or week, or month) stacked by channel (days without a row count as
    zero), with the total as a line on top."""
    rows = [(bucket(day, grain), channel, amount, count) for day, channel, amount, count in rows]
    days = sorted({day for day, _channel, _amount, _count in rows})
    amounts: dict[str, dict] = {}
    for day, channel, amount, _count in rows:
        by_day = amounts.setdefault(channel, {})
        by_day[day] = by_day.get(day, 0) + amount
    figure = Figure()
    for channel in CHANNEL_LABELS:
        if not any(amounts.get(channel, {}).values()):
            continue
        figure.add(
            "scatter",
            x=days,
            y=_major([amounts[channel].get(day, 0) for day in days], currency),
            name=CHANNEL_LABELS[channel],
            mode="lines",
            stackgroup="channels",
            line={"width": 0.5},
            hovertemplate="%{y:,.2f}",
        )
    totals = [sum(by_day.get(day, 0) for by_day in amounts.values()) for day in days]
    figure.add(
        "scatter",
        x=days,
        y=_major(totals, currency),
        name="Total",
        mode="lines",
        line={"color": "#212529", "width": 2},
        hovertemplate="%{y:,.2f}",
    )
    figure.money_axis("yaxis", f"Net revenue per {GRAIN_LABELS[grain]}", currency)
    figure["layout"]["legend"] = {"orientation": "h", "y": -0.25, "x": 0}
    return figure


def segment_bars(summary, currency: str) -> Figure:
    """Each segment's share of the customers beside its share of lifetime revenue: one axis in
    percent, so the two bars compare directly (no second axis to misread)."""
    figure = Figure(hovermode="closest", barmode="group")
    segments = [row.segment for row in summary]
    figure.add(
        "bar",
        x=segments,
        y=[row.customer_share or 0 for row in summary],
        name="Share of customers",
        customdata=[row.customers for row in summary],
        hovertemplate="%{y:.1%} (%{customdata:,} customers)<extra></extra>",
    )
    figure.add(
        "bar",
        x=segments,
        y=[row.revenue_share or 0 for row in summary],
        name=f"Share of lifetime revenue ({currency})",
        customdata=_major([row.revenue for row in summary], currency),
        hovertemplate="%{y:.1%} (%{customdata:,.2f})<extra></extra>",
    )
    figure.axis("yaxis", title="Share", tickformat=".0%", rangemode="tozero")
    return figure


def ltv_histogram(buckets, currency: str) -> Figure:
    def label(bucket) -> str:
        low = f"{to_major(bucket.low, currency):,.0f}"
        return f"{low}+" if bucket.high is None else f"{low}–{to_major(bucket.high, currency):,.0f}"

    figure = Figure(hovermode="closest")
    figure.add(
        "bar", x=[label(bucket) for bucket in buckets], y=[bucket.customers for bucket in buckets]
    )
    figure.axis("xaxis", title=f"Lifetime value ({currency})")
    figure.axis("yaxis", title="Customers")
    return figure


def campaign_performance(rows, currency: str) -> Figure:
    """Money per day above, buyers per day in a panel of their own below: two panels sharing
    the days rather than two y-axes whose ticks never line up."""
    figure = Figure(barmode="group")
    days = [row.business_date for row in rows]
    figure.add(
        "bar",
        x=days,
        y=_major([row.revenue for row in rows], currency),
        name=f"Net revenue ({currency})",
    )
    figure.add(
        "bar",
        x=days,
        y=_major([row.discount_cost for row in rows], currency),
        name=f"Discount cost ({currency})",
    )
    figure.add("bar", x=days, y=[row.conversions for row in rows], name="Buyers", yaxis="y2")
    figure.money_axis("yaxis", "Amount", currency)
    figure.axis("yaxis", domain=[0.38, 1.0])
    figure.axis(
        "yaxis2",
        title="Buyers",
        domain=[0.0, 0.28],
        anchor="x",
        rangemode="tozero",
        tickformat=",d",
        dtick=max(1, -(-max((row.conversions for row in rows), default=1) // 3)),
    )
    return figure


def funnel_chart(steps) -> Figure:
    figure = Figure(hovermode="closest")
    figure.add(
        "funnel",
        y=[step.event_type.replace("_", " ").capitalize() for step in steps],
        x=[step.sessions for step in steps],
        textinfo="value+percent initial",
    )
    return figure


def cohort_heatmap(cohorts) -> Figure:
    """Retention by cohort month and months since; cells of a running month are marked with *."""
    width = max((len(cohort.cells) for cohort in cohorts), default=0)
    z, text = [], []
    for cohort in cohorts:
        row, labels = [], []
        for n in range(width):
            cell = cohort.cells[n] if n < len(cohort.cells) else None
            row.append(None if cell is None or cell.incomplete else round(cell.retention * 100, 1))
            labels.append(
                "" if cell is None else f"{cell.retention:.0%}" + ("*" if cell.incomplete else "")
            )
        z.append(row)
        text.append(labels)
    figure = Figure(hovermode="closest")
    figure.add(
        "heatmap",
        z=z,
        x=[f"+{n}" for n in range(width)],
        y=[f"{cohort.month:%b %Y} ({cohort.size})" for cohort in cohorts],
        text=text,
        texttemplate="%{text}",
        # Darker means more customers still buying: white at 0 %, deep blue at the top.
        colorscale=[[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]],
        zmin=0,
        zmax=100,
        colorbar={"title": "%"},
        hoverongaps=False,
    )
    figure.axis("yaxis", autorange="reversed", title="First-order month (customers)")
    figure.axis("xaxis", title="Months since first order")
    return figure


def alive_matrix_heatmap(matrix: dict, segments: Sequence[str], bands: Sequence[str]) -> Figure:
    """Customers per RFM segment (rows) and P(alive) band (columns)."""
    z = [[matrix.get((segment, band), (0, 0))[0] for band in bands] for segment in segments]
    figure = Figure(hovermode="closest")
    figure.add(
        "heatmap",
        z=z,
        x=list(bands),
        y=list(segments),
        text=[[f"{value:,}" for value in row] for row in z],
        texttemplate="%{text}",
        # Darker means more customers still buying: white at 0 %, deep blue at the top.
        colorscale=[[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]],
        colorbar={"title": "Customers"},
    )
    figure.axis("yaxis", autorange="reversed")
    figure.axis("xaxis", title="P(alive)")
    return figure


def calibration_chart(calibration: dict) -> Figure:
    """Cumulative repeat purchase days after the calibration end: predicted vs actual."""
    figure = Figure()
    weeks = calibration["weeks"]
    figure.add(
        "scatter",
        x=weeks,
        y=calibration["actual_cumulative"],
        name="Actual",
        mode="lines",
    )
    figure.add(
        "scatter",
        x=weeks,
        y=calibration["predicted_cumulative"],
        name="Predicted (BG/NBD)",
        mode="lines",
        line={"dash": "dash"},
    )
    figure.axis("xaxis", title="Weeks after the calibration end")
    figure.axis("yaxis", title="Repeat purchase days (cumulative)")
    return figure


def product_trend(days, every_day: Iterable, currency: str, grain: str = "day") -> Figure:
    """Net sales of products per day (or week, or month) as bars, gross profit on the sales
    whose cost is known as a line; days without sales count as zero."""
    by_day = {row.business_date: row.figures for row in days}
    net = grouped(((d, by_day[d].net_sales if d in by_day else 0) for d in every_day), grain)
    profit = grouped(((d, by_day[d].gross_profit if d in by_day else 0) for d in every_day), grain)
    buckets = [day for day, _ in net]
    figure = Figure()
    figure.add(
        "bar",
        x=buckets,
        y=_major([amount for _, amount in net], currency),
        name="Net sales",
        marker={"color": HOUSE_PALETTE[0]},
        hovertemplate=f"%{{y:,.2f}} {currency}",
    )
    figure.add(
        "scatter",
        x=buckets,
        y=_major([amount for _, amount in profit], currency),
        name="Gross profit (where cost is known)",
        mode="lines+markers",
        line={"color": HOUSE_PALETTE[2], "width": 2},
        hovertemplate=f"%{{y:,.2f}} {currency}",
    )
    figure.money_axis("yaxis", f"Amount per {GRAIN_LABELS[grain]}", currency)
    figure.axis("xaxis", title="Day (shop time)" if grain == "day" else GRAIN_LABELS[grain].title())
    figure["layout"]["yaxis"]["rangemode"] = "normal"  # returns can make a day negative
    figure["layout"]["yaxis"]["hoverformat"] = ",.2f"
    return figure
