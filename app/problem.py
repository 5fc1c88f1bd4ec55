"""The JSON error body every machine-facing answer uses (problem-details fields included)."""

from __future__ import annotations

from flask import Response, jsonify


def error_response(status: int, message: str, **details: object) -> Response:
    response = jsonify(error=message, status=status, title=message, **details)
    response.status_code = status
    return response
