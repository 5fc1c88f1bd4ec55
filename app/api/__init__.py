"""The versioned REST API under /api/v1; each resource module adds its routes to `bp`."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
