"""`crm-sandbox scenarios list`, `validate`, `selftest` and `assign`."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import tempfile
from pathlib import Path

import click
import yaml
from flask.cli import with_appcontext

from ..app import create_app
from ..extensions import db
from ..scenarios import selftest
from ..scenarios.loader import ScenarioError, library, library_source, load_file, read_yaml
from ..services import assignments
from ..services import groups as group_service
from ..services.errors import ServiceError
from ..wording import count_of, datetime_text
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


def _temporary_app(tmp: str):
    """An app on a throwaway SQLite database of its own (the real one is not touched)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/selftest.sqlite3",
            "SECRET_KEY": "selftest",
            # A throwaway log key: the self-test must not create the instance's real one.
            "LOG_KEY": secrets.token_hex(32),
        }
    )


def _quietly_upgrade() -> None:
    """Build the throwaway database without the migrations' progress lines (Alembic's logging
    setup would print them): the output is the command's report alone."""
    logging.disable(logging.INFO)
    try:
        upgrade_database()
    finally:
        logging.disable(logging.NOTSET)


@scenarios_group.command("selftest")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenarios_selftest(as_json, paths):
    """Replay every scenario's model answer, competent variants, mistake walk-throughs and
    gaming attempts on fresh sandboxes, in a temporary database of its own (the real one is
    not touched). Reports, per scenario and in total, what passed and was caught, and the
    false-pass and false-fail rates; exit 1 on any miss."""
    with tempfile.TemporaryDirectory(prefix="crm-selftest-") as tmp:
        app = _temporary_app(tmp)
        with app.app_context():
            _quietly_upgrade()
            summary = selftest.run(list(paths) or None)
            db.session.rollback()
            db.engine.dispose()
    if as_json:
        click.echo(json.dumps(summary, allow_nan=False))
    else:
        for line in summary["per_scenario"]:
            click.echo(
                f"{line['scenario']:28} model answer "
                f"{'passes' if line['model_answer_passed'] else 'FAILS'}; variants "
                f"{line['variants_passed']}/{line['variants']}; walk-throughs caught "
                f"{line['walkthroughs_caught']}/{line['walkthroughs']}; gaming refused "
                f"{line['gaming_refused']}/{line['gaming_attempts']}"
            )
        click.echo(
            f"{summary['scenarios']} scenarios: {summary['model_answers_passed']} model "
            f"answers pass, {summary['variants_passed']} of {summary['variants']} competent "
            f"variants pass, {summary['walkthroughs_caught']} of "
            f"{summary['walkthroughs']} walk-throughs caught, {summary['gaming_refused']} of "
            f"{summary['gaming_attempts']} gaming attempts refused; false passes "
            f"{summary['false_passes']} (rate {summary['false_pass_rate']:.2%}), false fails "
            f"{summary['false_fails']} (rate {summary['false_fail_rate']:.2%})"
        )
        for failure in summary["failures"]:
            click.echo(f"  FAIL {failure}")
    if summary["failures"] or summary["model_answers_passed"] < summary["scenarios"]:
        sys.exit(1)


def _scenario_and_source(name: str):
    """A scenario named by its library id or by a file's path, with its text."""
    found = library_source(name)
    if found is not None:
        return found
    path = Path(name)
    if path.is_file():
        try:
            return load_file(path), path.read_text(encoding="utf-8")
        except ScenarioError as exc:
            _fail("; ".join(str(p) for p in exc.problems))
    _fail(f"No scenario {name!r}: give a library id (see 'crm-sandbox scenarios list') or a file.")


def _read_steps(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
        _, raw = read_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"Cannot read {path}: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        _fail(f"{path} is not valid YAML{where}.")
    try:
        return selftest.parse_steps(raw)
    except selftest.StepsError as exc:
        _fail(f"{path}: " + "; ".join(exc.problems))


@scenarios_group.command("try")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("scenario_name", metavar="SCENARIO")
@click.argument("steps_file", metavar="STEPS.yaml", type=click.Path(dir_okay=False, path_type=Path))
def scenarios_try(as_json, scenario_name, steps_file):
    """Replay STEPS.yaml (a list of steps in the step language of model answers: see
    docs/step-language.md) on a fresh attempt at SCENARIO (a library id or a scenario file),
    in a temporary database of its own, and print every check's result and the feedback a
    learner would read."""
    with tempfile.TemporaryDirectory(prefix="crm-try-") as tmp:
        app = _temporary_app(tmp)
        with app.app_context():
            _quietly_upgrade()
            scenario, source = _scenario_and_source(scenario_name)
            steps = _read_steps(steps_file)
            try:
                evaluation, reached = selftest.try_steps(scenario, source, steps)
            except selftest.StepsError as exc:
                db.session.rollback()
                db.engine.dispose()
                _fail("; ".join(exc.problems))
            db.session.rollback()
            db.engine.dispose()
    if as_json:
        report = evaluation.as_dict()
        report["scenario"] = scenario.id
        report["steps"] = len(steps)
        report["sandbox_time"] = reached.isoformat()
        click.echo(json.dumps(report, allow_nan=False, default=str))
        return
    click.echo(
        f"{scenario.id}: {len(steps)} step(s) replayed, sandbox time now {datetime_text(reached)}"
    )
    for task in evaluation.tasks:
        click.echo(f"\n{task.title} ({task.passed} of {len(task.checks)} passed)")
        for check in task.checks:
            state = "PASS" if check.passed else ("NOT JUDGED YET" if check.pending else "NOT YET")
            click.echo(f"  {state:14} {check.id}: {check.message}")
            if not check.passed:
                click.echo(f"  {'':14} feedback: {check.feedback}")
    click.echo(f"\nScore: {evaluation.score_before_hints:.0%} of the checks passed.")


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
