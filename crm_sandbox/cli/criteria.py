"""`crm-sandbox criteria`: a qualification's criteria, numbered (`list`); the criteria one
attempt is assessed against, its group's, with the judgement on each (`attempt`); and which
criteria and common mistakes the scenario library's checks cover (`coverage`, for the whole
catalogue or for one body's qualification)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from ..criteria import (
    body_of_attempt,
    criteria_for_attempt,
    criteria_for_body,
    evidenced_for_body,
    load_catalogue,
)
from ..models import Attempt, db
from ..scenarios import selftest
from ..scenarios.loader import ScenarioError, library
from ..services import assessment
from ..services import groups as group_service


@click.group("criteria")
def criteria_group():
    """The assessment criteria catalogue."""


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _body_id(body_id: str | None, group_name: str | None) -> str:
    """The body named, or the qualification of the group named; exits on an unknown one."""
    if body_id and group_name:
        _fail("Give --body or --group, not both.")
    if group_name:
        group = group_service.find_group(group_name)
        if group is None:
            _fail(f"There is no group called {group_name!r}.")
        return group.body_id
    known = [body.id for body in load_catalogue().bodies]
    if body_id not in known:
        _fail(f"Unknown qualification {body_id!r}: choose one of {', '.join(known)}.")
    return body_id


@criteria_group.command("list")
@click.option("--body", "body_id", help="The awarding body's id (vtct, focus, icq, generic).")
@click.option("--group", "group_name", help="Or a group: its qualification's criteria.")
@click.option("--learner-wording", is_flag=True, help="What learners read, not the assessors'.")
@with_appcontext
def criteria_list(body_id, group_name, learner_wording):
    """One qualification's criteria, numbered as the awarding body numbers them."""
    if not body_id and not group_name:
        _fail("Give --body or --group.")
    chosen = _body_id(body_id, group_name)
    criteria = criteria_for_body(chosen)
    click.echo(criteria[0].body_name)
    for criterion in criteria:
        text = criterion.learner_text if learner_wording else criterion.text
        click.echo(f"{criterion.number:<5} {criterion.id:<12} {text}")


@criteria_group.command("attempt")
@click.argument("attempt_id", type=int)
@with_appcontext
def criteria_attempt(attempt_id):
    """The criteria an attempt is assessed against (its group's qualification's that the
    scenario evidences), numbered, with the judgement that counts on each."""
    attempt = db.session.get(Attempt, attempt_id) if 0 < attempt_id < 2**31 else None
    if attempt is None:
        _fail(f"There is no attempt {attempt_id}.")
    try:
        criteria = criteria_for_attempt(attempt)
    except ScenarioError as exc:
        _fail(f"Attempt {attempt_id}'s scenario cannot be read: {exc}")
    judged = assessment.current_judgements(attempt)
    name = load_catalogue().body(body_of_attempt(attempt)).name
    click.echo(f"Attempt {attempt.id} ({attempt.scenario_id}), assessed against {name}")
    for criterion in criteria:
        judgement = judged.get(criterion.id)
        state = assessment.DECISION_LABELS[judgement.decision] if judgement else "Not judged"
        click.echo(f"{criterion.number:<5} {criterion.id:<12} {state:<12} {criterion.text}")


def _body_coverage(scenarios, body_id: str) -> dict:
    """`selftest.coverage` for one body: its criteria that some scenario's checks evidence for
    a group studying it (named, or through the themes), and the mistakes its texts name."""
    catalogue = load_catalogue()
    criteria = [c.id for c in criteria_for_body(body_id)]
    mistakes = [m.id for m in catalogue.mistakes if any(s.body == body_id for s in m.sources)]
    hit_c, hit_m = set(), set()
    for scenario in scenarios:
        named = list(scenario.criteria)
        for _, check in scenario.checks():
            named += check.criteria
            hit_m.update(check.mistakes)
        hit_c |= evidenced_for_body(named, body_id)
    return {
        "body": body_id,
        "criteria": len(criteria),
        "covered": len([c for c in criteria if c in hit_c]),
        "uncovered": [c for c in criteria if c not in hit_c],
        "mistakes": len(mistakes),
        "mistakes_covered": len([m for m in mistakes if m in hit_m]),
        "mistakes_uncovered": [m for m in mistakes if m not in hit_m],
    }


def _with_objectives(report: dict, body_id: str | None) -> dict:
    """Add the learning objectives (outcomes) to a coverage report: an objective is reached
    when a criterion mapping to it is covered by a check."""
    catalogue = load_catalogue()
    bodies = [b for b in catalogue.bodies if body_id is None or b.id == body_id]
    uncovered = set(report["uncovered"])
    reached: set[str] = set()
    for body in bodies:
        for criterion in body.criteria:
            if criterion.id not in uncovered:
                reached.update(criterion.outcome_ids)
    objectives = [o for b in bodies for o in b.learning_outcomes]
    report["objectives"] = len(objectives)
    report["objectives_reached"] = len([o for o in objectives if o.id in reached])
    report["objectives_unreached"] = [o.id for o in objectives if o.id not in reached]
    report["objective_texts"] = {o.id: o.text for o in objectives if o.id not in reached}
    return report


@criteria_group.command("coverage")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--body", "body_id", help="Only this body's criteria, as its groups see them.")
@with_appcontext
def criteria_coverage(as_json, body_id):
    """Which criteria, learning objectives and common mistakes the scenario library's checks
    cover (exit 1 if any is uncovered or unreached: an objective is reached when a criterion
    mapping to it is covered). With --body: which of that qualification's criteria and
    objectives the library's scenarios evidence for a group studying it."""
    scenarios = list(library().values())
    if body_id:
        chosen = _body_id(body_id, None)
        report = _with_objectives(_body_coverage(scenarios, chosen), chosen)
    else:
        report = _with_objectives(selftest.coverage(scenarios), None)
    texts = report.pop("objective_texts")
    if as_json:
        click.echo(json.dumps(report, allow_nan=False))
    else:
        click.echo(
            f"criteria covered: {report['covered']} of {report['criteria']}; "
            f"learning objectives reached: {report['objectives_reached']} of "
            f"{report['objectives']}; "
            f"mistakes covered: {report['mistakes_covered']} of {report['mistakes']}"
        )
        for item in report["uncovered"] + report["mistakes_uncovered"]:
            click.echo(f"  uncovered: {item}")
        for item in report["objectives_unreached"]:
            click.echo(f"  unreached objective: {item} ({texts[item]})")
    if report["uncovered"] or report["mistakes_uncovered"] or report["objectives_unreached"]:
        sys.exit(1)
