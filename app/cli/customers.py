"""`flask customers`: customer records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import audit
from app.extensions import db
from app.pipeline.erasure import NotFound, erase_customer

customers_cli = AppGroup("customers", help="Customer records.")


@customers_cli.command("erase")
@click.argument("external_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_customer_command(external_id: str, yes: bool) -> None:
    """Erase a customer's personal data (email, name, shop id); every figure stays the same."""
    if not yes:
        click.confirm(f"Erase the personal data of customer {external_id}?", abort=True)
    try:
        customer = erase_customer(db.session, external_id)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    audit.record("customer.erase", f"customer:{customer.id}", None)
    db.session.commit()
    click.echo(f"Erased customer {external_id}; it is now {customer.external_id}.")
