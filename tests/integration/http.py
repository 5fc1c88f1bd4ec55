"""Real HTTP calls to a live server, and tokens made the way an operator makes them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def send(
    method: str, url: str, body: object = None, token: str | None = None
) -> tuple[int, object]:
    """The status and decoded JSON body of one request (errors are answers, not exceptions)."""
    status, _headers, answer = exchange(method, url, body, token)
    return status, answer


def exchange(
    method: str, url: str, body: object = None, token: str | None = None
) -> tuple[int, dict[str, str], object]:
    """The status, headers and decoded JSON body of one request."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def call(url: str, token: str | None = None) -> tuple[int, object]:
    return send("GET", url, token=token)


def post(url: str, body: object, token: str | None) -> tuple[int, object]:
    return send("POST", url, body, token)


def create_token(runner, scope: str = "read") -> str:
    """`flask tokens create`; the secret is the output's last line."""
    result = runner.invoke(args=["tokens", "create", "--name", "BI tool", "--scope", scope])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]
