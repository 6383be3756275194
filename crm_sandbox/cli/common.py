"""What the command groups share: failing with a message, the database-integer option type,
upgrading the schema and naming learners by email or group."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask_migrate import upgrade as migrate_upgrade

from ..models import Role
from ..services import accounts
from ..services import groups as group_service

# Ids and seeds are database integers: a larger number gets click's own clear message rather
# than an overflow from the database driver.
DATABASE_INT = click.IntRange(0, 2**31 - 1)


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def upgrade_database() -> None:
    """Bring the database schema up to the latest migration."""
    migrate_upgrade(directory=current_app.extensions["migrate"].directory)


def _learners(learner_email: str | None, group_name: str | None) -> list:
    if bool(learner_email) == bool(group_name):
        _fail("Name either --learner EMAIL or --group NAME.")
    if learner_email:
        user = accounts.find_user_by_email(learner_email)
        if user is None or user.role_enum != Role.LEARNER:
            _fail(f"No learner account with the email {learner_email}.")
        return [user]
    group = group_service.find_group(group_name)
    if group is None:
        _fail(f"No group called {group_name!r}.")
    if not group.learners:
        _fail(f"Group {group.name!r} has no learners.")
    return list(group.learners)
