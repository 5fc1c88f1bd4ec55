"""Print how many orders the configured database holds (run.sh seeds an empty one)."""

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Order

app = create_app({"CONFIGURE_LOGGING": False})
with app.app_context():
    print(db.session.scalar(sa.select(sa.func.count(Order.id))))
