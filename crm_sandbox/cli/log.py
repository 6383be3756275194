"""`crm-sandbox log verify`: check the tamper-evident action logs."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Sandbox
from ..services import action_log
from .common import DATABASE_INT, _fail


@click.group("log")
def log_group():
    """Check the tamper-evident action logs."""


@log_group.command("verify")
@click.option("--sandbox", "sandbox_id", type=DATABASE_INT, help="One sandbox (default: all).")
@with_appcontext
def log_verify(sandbox_id):
    """Recompute each log's hash chain; exit 1 and name the first broken entry if any."""
    if sandbox_id is not None:
        if db.session.get(Sandbox, sandbox_id) is None:
            _fail(f"No sandbox {sandbox_id}.")
        ids = [sandbox_id]
    else:
        ids = list(
            db.session.scalars(
                select(Sandbox.id).where(Sandbox.kind != "template").order_by(Sandbox.id)
            )
        )
    key = action_log.existing_log_key()
    if key is None and db.session.scalar(
        select(Sandbox.id).where(Sandbox.id.in_(ids), Sandbox.log_seq > 0).limit(1)
    ):
        _fail(
            "No log key here (CRM_SANDBOX_LOG_KEY, or instance/log_key beside the app that "
            "wrote the logs): the keyed checkpoints cannot be checked. Nothing was verified."
        )
    broken = 0
    for sid in ids:
        result = action_log.verify(sid, key)
        if result.ok:
            click.echo(str(result))
        else:
            broken += 1
            click.secho(str(result), fg="red", err=True)
    if broken:
        _fail(f"{broken} of {len(ids)} log(s) failed verification.")
    click.echo(f"All {len(ids)} log(s) verified.")
