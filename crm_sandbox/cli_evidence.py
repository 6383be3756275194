"""`crm-sandbox evidence ...`: export a learner's evidence pack and verify a pack."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .models import Role
from .services import accounts, evidence


@click.group("evidence")
def evidence_group():
    """Export and verify learners' evidence packs."""


@evidence_group.command("export")
@click.option("--learner", "email", required=True, help="Email of the learner.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the pack into (made if missing).",
)
@with_appcontext
def export_command(email: str, out_dir: Path):
    """Write the learner's evidence pack (a ZIP) into a folder and print its path."""
    learner = accounts.find_user_by_email(email)
    if learner is None or learner.role != Role.LEARNER.value:
        click.secho(f"--learner: no learner account with the email {email}.", fg="red", err=True)
        sys.exit(1)
    path = evidence.write_pack(learner, out_dir)
    click.echo(str(path))


@evidence_group.command("verify")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(zip_path: Path):
    """Check a pack's files against its manifest and re-verify its action log's hash chain.

    Needs no database: a pack can be verified anywhere.
    """
    problems = evidence.verify_pack(zip_path)
    if not problems:
        click.echo(f"{zip_path}: verified")
        return
    for problem in problems:
        click.secho(f"{zip_path}: {problem}", fg="red", err=True)
    click.secho(f"NOT verified: {len(problems)} problem(s).", fg="red", err=True)
    sys.exit(1)
