"""Predictive customer value: BG/NBD (purchases, P(alive)) and Gamma-Gamma (spend).

Fader, Hardie & Lee (2005), "Counting your customers the easy way" (BG/NBD) and "RFM and
CLV: using iso-value curves" (Gamma-Gamma). Each customer is summarised by their purchase
*days* up to a calibration end, time in weeks:

    x    repeat purchases: distinct purchase days after the first
    t_x  weeks from the first purchase day to the last
    T    weeks from the first purchase day to the calibration end
    m    mean spend of the repeat purchase days (Gamma-Gamma only, customers with x > 0)

Both models are fitted by maximum likelihood (scipy) on log-parameters, so every parameter
stays positive. The math below is numpy over whole columns: no per-customer Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from sqlalchemy.orm import Session

from app.analytics.customers import order_stats
from app.analytics.sql import counted, day_number, raw_rows, replace_rows
from app.models import ClvModel, CustomerMetrics, CustomerPrediction, Order
from app.timeutil import utc_now

EPOCH = date(1970, 1, 1)
WEEKS_PER_MONTH = 52.0 / 12.0
MIN_REPEAT_CUSTOMERS = 20  # fewer than this and the rule-based churn risk stays


@dataclass(frozen=True)
class Summary:
    """Per-customer columns (same order everywhere); spend in minor units."""

    customer_ids: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    monetary: np.ndarray  # mean repeat-day spend; 0 where x == 0

    @property
    def size(self) -> int:
        return len(self.customer_ids)

    @property
    def repeaters(self) -> np.ndarray:
        return self.x > 0


def customer_summary(session: Session, as_of: date, scale: float = 1.0) -> Summary:
    """(x, t_x, T, m) of every customer with a purchase day on or before `as_of`, spend × scale.

    Read from the per-customer summary the refresher keeps (CustomerMetrics: purchase days,
    first and last purchase day, repeat-day sales), one row per customer — never the orders.
    Customers who bought after `as_of` (today's buyers for the nightly scoring; the holdout's
    for a fit with a check) are summarised from their own orders up to it, in SQL.
    """
    metrics = CustomerMetrics.__table__
    later = (
        sa.select(Order.customer_id)
        .where(counted(Order.status), Order.customer_id.is_not(None), Order.business_date > as_of)
        .distinct()
    )
    stored = sa.select(
        metrics.c.customer_id,
        metrics.c.purchase_days,
        day_number(metrics.c.first_order_date),
        day_number(metrics.c.last_order_date),
        metrics.c.repeat_day_sales,
    ).where(
        metrics.c.orders_count > 0,
        metrics.c.first_order_date <= as_of,
        metrics.c.customer_id.not_in(later),
    )
    stats = order_stats(later, until=as_of)
    recomputed = sa.select(
        stats.c.customer_id,
        stats.c.purchase_days,
        day_number(stats.c.first_day),
        day_number(stats.c.last_day),
        stats.c.repeat_day_sales,
    )
    rows = raw_rows(session, sa.union_all(stored, recomputed))
    columns = np.array(rows, dtype=float).reshape(-1, 5)
    columns = columns[np.argsort(columns[:, 0], kind="stable")]
    customer_ids, days, first, last, repeat_sales = columns.T
    x = days - 1
    return Summary(
        customer_ids=customer_ids.astype(int),
        x=x,
        t_x=(last - first) / 7.0,
        T=(day(as_of) - first) / 7.0,
        monetary=np.divide(repeat_sales * scale, x, out=np.zeros(len(x)), where=x > 0),
    )


def day(value: date) -> int:
    """Whole days since 1970 (the day_number of SQL)."""
    return (value - EPOCH).days


# --- BG/NBD -----------------------------------------------------------------------------


def bgnbd_log_likelihood(params: np.ndarray, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    beta_ratio = betaln(a, b + x) - betaln(a, b)
    alive_term = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropout_term = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + beta_ratio + np.logaddexp(alive_term, dropout_term)


def gamma_gamma_log_likelihood(params: np.ndarray, x, m) -> np.ndarray:
    p, q, v = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + m * x)
    )


@dataclass(frozen=True)
class Fit:
    params: tuple[float, ...]
    log_likelihood: float
    sample_size: int


# The optimiser searches log-parameters within these bounds (about 1e-6 to 1.2e6). Outside
# them the likelihood's gammaln terms are differences of numbers near 1e10 and lose every
# digit: an unbounded Nelder-Mead walked off to Gamma-Gamma p ≈ 1e9 on the demo shop and
# reported a "maximum" 3,000 log-units worse than the interior one (p ≈ 3.4, q ≈ 34).
LOG_BOUNDS = (-14.0, 14.0)
# A simplex optimum with a log-parameter beyond this (about 1e-5 or 1e5) is suspect.
SUSPECT_LOG = 11.5
# Offsets (in log space) from the starting point for the extra bounded starts.
EXTRA_STARTS = ((1.0, 1.0, 1.0, 1.0), (1.0, 1.0, 3.0, 1.0), (-1.0, 0.0, 1.0, 0.0))


def _maximise(log_likelihood, start: np.ndarray, sample_size: int) -> Fit:
    low, high = LOG_BOUNDS

    def negative(log_params: np.ndarray) -> float:
        if np.any(log_params < low) or np.any(log_params > high):
            return 1e300
        value = -np.sum(log_likelihood(np.exp(log_params)))
        return value if np.isfinite(value) else 1e300

    origin = np.log(start)
    simplex = minimize(
        negative,
        origin,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20_000, "maxfev": 20_000},
    )
    # A gradient method polishes the simplex optimum. Where the simplex ended near the bounds,
    # a flat ridge may have led it away from the real maximum: a few more bounded starts.
    bounds = [LOG_BOUNDS] * len(origin)
    points = [simplex.x]
    if np.any(np.abs(simplex.x) > SUSPECT_LOG):
        points += [origin + np.array(offset[: len(origin)]) for offset in EXTRA_STARTS]
    candidates = [simplex]
    for point in points:
        candidates.append(
            minimize(negative, np.clip(point, low, high), method="L-BFGS-B", bounds=bounds)
        )
    best = min(candidates, key=lambda result: result.fun)
    if not np.isfinite(best.fun) or best.fun >= 1e300:
        raise FitError("the likelihood could not be maximised")
    return Fit(tuple(float(v) for v in np.exp(best.x)), float(-best.fun), sample_size)


class FitError(RuntimeError):
    """Too little data, or the optimiser found no finite maximum, or only a degenerate one."""


# A maximum with a parameter outside these bounds is the optimiser running off to a boundary
# (e.g. Gamma-Gamma p → 1.6e8, γ → 0 when spend barely varies between customers): its
# predictions would be numbers without meaning, so such a fit is stored as failed.
SANE_PARAMETER = (1e-6, 1e6)


def require_sane(model: str, names: tuple[str, ...], fit: Fit) -> Fit:
    low, high = SANE_PARAMETER
    odd = [
        f"{name}={value:.3g}"
        for name, value in zip(names, fit.params, strict=True)
        if not (np.isfinite(value) and low <= value <= high)
    ]
    if odd:
        raise FitError(
            f"the {model} fit is degenerate ({', '.join(odd)}): the data do not pin the model"
            " down, so no predictions are made from it"
        )
    return fit


def fit_bgnbd(summary: Summary) -> Fit:
    if int(summary.repeaters.sum()) < MIN_REPEAT_CUSTOMERS:
        raise FitError(
            f"{int(summary.repeaters.sum())} customers with a repeat purchase; "
            f"at least {MIN_REPEAT_CUSTOMERS} are needed"
        )
    x, t_x, T = summary.x, summary.t_x, summary.T
    return _maximise(
        lambda p: bgnbd_log_likelihood(p, x, t_x, T), np.array([1.0, 1.0, 1.0, 1.0]), summary.size
    )


def fit_gamma_gamma(summary: Summary) -> Fit:
    keep = summary.repeaters & (summary.monetary > 0)
    if int(keep.sum()) < MIN_REPEAT_CUSTOMERS:
        raise FitError("too few customers with repeat spend for the Gamma-Gamma model")
    x, m = summary.x[keep], summary.monetary[keep]
    return _maximise(
        lambda p: gamma_gamma_log_likelihood(p, x, m), np.array([1.0, 1.0, 1.0]), int(keep.sum())
    )


def p_alive(params, x, t_x, T) -> np.ndarray:
    r, alpha, a, b = params
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        odds = np.where(
            x > 0,
            (a / np.maximum(b + x - 1, 1e-300)) * ((alpha + T) / (alpha + t_x)) ** (r + x),
            0.0,
        )
    return 1.0 / (1.0 + odds)


def expected_purchases(params, weeks, x, t_x, T) -> np.ndarray:
    """E[purchases in the next `weeks`] for customers with history (x, t_x, T)."""
    r, alpha, a, b = params
    weeks = np.asarray(weeks, dtype=float)
    head = (a + b + x - 1) / (a - 1)
    ratio = ((alpha + T) / (alpha + T + weeks)) ** (r + x)
    tail = hyp2f1(r + x, b + x, a + b + x - 1, weeks / (alpha + T + weeks))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        dropout = np.where(
            x > 0,
            (a / np.maximum(b + x - 1, 1e-300)) * ((alpha + T) / (alpha + t_x)) ** (r + x),
            0.0,
        )
    return head * (1 - ratio * tail) / (1 + dropout)


def expected_spend(params, x, monetary) -> np.ndarray:
    """Gamma-Gamma conditional mean spend per purchase; the population mean where x == 0."""
    p, q, v = params
    population = p * v / (q - 1) if q > 1 else np.nan
    conditional = (p * (v + x * monetary)) / (p * x + q - 1)
    return np.where(x > 0, conditional, population)


def discounted_clv(
    bgnbd, gamma_gamma, summary: Summary, months: int = 12, monthly_rate: float = 0.01
) -> np.ndarray:
    """Σ over the next months of expected purchases in that month × expected spend, discounted."""
    spend = expected_spend(gamma_gamma, summary.x, summary.monetary)
    total = np.zeros(summary.size)
    previous = np.zeros(summary.size)
    for month in range(1, months + 1):
        cumulative = expected_purchases(
            bgnbd, month * WEEKS_PER_MONTH, summary.x, summary.t_x, summary.T
        )
        total += (cumulative - previous) * spend / (1 + monthly_rate) ** month
        previous = cumulative
    return total


@dataclass(frozen=True)
class CalibrationCheck:
    """Repeat purchase days after the calibration end: predicted vs actual, week by week."""

    weeks: list[int]
    predicted_cumulative: list[float]
    actual_cumulative: list[int]

    @property
    def predicted_total(self) -> float:
        return self.predicted_cumulative[-1] if self.predicted_cumulative else 0.0

    @property
    def actual_total(self) -> int:
        return self.actual_cumulative[-1] if self.actual_cumulative else 0


def calibration_check(
    session: Session, bgnbd, summary: Summary, calibration_end: date, holdout_weeks: int
) -> CalibrationCheck:
    """For the calibration customers: predicted and actual cumulative repeat days per week.

    The actual repeat days after the calibration end are counted in SQL, week by week.
    """
    weeks = list(range(1, holdout_weeks + 1))
    predicted = [
        float(np.sum(expected_purchases(bgnbd, w, summary.x, summary.t_x, summary.T)))
        for w in weeks
    ]
    metrics = CustomerMetrics.__table__
    after = (
        sa.select(Order.customer_id, Order.business_date)
        .join(metrics, metrics.c.customer_id == Order.customer_id)
        .where(
            counted(Order.status),
            Order.business_date > calibration_end,
            Order.business_date <= calibration_end + timedelta(weeks=holdout_weeks),
            metrics.c.first_order_date <= calibration_end,
        )
        .distinct()
        .subquery()
    )
    # Days 1–7 after the end are week 1, and so on (integer division on both databases).
    week = (day_number(after.c.business_date) - day(calibration_end) + 6) // 7
    per_week = dict(session.execute(sa.select(week, sa.func.count()).group_by(week)).all())
    actual = list(np.cumsum([int(per_week.get(w, 0)) for w in weeks]).tolist())
    return CalibrationCheck(weeks, predicted, actual)


def holdout_end(calibration_end: date, weeks: int) -> date:
    return calibration_end + timedelta(weeks=weeks)


# --- fitting and scoring a shop --------------------------------------------------------

REFIT_AFTER = timedelta(days=7)
HOLDOUT_WEEKS_MAX = 52


def fit_shop(session: Session, calibration_end: date, currency_exponent: int) -> ClvModel:
    """Fit both models on the purchases up to calibration_end and store the result (or failure).

    Spend is fitted in major units, so gamma reads like the literature's. When purchases exist
    after calibration_end, the predicted and actual repeat days there are stored as a check.
    """
    summary = customer_summary(session, calibration_end, 10.0**-currency_exponent)
    model = ClvModel(
        calibration_end=calibration_end,
        customers=summary.size,
        repeat_customers=int(summary.repeaters.sum()),
    )
    try:
        bgnbd = require_sane("BG/NBD", ("r", "alpha", "a", "b"), fit_bgnbd(summary))
        spend = require_sane("Gamma-Gamma", ("p", "q", "gamma"), fit_gamma_gamma(summary))
        if spend.params[1] <= 1:
            raise FitError(
                f"the Gamma-Gamma fit has q={spend.params[1]:.3g} ≤ 1: mean spend is undefined"
            )
    except FitError as error:
        model.status, model.message = "failed", str(error)
    else:
        model.status = "fitted"
        model.r, model.alpha, model.a, model.b = bgnbd.params
        model.bgnbd_log_likelihood = bgnbd.log_likelihood
        model.p, model.q, model.gamma = spend.params
        model.gamma_gamma_log_likelihood = spend.log_likelihood
        last_day = session.scalar(sa.select(sa.func.max(CustomerMetrics.last_order_date)))
        holdout = min(
            ((last_day or calibration_end) - calibration_end).days // 7, HOLDOUT_WEEKS_MAX
        )
        if holdout >= 1:
            check = calibration_check(session, bgnbd.params, summary, calibration_end, holdout)
            model.calibration = {
                "weeks": check.weeks,
                "predicted_cumulative": check.predicted_cumulative,
                "actual_cumulative": check.actual_cumulative,
            }
    session.add(model)
    session.flush()
    return model


def latest_model(session: Session, fitted_only: bool = True) -> ClvModel | None:
    query = sa.select(ClvModel).order_by(ClvModel.fitted_at.desc(), ClvModel.id.desc()).limit(1)
    if fitted_only:
        query = query.where(ClvModel.status == "fitted")
    return session.scalar(query)


def score_customers(
    session: Session, model: ClvModel, as_of: date, currency_exponent: int, monthly_rate: float
) -> int:
    """P(alive), next-90-day orders, 12-month CLV and value at risk for every buyer, set-based.

    The churn risk becomes 1 − P(alive). Each customer's history runs to `as_of`.
    """
    scale = 10.0**-currency_exponent
    summary = customer_summary(session, as_of, scale)
    if not summary.size:
        return 0
    bgnbd = (model.r, model.alpha, model.a, model.b)
    alive = p_alive(bgnbd, summary.x, summary.t_x, summary.T)
    orders_90d = expected_purchases(bgnbd, 90 / 7, summary.x, summary.t_x, summary.T)
    value = discounted_clv(bgnbd, (model.p, model.q, model.gamma), summary, 12, monthly_rate)
    clv_minor = np.rint(np.nan_to_num(value) / scale).astype(np.int64)
    at_risk = np.rint(clv_minor * (1 - alive)).astype(np.int64)
    _write_predictions(session, summary.customer_ids, alive, orders_90d, clv_minor, at_risk)
    return summary.size


def _write_predictions(session: Session, ids, alive, orders_90d, clv_minor, at_risk) -> None:
    """Every buyer's row at once: each one changes every night (T grows), so the table is
    replaced whole, the rule's rows of buyers the model did not score included (the
    rescoring that follows puts theirs back)."""
    columns = (ids, 1.0 - alive, alive, orders_90d, clv_minor, at_risk)
    replace_rows(
        session,
        CustomerPrediction.__table__,
        PREDICTION_COLUMNS,
        list(zip(*(column.tolist() for column in columns), strict=True)),
    )


PREDICTION_COLUMNS = (
    "customer_id",
    "churn_risk",
    "p_alive",
    "expected_orders_90d",
    "clv_12m",
    "value_at_risk",
)


def refresh_predictions(
    session: Session, today: date, currency_exponent: int, monthly_rate: float
) -> int:
    """The nightly step: refit once a week (on everything up to yesterday), score every night
    as of yesterday; returns the customers scored (0: no fitted model)."""
    last_attempt = latest_model(session, fitted_only=False)
    now = utc_now()
    if last_attempt is None or now - last_attempt.fitted_at >= REFIT_AFTER:
        fit_shop(session, today - timedelta(days=1), currency_exponent)
    model = latest_model(session)
    if model is None:
        return 0
    return score_customers(
        session, model, today - timedelta(days=1), currency_exponent, monthly_rate
    )
