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
    "Net sales by product": "A product's sales in counted orders after discounts, on the order's "
    "business day (each line carries its own discount plus its share of the order's discount, "
    "spread by value), less what was refunded against its lines on the refund's business day: "
    "gross − discounts − returns. A refund that names no lines is spread over the order's lines "
    "by value. Summed over every product, it is the net revenue of the orders with lines.",
    "Cost of goods": "Units sold × the unit cost frozen on each line at the sale (sent with the "
    "line, else the product's cost in force when the order was placed), for the lines whose cost "
    "is known only; units that come back take their cost off on the refund's day.",
    "Gross profit": "Net sales of the lines whose cost is known − their cost of goods. A line "
    "without a known cost is left out, never counted as costing nothing, so every profit figure "
    "is shown with its cost-known share.",
    "Margin": "Gross profit / net sales of the lines whose cost is known (the same sales the "
    "profit covers); “—” when those sales are zero or less (no cost known).",
    "Cost-known share": "Net sales of the lines whose cost is known / all net sales, over the "
    "same products and days: how much of the sales a profit figure covers; “—” when net sales "
    "are zero or less.",
    "Return rate": "Returns / (gross − discounts), by value (a refund need not name units), over "
    "the same products and days; returns count on the refund's day and sales on the order's, "
    "so a range can hold returns of sales made before it.",
    "Support, confidence and lift": "Over the counted orders with lines in the range: support = "
    "orders holding both products / all of those orders; confidence A → B = orders holding both "
    "/ orders holding A; lift = confidence A → B / share of orders holding B (above 1: bought "
    "together more often than chance). Pairs bought together in fewer than 5 orders are not "
    "shown.",
    "First product → repeat rate": "New customers (first counted order on a day of the range), "
    "grouped by each product of that first day's orders; repeat rate = the share of them who "
    "have bought on a later day since (as of the figures). Products first bought by fewer than "
    "10 new customers are not shown.",
    "Figures as of": "Every page and API answer says when its figures were brought up to date: "
    "every order, refund and event received before that instant is in them. New data reaches "
    "the figures within seconds.",
    "Business day": "A calendar day in the shop's time zone (SHOP_TIMEZONE).",
}
