"""Fixtures for tests that talk to the app over real HTTP."""

from __future__ import annotations

import pytest

from tests.integration.browser import live_server
from tests.integration.http import create_token


@pytest.fixture
def server(make_app):
    """A live server on the test database (the browser tests override it with CSRF on)."""
    with live_server(make_app()) as base_url:
        yield base_url


@pytest.fixture
def writer(runner) -> str:
    return create_token(runner, "write")


@pytest.fixture
def reader(runner) -> str:
    return create_token(runner, "read")
