"""`crm-sandbox audit list`: read the staff audit log from the command line."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from ..services import groups, staff_audit
from ..services.errors import ServiceError


@click.group("audit")
def audit_group():
    """Read the staff audit log (who changed accounts, groups, assignments and scenarios)."""


@audit_group.command("list")
@click.option("--since", help="From the start of this day, UTC (YYYY-MM-DD).")
@click.option("--until", help="To the end of this day, UTC (YYYY-MM-DD).")
@click.option("--actor", default="", help="Only actions by this email.")
@click.option(
    "--action",
    "verb",
    type=click.Choice(list(staff_audit.VERBS), case_sensitive=False),
    help="Only this action.",
)
@click.option("--group", "group_name", help="Only actions about this group (its name).")
@click.option(
    "--limit",
    default=staff_audit.PAGE_SIZE,
    show_default=True,
    type=click.IntRange(1, staff_audit.PAGE_SIZE_MAX),
    help="At most this many rows (the newest).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@with_appcontext
def audit_list(since, until, actor, verb, group_name, limit, as_json):
    """List staff actions, newest first."""
    try:
        group_id = None
        if group_name:
            group = groups.find_group(group_name)
            if group is None:
                raise ServiceError(f"No group called {group_name!r}.")
            group_id = group.id
        filters = staff_audit.Filters(
            actor=actor,
            verb=(verb or "").lower(),
            group_id=group_id,
            since=staff_audit.parse_day(since, "--since"),
            until=staff_audit.parse_day(until, "--until"),
        )
        page = staff_audit.list_entries(filters, limit=limit)
    except ServiceError as exc:
        click.secho(exc.message, fg="red", err=True)
        sys.exit(1)
    if as_json:
        for entry in page.entries:
            click.echo(json.dumps(staff_audit.entry_json(entry), ensure_ascii=False))
        return
    if not page.entries:
        click.echo("No staff actions match.")
        return
    names = staff_audit.group_names(page.entries)
    for entry in page.entries:
        click.echo(_entry_line(entry, names))
    if page.next_before is not None:
        click.echo(f"(newest {limit} shown; narrow with --since/--until or raise --limit)")


def _entry_line(entry, names: dict) -> str:
    """One staff action as a line: when, who, what, then whichever of group, learner, before
    and after it has."""
    line = (
        f"{entry.real_time:%Y-%m-%d %H:%M:%S} UTC  {staff_audit.actor_label(entry)}  "
        f"{entry.verb}  {entry.object_type} {entry.object_id}"
    )
    if entry.group_id is not None:
        line += f"  group {names.get(entry.group_id, entry.group_id)!s}"
    if entry.learner_id is not None:
        line += f"  learner {entry.learner_id}"
    if entry.before:
        line += f"  before [{staff_audit.describe(entry.before)}]"
    if entry.after:
        line += f"  after [{staff_audit.describe(entry.after)}]"
    return line
