"""Logs: one line per request (request id, status, duration), JSON lines when LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request, session

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy is kept only if it looks like one (no log injection through it).
SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("storefront.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra=` fields of the record."""

    STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in self.STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Root logging to stderr, once per process (plain text unless LOG_FORMAT=json)."""
    root = logging.getLogger()
    if getattr(root, "_storefront_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root._storefront_configured = True  # type: ignore[attr-defined]


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


# Control characters in a logged value (a path with %0a in it) could forge a log line.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """The text with control characters escaped, so it stays on its own log line."""
    return CONTROL_CHARACTERS.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def _caller() -> str:
    """Who called, from what the request already knows: never a database query (this runs
    on the way out of a request that may have failed because the database is gone)."""
    token_id = g.get("api_token_id")
    if token_id is not None:
        return f"token:{token_id}"
    login_id = session.get("_user_id")
    return f"user:{login_id.partition(':')[0]}" if login_id else "anonymous"


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # the request failed before our first hook ran
        return response
    duration_ms = (time.perf_counter() - g.request_started) * 1000
    response.headers[REQUEST_ID_HEADER] = request_id
    log.info(
        "%s %s %s %.1f ms",
        printable(request.method),
        printable(request.path),
        response.status_code,
        duration_ms,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
            "caller": _caller(),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def init_app(app: Flask) -> None:
    if app.config["CONFIGURE_LOGGING"]:
        configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # First before_request of all (the access gate may answer early: it is still logged).
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
