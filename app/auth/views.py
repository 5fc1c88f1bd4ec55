"""Login and logout pages."""

from __future__ import annotations

import time

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
from limits import parse as parse_limit
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
def load_user(login_id: str) -> User | None:
    """The user of a session, if the session has not been ended since ("id:version")."""
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a cookie from before sessions had versions: sign in again
    user = db.session.get(User, int(user_id))
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Attempts on one account from one address: a stranger who guesses wrong blocks only
    themselves, never the owner signing in from elsewhere (each address has its own limit
    too, LOGIN_RATE_LIMIT, over all accounts)."""
    email = (request.form.get("email") or "").strip().lower()
    return f"login-account:{email}:{request.remote_addr}"


def _failures_allowed():
    return parse_limit(current_app.config["LOGIN_SLOWDOWN_AFTER"])


def _count_failure(email: str) -> None:
    if current_app.config["RATELIMIT_ENABLED"]:
        limiter.limiter.hit(_failures_allowed(), "login-failures", email)


def _slow_down_a_guessed_account(email: str) -> None:
    """An account guessed at from many addresses answers slowly (LOGIN_SLOWDOWN_SECONDS),
    rather than not at all: guessing gets slower, and the owner still signs in."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    if not limiter.limiter.test(_failures_allowed(), "login-failures", email):
        time.sleep(current_app.config["LOGIN_SLOWDOWN_SECONDS"])


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
        _slow_down_a_guessed_account(email)
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
            flash("Invalid email or password.", "danger")
        elif not user.check_password(form.password.data):
            _count_failure(email)
            flash("Invalid email or password.", "danger")
        elif not user.active:
            flash("This account is disabled. Ask an administrator to enable it.", "danger")
        else:
            # A new session: nothing from before signing in (the CSRF token a stranger may
            # have planted included) carries over.
            session.clear()
            login_user(user)
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
            user.last_login_at = utc_now()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.get("/logout")
def confirm_logout():
    """A link cannot sign anyone out (any page elsewhere could link here): it asks."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.post("/logout")
def logout():
    """Signs out every session of the user, here and on any other device (CSRF-checked)."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))
