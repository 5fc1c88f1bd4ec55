"""Figure builders: pure functions from engine results to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from app.formatting import to_major
from app.models.enums import CHANNEL_LABELS

LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 30, "b": 40},
    "template": "plotly_white",
    "legend": {"orientation": "h", "y": -0.2},
    "hovermode": "x unified",
}


def _major(values: Sequence[int], currency: str) -> list[float]:
    return [float(to_major(value, currency)) for value in values]


def empty_figure(message: str) -> go.Figure:
    figure = go.Figure(layout=LAYOUT)
    figure.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#6c757d"})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def revenue_trend(current, previous, currency: str) -> go.Figure:
    """Net revenue per day, with the previous period drawn on the same days for comparison."""
    days = [row.business_date for row in current]
    figure = go.Figure(layout=LAYOUT)
    figure.add_scatter(
        x=days,
        y=_major([r.net_revenue for r in current], currency),
        name="This period",
        mode="lines+markers",
    )
    figure.add_scatter(
        x=days,
        y=_major([r.net_revenue for r in previous], currency),
        name="Previous period",
        mode="lines",
        line={"dash": "dash", "color": "#adb5bd"},
        customdata=[str(r.business_date) for r in previous],
        hovertemplate="%{customdata}: %{y:,.2f}<extra>Previous period</extra>",
    )
    figure.update_yaxes(title=f"Net revenue ({currency})")
    return figure


def new_vs_returning(split) -> go.Figure:
    figure = go.Figure(layout={**LAYOUT, "barmode": "stack"})
    days = [row.business_date for row in split]
    figure.add_bar(x=days, y=[row.new_customers for row in split], name="New")
    figure.add_bar(x=days, y=[row.returning_customers for row in split], name="Returning")
    figure.update_yaxes(title="Customers")
    return figure


def payment_mix(methods: dict[str, tuple[int, int]], currency: str) -> go.Figure:
    names = list(methods)
    figure = go.Figure(layout={**LAYOUT, "hovermode": "closest"})
    figure.add_pie(
        labels=[name.replace("_", " ").title() for name in names],
        values=_major([methods[name][1] for name in names], currency),
        hole=0.5,
        sort=False,
    )
    return figure


def channel_trend(rows, currency: str) -> go.Figure:
    """One line per channel: net revenue per day."""
    figure = go.Figure(layout=LAYOUT)
    by_channel: dict[str, list] = {}
    for day, channel, amount, _count in rows:
        by_channel.setdefault(channel, []).append((day, amount))
    for channel, points in by_channel.items():
        figure.add_scatter(
            x=[day for day, _ in points],
            y=_major([amount for _, amount in points], currency),
            name=CHANNEL_LABELS[channel],
            mode="lines",
        )
    figure.update_yaxes(title=f"Net revenue ({currency})")
    return figure


def segment_bars(summary, currency: str) -> go.Figure:
    figure = go.Figure(layout={**LAYOUT, "hovermode": "closest"})
    figure.add_bar(
        x=[row.segment for row in summary], y=[row.customers for row in summary], name="Customers"
    )
    figure.add_scatter(
        x=[row.segment for row in summary],
        y=_major([row.revenue for row in summary], currency),
        name=f"Lifetime revenue ({currency})",
        yaxis="y2",
        mode="markers",
        marker={"size": 10},
    )
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False})
    return figure


def ltv_histogram(buckets, currency: str) -> go.Figure:
    def label(bucket) -> str:
        low = f"{to_major(bucket.low, currency):,.0f}"
        return f"{low}+" if bucket.high is None else f"{low}–{to_major(bucket.high, currency):,.0f}"

    figure = go.Figure(layout={**LAYOUT, "hovermode": "closest"})
    figure.add_bar(
        x=[label(bucket) for bucket in buckets], y=[bucket.customers for bucket in buckets]
    )
    figure.update_xaxes(title=f"Lifetime value ({currency})")
    figure.update_yaxes(title="Customers")
    return figure


def campaign_performance(rows, currency: str) -> go.Figure:
    figure = go.Figure(layout=LAYOUT)
    days = [row.business_date for row in rows]
    figure.add_bar(
        x=days, y=_major([row.revenue for row in rows], currency), name=f"Net revenue ({currency})"
    )
    figure.add_bar(
        x=days,
        y=_major([row.discount_cost for row in rows], currency),
        name=f"Discount cost ({currency})",
    )
    figure.add_scatter(
        x=days, y=[row.conversions for row in rows], name="Buyers", yaxis="y2", mode="lines+markers"
    )
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False})
    return figure


def funnel_chart(steps) -> go.Figure:
    figure = go.Figure(layout={**LAYOUT, "hovermode": "closest"})
    figure.add_funnel(
        y=[step.event_type.replace("_", " ").title() for step in steps],
        x=[step.sessions for step in steps],
        textinfo="value+percent initial",
    )
    return figure


def cohort_heatmap(cohorts) -> go.Figure:
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
    figure = go.Figure(layout={**LAYOUT, "hovermode": "closest"})
    figure.add_heatmap(
        z=z,
        x=[f"+{n}" for n in range(width)],
        y=[f"{cohort.month:%b %Y} ({cohort.size})" for cohort in cohorts],
        text=text,
        texttemplate="%{text}",
        colorscale="Blues",
        zmin=0,
        zmax=100,
        colorbar={"title": "%"},
        hoverongaps=False,
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title="Months since first order")
    return figure
