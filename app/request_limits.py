"""Limits on a request body, checked before anything parses it.

Flask refuses a body larger than MAX_CONTENT_LENGTH with 413 before reading it. A JSON body
nested deeper than MAX_JSON_DEPTH is refused with 400 before it is parsed: parsers recurse,
and thousands of levels end in a RecursionError (a 500) rather than an answer.
"""

from __future__ import annotations

import re

from flask import Flask, abort, current_app, request

# A JSON string, escapes included: brackets inside strings do not nest anything.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
OPENING = frozenset(b"[{")


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """True when arrays and objects in the JSON text nest more than `limit` levels."""
    depth = 0
    for byte in JSON_STRING.sub(b'""', body).translate(None, NOT_BRACKETS):
        depth += 1 if byte in OPENING else -1
        if depth > limit:
            return True
    return False


def check_body() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.is_json:
        return
    body = request.get_data(cache=True)  # 413 here when larger than MAX_CONTENT_LENGTH
    limit = current_app.config["MAX_JSON_DEPTH"]
    if nested_deeper_than(body, limit):
        abort(400, f"the JSON body nests deeper than {limit} levels")


def init_app(app: Flask) -> None:
    app.before_request(check_body)
