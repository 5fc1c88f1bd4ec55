"""Every Flask extension, created unbound; create_app binds them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as SmorestApi
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from marshmallow import Schema, fields

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ProblemSchema(Schema):
    """The error body of every API answer (app/problem.py), as the OpenAPI document states it."""

    error = fields.String(required=True, metadata={"description": "what went wrong"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    errors = fields.Dict(metadata={"description": "messages by location and field, or by id"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "messages by field"})


class Api(SmorestApi):
    """flask-smorest without its app-wide error handler: app/errors.py answers every error.

    Made per app (create_app may run many times in one process), not shared like the rest.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass
