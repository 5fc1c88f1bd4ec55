"""The metric definitions staff see: one wording, used by the pages, the API docs and the README."""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "Anomaly": "A day whose figure (net revenue, orders, AOV, conversion rate or refunds, overall "
    "or per channel) fell outside the range its previous eight weeks predicted, weekday pattern "
    "included; judged each night from the days before it only.",
    "Month-end forecast": "Month to date plus a forecast of the days left, by the method with the "
    "lowest error over the last twelve weeks of back-tests; the range holds the month end four "
    "times in five, and the chance of a target comes from those same back-test errors.",
    "Counted orders": "Orders that reached completed (status completed or refunded). Pending and "
    "cancelled orders never count.",
    "Gross sales": "Sum of the subtotals of counted orders, on the shop-local day the order was "
    "placed.",
    "Discounts": "Sum of the discounts of counted orders, on the day the order was placed.",
    "Refunds": "Merchandise refunded, on the refund's own shop-local day (not the order's).",
    "Net revenue": "Gross sales − discounts − refunds. Tax and shipping are reported apart.",
    "Revenue by channel": "Net revenue of each of the seven channels; a refund goes to its order's "
    "channel, so the channels of a day add up to that day's net revenue.",
    "AOV": "Average order value: (gross sales − discounts) / counted orders, over the same days, "
    "rounded half up to the cent.",
    "Customers": "Distinct customers with a counted order in the period.",
    "New customers": "Customers whose first counted order ever fell in the period; the others are "
    "returning customers.",
    "Sessions": "Visitor sessions, counted on the day of their first page view.",
    "Conversion rate": "Share of those sessions that include a purchase. Orders with no tracked "
    "visit are not sessions.",
    "Lifetime value": "A customer's net revenue to date: their counted orders' sales less their "
    "refunds.",
    "RFM scores": "Recency, frequency and monetary value scored 1–5 by quintile of rank among "
    "customers with an order (recency reversed: the most recent score 5; equal values are split "
    "by rank, not lumped).",
    "Segments": "From the R×F grid: Champions (R5 F4–5), Loyal (R3–4 F4–5), Potential loyalists "
    "(R4–5 F2–3), New (R5 F1), Promising (R4 F1), Need attention (R3 F3), About to sleep "
    "(R3 F1–2), At risk (R1–2 F3–4), Can't lose (R1–2 F5), Hibernating (R1–2 F1–2).",
    "Churn risk": "Rule-based until a predictive model is fitted: 0 while a customer is within "
    "their usual interval between orders (the shop's average for one-order customers), rising "
    "linearly to 1 at three intervals overdue. Once a model is fitted: 1 − P(alive).",
    "P(alive) and CLV": "From a BG/NBD model of repeat purchase days and a Gamma-Gamma model of "
    "spend, fitted weekly on the shop's orders: P(alive) is the probability the customer has not "
    "quietly left; expected orders in the next 90 days; 12-month CLV is the expected spend of the "
    "next 12 months, discounted monthly (1% by default); value at risk = CLV × (1 − P(alive)).",
    "Funnel": "Sessions entered in the period (first page view) that reach each step — page view, "
    "product view, add to cart, checkout, purchase — in order within the conversion window "
    "(default 14 days); step conversion, overall conversion, drop-off and median time to convert.",
    "Cohort retention": "Customers grouped by the month of their first counted order; a cell is "
    "the share who ordered in month n after it. The running month is marked incomplete, never a "
    "decline.",
    "Campaign ROI": "(Attributed net revenue − spend) / spend; ROAS = attributed net revenue / "
    "spend. Attributed orders are the counted orders carrying the campaign's coupon; their net "
    "revenue is already after the discount, so the discount cost is shown apart and never "
    "subtracted again. Both are “—” before the campaign starts or without spend. The spend is "
    "spread evenly over the scheduled days (an open-ended campaign: the days run so far), so the "
    "days' shares add up to the spend. Buyers are distinct customers over the period shown.",
    "Figures as of": "Every page and API answer says when its figures were brought up to date: "
    "every order, refund and event received before that instant is in them. New data reaches "
    "the figures within seconds.",
    "Business day": "A calendar day in the shop's time zone (SHOP_TIMEZONE).",
}
