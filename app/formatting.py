"""Money and number formatting: the one place figures are turned into text."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
# ISO 4217 currencies without minor units; every other is taken to have two.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD", "UGX"})


def minor_unit_exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Exact conversion of minor units to a Decimal in major units."""
    return Decimal(amount_minor).scaleb(-minor_unit_exponent(currency))


def format_money(amount_minor: int, currency: str) -> str:
    """`123456` cents in USD → `$1,234.56`; negatives keep the sign before the symbol."""
    exponent = minor_unit_exponent(currency)
    major = abs(to_major(amount_minor, currency))
    number = f"{major:,.{exponent}f}"
    sign = "-" if amount_minor < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"


def format_count(value: int) -> str:
    return f"{value:,}"


def format_shop_time(moment: datetime, zone: tzinfo) -> str:
    """An instant as the shop's staff read it: `2026-03-10 13:00` in the shop's time zone."""
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


MONEY_FIGURES = frozenset({"net_revenue", "gross", "discounts", "refunds", "aov"})
RATE_FIGURES = frozenset({"conversion_rate"})


def format_figure(name: str, value: float, currency: str) -> str:
    """A figure by its name: money in the currency, rates in percent, counts whole."""
    if name in MONEY_FIGURES:
        return format_money(round(value), currency)
    if name in RATE_FIGURES:
        return f"{value:.2%}"
    return format_count(round(value))


def format_change(change: float | None) -> str:
    """A relative change as `+12.5%`; `—` when there is nothing to compare with."""
    return "—" if change is None else f"{change:+.1%}"


def format_share(share: float | None) -> str:
    """A share in whole percent, never rounded up to 100% or down to 0% when it is not."""
    if share is None:
        return "—"
    shown = f"{share:.0%}"
    if shown == "100%" and share < 1:
        shown = f"{min(share, 0.999):.1%}"
    elif shown == "0%" and share > 0:
        shown = f"{max(share, 0.001):.1%}"
    return shown


def cost_known_note(share: float | None) -> str:
    """The words beside every profit figure: how much of net sales it covers."""
    if share is None:
        return "no net sales to cover"
    return f"cost known for {format_share(share)} of net sales"
