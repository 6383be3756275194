"""`crm-sandbox scenarios list`, `validate`, `selftest` and `assign`."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..app import create_app
from ..extensions import db
from ..scenarios import selftest
from ..scenarios.loader import ScenarioError, library, load_file
from ..services import assignments
from ..services import groups as group_service
from ..services.errors import ServiceError
from ..wording import count_of
from .common import _fail, _learners, upgrade_database


@click.group("scenarios")
def scenarios_group():
    """List, validate, self-test and assign scenarios."""


@scenarios_group.command("list")
@with_appcontext
def scenarios_list():
    """The scenarios in the library."""
    for scenario in library().values():
        click.echo(
            f"{scenario.id:32} L{scenario.level} {scenario.estimated_minutes:>3} min  "
            f"{scenario.profile:12} {scenario.title}"
        )


@scenarios_group.command("validate")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def scenarios_validate(paths):
    """Check scenario files; one line per problem (file:line: field: message); exit 1 if any."""
    bad = 0
    for path in paths:
        try:
            scenario = load_file(path)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(
            f"{path}: ok ({scenario.id}, {len(scenario.tasks)} tasks, "
            f"{sum(len(t.checks) for t in scenario.tasks)} checks)"
        )
    if bad:
        sys.exit(1)


@scenarios_group.command("selftest")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenarios_selftest(as_json, paths):
    """Replay every model answer and mistake walk-through on fresh sandboxes, in a temporary
    database of its own (the real one is not touched)."""

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="crm-selftest-") as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/selftest.sqlite3",
                "SECRET_KEY": "selftest",
                # A throwaway log key: the self-test must not create the instance's real one.
                "LOG_KEY": secrets.token_hex(32),
            }
        )
        with app.app_context():
            upgrade_database()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            summary = selftest.run(list(paths) or None)
            db.session.rollback()
            db.engine.dispose()
    if as_json:
        click.echo(json.dumps(summary, allow_nan=False))
    else:
        click.echo(
            f"{summary['scenarios']} scenarios: {summary['model_answers_passed']} model "
            f"answers pass, {summary['walkthroughs_caught']} of "
            f"{summary['walkthroughs']} walk-throughs caught"
        )
        for failure in summary["failures"]:
            click.echo(f"  FAIL {failure}")
    if summary["failures"] or summary["model_answers_passed"] < summary["scenarios"]:
        sys.exit(1)


@scenarios_group.command("assign")
@click.option("--scenario", "scenario_id", required=True)
@click.option("--learner", "learner_email", help="The learner's email.")
@click.option("--group", "group_name", help="Every learner in this group.")
@with_appcontext
def scenarios_assign(scenario_id, learner_email, group_name):
    """Give learners an attempt at a scenario (each in a sandbox of its own)."""
    learners = _learners(learner_email, group_name)
    # Set for a group, the work is that group's (its tutor and assessors see it, no other's).
    group = group_service.find_group(group_name) if group_name else None
    try:
        made = assignments.assign(
            scenario_id, learners, set_by=None, group_id=group.id if group else None
        )
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Assigned {scenario_id!r} to {count_of(made, 'learner')}.")
