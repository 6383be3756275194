"""`crm-sandbox evidence ...`: export a learner's evidence pack and verify a pack."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..models import Role
from ..services import accounts, action_log, evidence


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


def _verifying_key(key_file: Path | None) -> bytes | None:
    """The log key from --key-file, else the settings, else the instance folder (never a new
    one: a key made up here could only fail every pack)."""
    if key_file is not None:
        text = key_file.read_text(encoding="utf-8").strip()
        if not text:
            raise click.BadParameter(f"{key_file} is empty.", param_hint="--key-file")
        return text.encode("utf-8")
    return action_log.existing_log_key()


@evidence_group.command("verify")
@click.argument("zip_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The log key (default: CRM_SANDBOX_LOG_KEY, else the instance folder's log_key).",
)
@click.option(
    "--no-key",
    is_flag=True,
    help="Check hashes and chains only, without the keyed checkpoints (weaker: say so).",
)
@with_appcontext
def verify_command(zip_path: Path, key_file: Path | None, no_key: bool):
    """Check a pack's files against its manifest, re-verify its action log's hash chain and
    check each chain's head against its keyed checkpoint (with the log key).

    Needs no database: a pack can be verified anywhere the log key is.
    """
    key = None if no_key else _verifying_key(key_file)
    if key is None and not no_key:
        click.secho(
            "No log key here: give --key-file, set CRM_SANDBOX_LOG_KEY, or check without "
            "the keyed checkpoints with --no-key.",
            fg="red",
            err=True,
        )
        sys.exit(1)
    problems = evidence.verify_pack(zip_path, key)
    if not problems:
        keyed = "" if key else " (hashes and chains only: keyed checkpoints NOT checked)"
        click.echo(f"{zip_path}: verified{keyed}")
        return
    for problem in problems:
        click.secho(f"{zip_path}: {problem}", fg="red", err=True)
    click.secho(f"NOT verified: {len(problems)} problem(s).", fg="red", err=True)
    sys.exit(1)
