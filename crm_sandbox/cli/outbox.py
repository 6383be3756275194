"""`crm-sandbox outbox`: what waits to be sent to other systems (grades, xAPI statements),
sending it, and sending a refused message again."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..models import OutboxMessage, db
from ..services import outbox
from .common import DATABASE_INT, _fail


@click.group("outbox")
def outbox_group() -> None:
    """Messages to other systems: grades to the learning platform, statements to the LRS."""


@outbox_group.command("run")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds.")
@with_appcontext
def run_command(once: bool, interval: float) -> None:
    """Send due messages, with retries, until stopped (run it as a service)."""
    while True:
        try:
            report = outbox.deliver_due()
        except Exception as exc:  # a database restart: say so and go on
            db.session.rollback()
            current_app.logger.warning("outbox: this round failed: %s", exc)
            report = None
        finally:
            db.session.remove()
        if report is not None and (once or report.tried):
            click.echo(str(report))
        if once:
            return
        time.sleep(interval)


@outbox_group.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "failed", "superseded"]),
    help="Only messages in this state.",
)
@with_appcontext
def list_command(status: str | None) -> None:
    """Counts by kind and state, then the latest messages."""
    counts = outbox.counts()
    if not counts:
        click.echo("The outbox is empty.")
        return
    for kind, by_status in sorted(counts.items()):
        click.echo(f"{kind}: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    for message in outbox.messages(statuses=[status] if status else None, limit=50):
        error = f" ({message.last_error})" if message.last_error else ""
        click.echo(
            f"#{message.id} {message.kind} {message.status}, tries {message.tries}: "
            f"{message.summary or message.key}{error}"
        )


@outbox_group.command("retry")
@click.argument("message_id", type=DATABASE_INT)
@with_appcontext
def retry_command(message_id: int) -> None:
    """Send a refused or waiting message again at the next round."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        _fail(f"No outbox message #{message_id}.")
    try:
        outbox.retry(message)
    except ValueError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"#{message_id} will be sent at the next round.")
