"""Login and logout pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.forms import LoginForm
from app.auth.safety import safe_next
from app.extensions import db, limiter, login_manager
from app.models import User
from app.timeutil import utc_now

bp = Blueprint("auth", __name__)

# Compared against when the email is unknown, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Attempts on one account, from any address (a slow distributed guess hits this)."""
    return "login-account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
            flash("Invalid email or password.", "danger")
        elif not user.check_password(form.password.data):
            flash("Invalid email or password.", "danger")
        elif not user.active:
            flash("This account is disabled. Ask an administrator to enable it.", "danger")
        else:
            login_user(user)
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
            user.last_login_at = utc_now()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    logout_user()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))
