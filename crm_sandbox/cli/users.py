"""`crm-sandbox users create`, `users import` and `users set-password`: make user accounts
one at a time or from a CSV file, and set a forgotten password."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Role
from ..services import accounts, user_import
from ..services.errors import ServiceError
from ..wording import count_of
from .common import _fail


@click.group("users")
def users_group():
    """Create and import user accounts; set a password."""


@users_group.command("create")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", help="Asked for if not given; --generate-password makes one.")
@click.option("--generate-password", is_flag=True, help="Make a random password and print it.")
@click.option(
    "--temporary",
    is_flag=True,
    help="They must choose their own password at first sign-in (always so when generated).",
)
@with_appcontext
def users_create(name, email, role, password, generate_password, temporary):
    """Create one user account."""
    if generate_password:
        password = accounts.generate_password()
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            name=name,
            email=email,
            role=role,
            password=password,
            must_change_password=temporary or generate_password,
        )
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Not created: {exc.message}")
    db.session.commit()
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")
    if generate_password:
        click.echo(f"Password: {password}")


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tutor", "tutor_email", help="Tutor who owns groups the file does not give a tutor."
)
@with_appcontext
def users_import(csv_file: Path, tutor_email: str | None):
    """Import users from a CSV file with the columns name,email,role,group.

    If any row is bad, nothing is imported and every bad row is listed with its line number.
    """
    default_tutor = None
    if tutor_email:
        default_tutor = accounts.find_user_by_email(tutor_email)
        if default_tutor is None or default_tutor.role_enum != Role.TUTOR:
            _fail(f"--tutor: no tutor account with the email {tutor_email}.")
    if csv_file.stat().st_size > user_import.MAX_FILE_BYTES:
        _fail(f"{csv_file}: the file is larger than {user_import.MAX_FILE_BYTES // 1024} KiB.")
    with click.progressbar(length=1, label="Preparing passwords", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        result = user_import.import_users(
            csv_file.read_bytes(), default_tutor=default_tutor, progress=progress
        )
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.secho(f"{csv_file}: {problem}", fg="red", err=True)
        _fail(f"Nothing was imported: {count_of(len(result.problems), 'problem')} to fix first.")
    db.session.commit()
    for user, password in result.created:
        click.echo(f"{user.role:9} {user.email:40} password: {password}")
    if result.groups_created:
        click.echo("Groups created: " + ", ".join(result.groups_created))
    click.echo(
        f"Imported {count_of(len(result.created), 'user')}. Give each their password privately."
    )


@users_group.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking for it.",
)
@click.option(
    "--temporary",
    is_flag=True,
    help="A one-time password: they must choose their own at their next sign-in.",
)
@with_appcontext
def users_set_password(email: str, password_stdin: bool, temporary: bool):
    """Set the password of the account with this EMAIL and sign them out everywhere.

    The password is asked for twice, hidden, or read from standard input; it is never an
    argument, which anyone on the machine could read in the process list."""
    user = accounts.find_user_by_email(email)
    if user is None:
        _fail(f"No account has the email {email.strip()}; nothing was changed.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.set_password(user, password, temporary=temporary)
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Not changed: {exc.message}")
    db.session.commit()
    then = " They must choose their own at their next sign-in." if temporary else ""
    click.echo(f"Password set for {user.name} <{user.email}>; their sessions have ended.{then}")
