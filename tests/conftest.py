"""Shared fixtures: an app on a migrated database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import tempfile

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.config import normalise_database_url
from app.extensions import db
from app.models import Base
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def backends() -> list:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL names one."""
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


INSTANCE_DIR = tempfile.mkdtemp(prefix="storefront-instance-")


def app_config(database_url: str, **extra: object) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": INSTANCE_DIR,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CONFIGURE_LOGGING": False,
        **extra,
    }


def _fresh_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session", params=backends())
def database_url(request, tmp_path_factory) -> str:
    """A database migrated once per session through Alembic, as production gets it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
        _fresh_postgres_schema(url)
    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def wipe(connection: sa.Connection) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture
def app(database_url):
    app = create_app(app_config(database_url))
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            wipe(connection)
        db.engine.dispose()


@pytest.fixture
def make_app(database_url):
    """Build extra apps on the test database with other settings; their pools are closed after."""
    built = []

    def build(**settings: object):
        extra = create_app(app_config(settings.pop("url", database_url), **settings))
        built.append(extra)
        return extra

    yield build
    for extra in built:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD, next_url: str | None = None):
        query = {"next": next_url} if next_url else {}
        return self._client.post(
            "/login", query_string=query, data={"email": email, "password": password}
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def viewer(app):
    return UserFactory(email="viewer@shop.test", role="viewer")


@pytest.fixture
def admin(app):
    return UserFactory(email="admin@shop.test", role="admin")
