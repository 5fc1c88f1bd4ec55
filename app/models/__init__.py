"""The data model: importing this package registers every table on Base.metadata."""

from app.models.accounts import ApiToken, User
from app.models.analytics import (
    AliveMatrixCell,
    Campaign,
    CampaignPerformance,
    ClvModel,
    CohortRetention,
    ConversionEvent,
    CustomerMetrics,
    CustomerPrediction,
    DailyAnalyticsSnapshot,
    DailyBuyers,
    FunnelConversionTime,
    FunnelDaily,
    FunnelSession,
    PageViewAnalytics,
    PaymentMethodDaily,
    RevenueStream,
)
from app.models.base import Base
from app.models.catalog import OrderLine, Product, ProductCost, RefundLine
from app.models.commerce import (
    Customer,
    LoyaltyAccount,
    Order,
    Payment,
    Referral,
    Refund,
    Subscription,
)
from app.models.insights import Anomaly, EmailSubscription, MonthForecast, MonthlyTarget
from app.models.ops import AuditLog, JobRun, ShopSetting, StaleKey
from app.models.product_figures import BasketDaily, ProductDaily, ProductMonthly

__all__ = [
    "AliveMatrixCell",
    "Anomaly",
    "ApiToken",
    "AuditLog",
    "Base",
    "BasketDaily",
    "Campaign",
    "CampaignPerformance",
    "ClvModel",
    "CohortRetention",
    "ConversionEvent",
    "Customer",
    "CustomerMetrics",
    "CustomerPrediction",
    "DailyAnalyticsSnapshot",
    "DailyBuyers",
    "EmailSubscription",
    "FunnelConversionTime",
    "FunnelDaily",
    "FunnelSession",
    "JobRun",
    "LoyaltyAccount",
    "MonthForecast",
    "MonthlyTarget",
    "Order",
    "OrderLine",
    "PageViewAnalytics",
    "Payment",
    "PaymentMethodDaily",
    "Product",
    "ProductCost",
    "ProductDaily",
    "ProductMonthly",
    "Referral",
    "Refund",
    "RefundLine",
    "RevenueStream",
    "ShopSetting",
    "StaleKey",
    "Subscription",
    "User",
]
