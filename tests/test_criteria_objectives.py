"""`crm-sandbox criteria coverage` reports learning objectives: one is reached when a
criterion mapping to it is covered by a check; an unreached one fails the command."""

import json

import pytest

from crm_sandbox.cli import criteria as criteria_cli
from crm_sandbox.criteria import load_catalogue
from crm_sandbox.scenarios.loader import library


def _report(runner, *args):
    result = runner.invoke(args=["criteria", "coverage", "--json", *args])
    return result, json.loads(result.output.strip().splitlines()[-1])


def test_the_coverage_report_counts_every_learning_objective(runner):
    _, report = _report(runner)
    objectives = [o.id for b in load_catalogue().bodies for o in b.learning_outcomes]
    assert report["objectives"] == len(objectives)
    assert report["objectives_reached"] + len(report["objectives_unreached"]) == len(objectives)
    assert set(report["objectives_unreached"]) <= set(objectives)
    # an objective whose criteria the library covers is reached (generic.lo1: needs)
    assert "generic.lo1" not in report["objectives_unreached"]


def test_an_objective_is_reached_only_through_a_covered_criterion(runner):
    _, report = _report(runner)
    catalogue = load_catalogue()
    covered = {c.id for c in catalogue.all_criteria()} - set(report["uncovered"])
    for body in catalogue.bodies:
        for outcome in body.learning_outcomes:
            via = [c for c in body.criteria if outcome.id in c.outcome_ids and c.id in covered]
            assert (outcome.id not in report["objectives_unreached"]) == bool(via), outcome.id


@pytest.mark.parametrize("as_json", [True, False])
def test_an_unreached_objective_fails_the_command_and_is_named(runner, monkeypatch, as_json):
    one = {k: v for k, v in library().items() if k == "careful-reply"}
    monkeypatch.setattr(criteria_cli, "library", lambda: one)
    args = ["criteria", "coverage"] + (["--json"] if as_json else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    if as_json:
        report = json.loads(result.output.strip().splitlines()[-1])
        assert "focus.lo1" in report["objectives_unreached"]  # careful-reply: no customer types
    else:
        assert "learning objectives reached:" in result.output
        assert "unreached objective: focus.lo1 (Identify different types of customers" in (
            result.output
        )


def test_one_bodys_coverage_reports_its_own_objectives(runner):
    result, report = _report(runner, "--body", "vtct")
    assert report["objectives"] == len(load_catalogue().body("vtct").learning_outcomes)
    assert report["objectives_unreached"] == []
    assert result.exit_code == 0
