"""`crm-sandbox lti`: the tool's LTI key pair and the registered platforms."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services.lti import keys, registrations


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: the tool's key pair and the learning platforms registered."""


@lti_group.command("rotate-key")
@with_appcontext
def rotate_key_command() -> None:
    """Make a new key pair; the old public key stays published until the next rotation."""
    old = keys.current().kid
    new = keys.rotate()
    click.echo(f"New LTI key {new.kid} is in use; the previous key {old} is still published.")
    click.echo("Platforms that fetch /lti/jwks pick the new key up by themselves.")


@lti_group.command("registrations")
@with_appcontext
def registrations_command() -> None:
    """List the registered platforms and their values."""
    rows = registrations.all_registrations()
    if not rows:
        click.echo("No platform is registered (admin area, LTI platforms).")
        return
    for row in rows:
        state = "active" if row.active else "deactivated"
        click.echo(f"{row.id}  {row.name} ({state})")
        click.echo(f"    issuer {row.issuer}  client id {row.client_id}")
        click.echo(f"    deployments {', '.join(row.deployment_ids or []) or '(none)'}")
        click.echo(f"    login {row.auth_login_url}")
        click.echo(f"    token {row.auth_token_url}")
        click.echo(f"    key set {row.key_set_url}")
