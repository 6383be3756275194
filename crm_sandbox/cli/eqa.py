"""`crm-sandbox eqa grant|list|end`: an external quality assurer's read-only access to a group
for a period, from the command line (the same services as the admin's page, staff-audited as
the command line)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Role
from ..services import accounts, eqa, groups, staff_audit
from ..services.errors import ServiceError
from .common import DATABASE_INT, _fail


@click.group("eqa")
def eqa_group():
    """External quality assurers' access to groups (grant, list, end)."""


def _day(value: str, label: str):
    try:
        day = staff_audit.parse_day(value, label)
    except ServiceError as exc:
        _fail(exc.message)
    if day is None:
        _fail(f"{label}: give a date as YYYY-MM-DD.")
    return day


@eqa_group.command("grant")
@click.option("--eqa", "email", required=True, help="The EQA account's email.")
@click.option("--group", "group_name", required=True, help="The group's name.")
@click.option("--from", "starts", required=True, help="First day of access (YYYY-MM-DD).")
@click.option("--until", "ends", required=True, help="Last day of access (YYYY-MM-DD).")
@with_appcontext
def eqa_grant(email, group_name, starts, ends):
    """Let an EQA read one group's assessment from one day to another (inclusive)."""
    person = accounts.find_user_by_email(email)
    if person is None or person.role_enum != Role.EQA:
        _fail(f"No EQA account with the email {email}.")
    group = groups.find_group(group_name)
    if group is None:
        _fail(f"No group called {group_name!r}.")
    try:
        made = eqa.grant(person, group, _day(starts, "--from"), _day(ends, "--until"), by=None)
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Nothing was granted: {exc.message}")
    db.session.commit()
    click.echo(
        f"Grant {made.id}: {person.name} may read {group.name} from {made.starts_on} "
        f"until {made.ends_on}."
    )


@eqa_group.command("list")
@with_appcontext
def eqa_list():
    """List every grant, newest first, with where it stands today."""
    rows = eqa.all_grants()
    if not rows:
        click.echo("No EQA has been granted access.")
    for row in rows:
        click.echo(
            f"{row.grant.id}\t{row.grant.eqa.email}\t{row.group.name}\t"
            f"{row.grant.starts_on}..{row.grant.ends_on}\t{row.status}"
        )


@eqa_group.command("end")
@click.argument("grant_id", type=DATABASE_INT)
@with_appcontext
def eqa_end(grant_id):
    """End a grant now (its id is in `crm-sandbox eqa list`)."""
    try:
        made = eqa.end_grant(eqa.get_grant(grant_id), by=None)
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Nothing was changed: {exc.message}")
    db.session.commit()
    click.echo(f"Grant {made.id} ended: {made.eqa.name} no longer sees the group.")
