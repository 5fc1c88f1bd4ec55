import pytest

from app.formatting import format_count, format_money


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (123456, "USD", "$1,234.56"),
        (5, "USD", "$0.05"),
        (-250, "USD", "-$2.50"),
        (100000, "EUR", "€1,000.00"),
        (1500, "JPY", "¥1,500"),
        (9999, "CHF", "99.99 CHF"),
    ],
)
def test_money_is_shown_in_the_shop_currency(cents, currency, text):
    assert format_money(cents, currency) == text


def test_counts_get_thousands_separators():
    assert format_count(1234567) == "1,234,567"


def test_shares_are_never_rounded_to_all_or_nothing():
    from app.formatting import cost_known_note, format_share

    assert [format_share(v) for v in (None, 0.0, 0.0004, 0.92, 0.9996, 1.0)] == [
        "—",
        "0%",
        "0.1%",
        "92%",
        "99.9%",
        "100%",
    ]
    assert cost_known_note(0.652) == "cost known for 65% of net sales"
    assert cost_known_note(None) == "no net sales to cover"
