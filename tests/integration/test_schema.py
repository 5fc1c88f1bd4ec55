"""The migrations are the schema: what Alembic builds is exactly what the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.database import render_migration_item
from app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_item": render_migration_item}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_constraints_have_conventional_names(app):
    names = {c.name for table in db.metadata.tables.values() for c in table.constraints}
    assert "ck_orders_total_adds_up" in names
    assert "uq_orders_external_id" in names
    assert "fk_orders_customer_id_customers" in names
