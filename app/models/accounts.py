"""Staff users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, utc_now
from app.models.enums import ROLES, TOKEN_SCOPES, in_list


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_login_at: Mapped[datetime | None]
    # Part of every login's id: raising it ends every session of the user, wherever it is.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="owner")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session cookie (and the remember-me cookie) holds: id and version."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Sign the user out everywhere: every cookie issued so far stops working."""
        self.session_version = (self.session_version or 0) + 1

    @validates("active")
    def _deactivation_ends_sessions(self, _key: str, active: bool) -> bool:
        if self.active and not active:
            self.end_sessions()
        return active

    def set_password(self, password: str) -> None:
        if self.password_hash:
            self.end_sessions()  # a changed password signs out every other session
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, minimum: str) -> bool:
        """Roles are ordered viewer < manager < admin."""
        return ROLES.index(self.role) >= ROLES.index(minimum)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (sa.CheckConstraint(in_list("scope", TOKEN_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # Only a SHA-256 of the secret is kept; the prefix lets staff recognise a token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    scope: Mapped[str] = mapped_column(sa.String(8), default="read")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship(back_populates="tokens")

    PREFIX = "sfa_"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(
        cls, session: Session, name: str, scope: str, owner_id: int | None = None
    ) -> tuple[ApiToken, str]:
        """A new token row and its secret; the caller shows the secret once and commits."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(
            name=name,
            scope=scope,
            owner_id=owner_id,
            token_hash=cls.digest(secret),
            prefix=secret[:12],
        )
        session.add(token)
        session.flush()
        return token, secret
