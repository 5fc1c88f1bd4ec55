"""The house charts: what a manager reads off them without a legend hunt."""

from datetime import date
from types import SimpleNamespace

from app.dash_apps import figures


def test_every_axis_title_is_given_in_the_form_plotly_draws():
    figure = figures.Figure()
    figure.money_axis("yaxis", "Net revenue", "EUR")
    assert figure["layout"]["yaxis"]["title"]["text"] == "Net revenue (EUR)"
    assert figure["layout"]["yaxis"]["tickformat"] == ",.0f"
    layout = figures._template()["layout"]
    assert layout["colorway"] == figures.HOUSE_PALETTE and "system-ui" in layout["font"]["family"]


def test_cohort_colours_darken_with_retention():
    cell = SimpleNamespace(retention=0.5, incomplete=False)
    cohort = SimpleNamespace(month=date(2026, 1, 1), size=10, cells=[cell])
    scale = figures.cohort_heatmap([cohort])["data"][0]["colorscale"]
    assert scale[0] == [0.0, "#f7fbff"] and scale[-1] == [1.0, "#08306b"]  # pale → dark


def test_channels_stack_with_a_total_and_campaign_buyers_get_their_own_panel():
    rows = [
        (date(2026, 3, 2), "web", 1_000, 1),
        (date(2026, 3, 2), "pos", 500, 1),
        (date(2026, 3, 3), "web", 2_000, 2),
    ]
    trend = figures.channel_trend(rows, "USD", "week")
    stacked = [t for t in trend["data"] if t.get("stackgroup")]
    total = next(t for t in trend["data"] if t["name"] == "Total")
    assert {t["name"] for t in stacked} == {"Web store", "Point of sale"}
    assert total["y"] == [35.0] and total["x"] == [date(2026, 3, 2)]
    day = SimpleNamespace(
        business_date=date(2026, 3, 2), revenue=1_000, discount_cost=100, conversions=3
    )
    campaign = figures.campaign_performance([day], "USD")["layout"]
    assert "overlaying" not in campaign["yaxis2"]  # a panel below, not a second scale on top
    assert campaign["yaxis2"]["domain"][1] < campaign["yaxis"]["domain"][0]


def test_segments_compare_shares_on_one_axis():
    row = SimpleNamespace(
        segment="Champions", customers=5, revenue=9_000, customer_share=0.1, revenue_share=0.4
    )
    figure = figures.segment_bars([row], "USD")
    assert "yaxis2" not in figure["layout"]
    assert [t["y"] for t in figure["data"]] == [[0.1], [0.4]]
