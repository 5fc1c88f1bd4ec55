"""One-click unsubscribe from an e-mail: a signed token names the user and the e-mail kind,
so the link works without a login and cannot be made for anyone else."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import csrf, db
from app.models import EmailSubscription
from app.models.enums import SUBSCRIPTION_KINDS

SALT = "email-unsubscribe"
KIND_LABELS = {"daily": "daily digest", "weekly": "weekly digest", "alerts": "anomaly alerts"}

bp = Blueprint("notify", __name__)


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def unsubscribe_token(secret_key: str, user_id: int, kind: str) -> str:
    return _serializer(secret_key).dumps([user_id, kind])


def unsubscribe_url(base_url: str, secret_key: str, user_id: int, kind: str) -> str:
    return f"{base_url}/email/unsubscribe/{unsubscribe_token(secret_key, user_id, kind)}"


def read_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token this server signed; None for anything else."""
    try:
        user_id, kind = _serializer(secret_key).loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or kind not in SUBSCRIPTION_KINDS:
        return None
    return user_id, kind


@bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients post RFC 8058 one-click requests without a form token
def unsubscribe(token: str):
    """The link in every e-mail (GET) and the List-Unsubscribe-Post target (POST)."""
    found = read_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    user_id, kind = found
    db.session.execute(
        sa.delete(EmailSubscription).where(
            EmailSubscription.user_id == user_id, EmailSubscription.kind == kind
        )
    )
    db.session.commit()
    return render_template("notify/unsubscribed.html", what=KIND_LABELS[kind])
