"""`crm-sandbox backup`, `restore`, and the personal-data commands `users export` and
`users erase`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services import backup as backup_service
from ..services import personal_data
from ..services.action_log import canonical_json
from ..services.errors import ServiceError
from .common import _fail


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (must not exist).",
)
@with_appcontext
def backup_command(out: Path):
    """Write a consistent backup of the database while the app keeps running.

    SQLite: one self-contained, integrity-checked file. PostgreSQL: a pg_dump archive
    (needs pg_dump installed).
    """
    db.session.remove()
    try:
        report = backup_service.backup(db.engine, out)
    except ServiceError as exc:
        _fail(f"No backup made: {exc.message}")
    if report.tables:
        click.echo(
            f"Backup written to {report.path}: {len(report.tables)} tables, "
            f"{report.rows} rows, integrity check ok."
        )
    else:
        click.echo(f"Backup written to {report.path} (pg_dump custom format).")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has data.")
@with_appcontext
def restore_command(backup_file: Path, force: bool):
    """Replace the configured database with a backup made by `crm-sandbox backup`.

    Refuses a database that already has data unless --force is given. Stop the app first.
    """
    db.session.remove()
    try:
        report = backup_service.restore(db.engine, backup_file, force=force)
    except ServiceError as exc:
        _fail(f"Not restored: {exc.message}")
    rows = f": {len(report.tables)} tables, {report.rows} rows" if report.tables else ""
    click.echo(f"Restored from {backup_file}{rows}. Run `crm-sandbox log verify` to check.")


@click.command("export")
@click.option("--email", required=True, help="The learner's email.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file (default: print it).",
)
@with_appcontext
def users_export(email: str, out: Path | None):
    """Write all the personal data held about a learner as JSON (a subject access request)."""
    try:
        user = personal_data.find_learner_to_erase(email)
    except ServiceError as exc:
        _fail(exc.message)
    data = json.loads(canonical_json(personal_data.export_learner(user)))
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote the personal data of {user.email} to {out}.")


@click.command("erase")
@click.option("--email", required=True, help="The learner's email.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def users_erase(email: str, yes: bool):
    """Erase a learner's personal data: anonymise the account, end its sessions, erase the
    values recorded in their sandboxes' action logs (the logs still verify)."""
    try:
        user = personal_data.find_learner_to_erase(email)
    except ServiceError as exc:
        _fail(exc.message)
    if not yes:
        click.confirm(
            f"Erase the personal data of {user.name} <{user.email}>? This cannot be undone",
            abort=True,
        )
    try:
        erasure = personal_data.erase_learner(user)
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(
        f"Erased: account {user.id} is now {user.email} (disabled, sessions ended); "
        f"{erasure.log_payloads_erased} action-log payload(s) erased in "
        f"{erasure.sandboxes} sandbox(es)."
    )
    broken = [r for r in personal_data.verify_logs(user) if not r.ok]
    for result in broken:
        click.secho(str(result), fg="red", err=True)
    if broken:
        _fail(f"{len(broken)} action log(s) failed verification after the erasure.")
    click.echo(f"Their {erasure.sandboxes} action log(s) still verify.")


def register(app, users_group) -> None:
    """Attach backup and restore to the app's CLI, and export and erase to `users`."""
    users_group.add_command(users_export)
    users_group.add_command(users_erase)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
