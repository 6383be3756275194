"""Scenarios: files validated with line numbers, never run as code; attempts with opening
data, events on the sandbox clock, Check my work, hints, submission and restart."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from crm_sandbox.checks import REGISTRY
from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, Role
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.scenarios.loader import LIBRARY, ScenarioError, library, library_source, parse
from crm_sandbox.services import action_log, assignments
from crm_sandbox.services.errors import ServiceError

EXAMPLE = "first-complaint"


def example_text() -> str:
    return (LIBRARY / f"{EXAMPLE}.yaml").read_text()


@pytest.fixture
def attempt(app, create_user):
    learner = create_user(Role.LEARNER)
    scenario, source = library_source(EXAMPLE)
    made = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    return made


def test_every_shipped_scenario_is_valid(runner):
    files = sorted(str(p) for p in LIBRARY.glob("*.yaml"))
    assert files
    result = runner.invoke(args=["scenarios", "validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (") == len(files)
    assert len(library()) == len(files)


def line_starting(text: str, start: str, occurrence: int = 1) -> int:
    found = [n for n, t in enumerate(text.splitlines(), start=1) if t.strip().startswith(start)]
    return found[occurrence - 1]


def test_a_bad_file_gets_line_numbered_errors_naming_the_field(runner, tmp_path):
    schema_error = example_text().replace("estimated_minutes: 40", "estimated_minutes: many")
    path = tmp_path / "broken.yaml"
    path.write_text(schema_error)
    result = runner.invoke(args=["scenarios", "validate", str(path)])
    assert result.exit_code == 1
    line = line_starting(schema_error, "estimated_minutes")
    assert f"{path}:{line}: estimated_minutes: Input should be a valid integer" in result.output

    rules_error = (
        example_text()
        .replace("type: complaint_resolved_within", "type: complaint_resolved_whenever")
        .replace("criteria: [generic.ac4, focus.ac2]", "criteria: [generic.ac99]", 1)
    )
    path.write_text(rules_error)
    result = runner.invoke(args=["scenarios", "validate", str(path)])
    assert result.exit_code == 1
    type_line = line_starting(rules_error, "type: complaint_resolved_whenever")
    assert (
        f"{path}:{type_line}: tasks.2.checks.1.type: unknown check type "
        "'complaint_resolved_whenever'" in result.output
    )
    assert "unknown criterion 'generic.ac99'" in result.output
    assert "Traceback" not in result.output


def test_every_problem_is_reported_at_once_schema_and_cross_checks_together(runner, tmp_path):
    text = (
        example_text()
        .replace("estimated_minutes: 40", "estimated_minutes: many")
        .replace("title: Resolve and close at stage 1", "title: ''")
        .replace("type: complaint_resolved_within", "type: complaint_resolved_whenever")
        .replace("criteria: [generic.ac4, focus.ac2]", "criteria: [generic.ac99]", 1)
    )
    path = tmp_path / "three-problems.yaml"
    path.write_text(text)
    result = runner.invoke(args=["scenarios", "validate", str(path)])
    assert result.exit_code == 1
    minutes = line_starting(text, "estimated_minutes")
    title = line_starting(text, "title: ''")
    check_type = line_starting(text, "type: complaint_resolved_whenever")
    criterion = line_starting(text, "criteria: [generic.ac99]")
    assert result.output.splitlines() == [
        f"{path}:{minutes}: estimated_minutes: Input should be a valid integer, "
        "unable to parse string as an integer",
        f"{path}:{title}: tasks.2.title: String should have at least 1 character",
        f"{path}:{criterion}: tasks.0.checks.0.criteria.0: unknown criterion 'generic.ac99'",
        f"{path}:{check_type}: tasks.2.checks.1.type: unknown check type "
        f"'complaint_resolved_whenever' (known: {', '.join(sorted(REGISTRY))})",
    ]


def test_a_part_that_fails_the_schema_is_not_also_reported_by_the_cross_checks():
    text = example_text().replace("type: complaint_resolved_within", "type: ''")
    with pytest.raises(ScenarioError) as refused:
        parse(text, "mine.yaml")
    assert [p.field for p in refused.value.problems] == ["tasks.2.checks.1.type"]
    assert "at least 1 character" in refused.value.problems[0].message


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    with pytest.raises(ScenarioError) as refused:
        parse("id: x\ntitle: [unclosed\nlevel: 2\n", "bad.yaml")
    assert "bad.yaml:" in str(refused.value) and "not valid YAML" in str(refused.value)


def test_a_scenario_file_can_never_run_code(tmp_path):
    target = tmp_path / "pwned"
    hostile = f"!!python/object/apply:os.system ['touch {target}']\n"
    with pytest.raises(ScenarioError, match="not valid YAML"):
        parse(hostile, "hostile.yaml")
    assert not target.exists()


def test_starting_an_attempt_adds_the_opening_data_with_its_keys(attempt):
    okafor = db.session.get(Contact, attempt.keys["contacts"]["okafor"])
    assert okafor.sandbox_id == attempt.sandbox_id and okafor.last_name == "Okafor"
    complaint = db.session.get(Complaint, attempt.keys["complaints"]["late_sofa"])
    assert complaint.contact_id == okafor.id and complaint.stage == "received"
    assert attempt.sandbox.kind == "assignment"
    verbs = [e.verb for e in action_log.entries(attempt.sandbox_id, newest_first=False)]
    assert verbs[0] == "sandbox.provisioned" and verbs[-1] == "scenario.started"


def test_check_my_work_gives_feedback_per_task_and_is_logged(attempt):
    evaluation = engine.check_my_work(attempt, attempt.learner)
    assert evaluation.score == 0.0
    ack = evaluation.tasks[0].checks[0]
    assert ack.id == "ack-in-time" and not ack.passed
    assert "acknowledge within 1 working day" in ack.feedback
    assert ack.mistakes == ["procedure_not_followed"]
    last = action_log.entries(attempt.sandbox_id, limit=1)[0]
    assert last.verb == "scenario.checked" and last.payload["after"]["score"] == 0.0
    assert attempt.checks_run == 1


def test_the_model_answer_passes_and_a_walkthrough_fails_its_checks(app, create_user):
    scenario, source = library_source(EXAMPLE)
    learner = create_user(Role.LEARNER)
    good = engine.start_attempt(learner, scenario, source)
    engine.replay(good, scenario.model_answer)
    assert engine.evaluate(good).failing() == []
    bad = engine.start_attempt(learner, scenario, source)
    walk = scenario.walkthroughs[0]
    engine.replay(bad, walk.steps)
    assert engine.evaluate(bad).failing() == walk.expect_failing


def test_events_happen_when_the_sandbox_clock_reaches_them(app, create_user, frozen):
    # missed-call-back: Logistics email the new delivery options at 11:30
    scenario, source = library_source("missed-call-back")
    attempt = engine.start_attempt(create_user(Role.LEARNER), scenario, source)
    assert engine.due_events(attempt) == []
    frozen(attempt.sandbox, "2026-03-10 12:00")
    assert engine.fire_due_events(attempt) == 1
    assert [e.id for e in engine.happened_events(attempt)] == ["logistics-update"]
    shah = attempt.keys["contacts"]["shah"]
    assert db.session.scalars(select(Contact).where(Contact.id == shah)).one()
    entry = action_log.entries(attempt.sandbox_id, limit=1)[0]
    assert entry.verb == "scenario.event" and (
        entry.sandbox_time.hour,
        entry.sandbox_time.minute,
    ) == (11, 30)
    assert engine.fire_due_events(attempt) == 0


def test_hints_are_recorded_once(attempt):
    assert engine.use_hint(attempt, attempt.learner, "acknowledge", 0).tier == "nudge"
    engine.use_hint(attempt, attempt.learner, "acknowledge", 0)
    assert [(m["task"], m["index"]) for m in attempt.hints_used] == [("acknowledge", 0)]
    with pytest.raises(ServiceError, match="no such hint"):
        engine.use_hint(attempt, attempt.learner, "acknowledge", 9)


def test_submitting_needs_the_declaration_and_makes_the_sandbox_read_only(attempt):
    with pytest.raises(ServiceError, match="declaration"):
        engine.submit(attempt, attempt.learner, False)
    engine.submit(attempt, attempt.learner, True)
    assert attempt.status == "submitted" and attempt.sandbox.read_only
    assert "my own" in attempt.declaration.lower() or "own" in attempt.declaration
    with pytest.raises(ServiceError, match="already been submitted"):
        engine.submit(attempt, attempt.learner, True)
    with pytest.raises(ServiceError, match="Submitted work cannot be reset"):
        engine.reset_attempt(attempt, attempt.learner)


def test_restarting_puts_the_opening_data_back(attempt):
    engine.replay(attempt, loader.scenario_of(attempt).model_answer)
    engine.reset_attempt(attempt, attempt.learner)
    complaint = db.session.get(Complaint, attempt.keys["complaints"]["late_sofa"])
    assert complaint.stage == "received"
    assert engine.evaluate(attempt).failing() != []
    assert action_log.verify(attempt.sandbox_id).ok


def test_selftest_and_coverage_commands(runner):
    result = runner.invoke(args=["scenarios", "selftest", "--json"])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["scenarios"] == len(list(LIBRARY.glob("*.yaml")))
    assert summary["model_answers_passed"] == summary["scenarios"], summary["failures"]
    assert summary["walkthroughs_caught"] == summary["walkthroughs"] >= 2 * summary["scenarios"]
    assert summary["failures"] == [] and result.exit_code == 0
    coverage = runner.invoke(args=["criteria", "coverage", "--json"])
    report = json.loads(coverage.output.strip().splitlines()[-1])
    assert report["criteria"] >= 17 and report["mistakes"] >= 11
    assert report["covered"] == report["criteria"] and report["uncovered"] == []
    assert report["mistakes_covered"] == report["mistakes"]
    assert coverage.exit_code == 0
    assert summary["scenarios"] >= 12


def test_assigning_from_the_command_line(runner, create_user, create_group):
    learners = [create_user(Role.LEARNER) for _ in range(2)]
    group = create_group("Wednesday", learners=learners)
    result = runner.invoke(
        args=["scenarios", "assign", "--scenario", EXAMPLE, "--group", "Wednesday"]
    )
    assert result.exit_code == 0, result.output
    assert "to 2 learners" in result.output
    set_for = assignments.attempts_of(learners[0])[0].assignment
    assert set_for.group_id == group.id  # the group's work: its staff see it, no other's
    again = runner.invoke(
        args=["scenarios", "assign", "--scenario", EXAMPLE, "--learner", learners[0].email]
    )
    assert "to 0 learners" in again.output
    unknown = runner.invoke(
        args=["scenarios", "assign", "--scenario", "nope", "--learner", learners[0].email]
    )
    assert unknown.exit_code == 1 and "No scenario 'nope'" in unknown.output
    assert len(assignments.attempts_of(learners[1])) == 1


def test_the_learner_works_a_scenario_in_the_browser(client, auth, attempt, create_user):
    auth.login(attempt.learner.email)
    home = client.get("/learner/").data.decode()
    assert "A first complaint" in home
    page = client.get(f"/learner/scenarios/{attempt.id}").data.decode()
    assert "<strong>Harbour &amp; Vine Home Stores</strong>" in page  # Markdown rendered
    assert "Check my work" in page
    checked = client.post(f"/learner/scenarios/{attempt.id}/check", follow_redirects=True)
    assert b"not yet" in checked.data and b"acknowledge within 1 working day" in checked.data
    client.post(f"/learner/scenarios/{attempt.id}/hint", data={"task": "acknowledge", "index": "0"})
    hinted = client.get(f"/learner/scenarios/{attempt.id}").data.decode()
    assert 'Hint 1</span> <span class="badge text-bg-light border hint-tier">Nudge</span><p>' in (
        hinted
    )  # its tier, then its text as Markdown, as the brief
    refused = client.post(f"/learner/scenarios/{attempt.id}/submit", data={}, follow_redirects=True)
    assert b"Tick the declaration" in refused.data
    client.post(f"/learner/scenarios/{attempt.id}/submit", data={"declaration": "y"})
    db.session.refresh(attempt)
    assert attempt.status == "submitted"
    complaint_id = attempt.keys["complaints"]["late_sofa"]
    blocked = client.post(
        f"/s/{attempt.sandbox_id}/complaints/{complaint_id}/acknowledge",
        data={"ack-channel": "email", "ack-message": "late"},
        follow_redirects=True,
    )
    assert b"read-only" in blocked.data
    auth.logout()
    auth.login(create_user(Role.LEARNER).email)
    assert client.get(f"/learner/scenarios/{attempt.id}").status_code == 404
    assert client.get(f"/s/{attempt.sandbox_id}/").status_code == 404


def test_every_check_type_is_proven_to_pass_and_to_fail_by_the_library(app):
    from crm_sandbox.checks import REGISTRY
    from crm_sandbox.scenarios import selftest

    passes, fails = set(), set()
    for scenario_id, scenario in library().items():
        type_of = {check.id: check.type for _, check in scenario.checks()}
        report = selftest.run_one(scenario, library_source(scenario_id)[1])
        assert report["model_answer_passed"], (scenario_id, report["model_answer_failing"])
        passes.update(type_of.values())
        for walk in report["walkthroughs"]:
            assert walk["caught"], (scenario_id, walk)
            fails.update(type_of[c] for c in walk["failing"])
    unused = sorted(set(REGISTRY) - passes)
    never_failed = sorted(set(REGISTRY) - fails)
    assert not unused, f"check types no scenario uses: {unused}"
    assert not never_failed, f"check types no walk-through makes fail: {never_failed}"


def test_a_date_that_does_not_exist_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "bad-date.yaml"
    path.write_text(example_text().replace("start: 2026-03-09T09:00:00", "start: 2026-02-30"))
    result = runner.invoke(args=["scenarios", "validate", str(path)])
    assert result.exit_code == 1
    assert "not valid YAML" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "start", ["9999-12-30T09:00:00", "0001-01-01T09:00:00", "2100-01-01T09:00:00"]
)
def test_a_scenario_dated_outside_business_time_is_refused_at_its_line(start):
    text = re.sub(r"^start: .*$", f"start: {start}", example_text(), count=1, flags=re.M)
    with pytest.raises(ScenarioError) as refused:
        parse(text, "late.yaml")
    line = line_starting(text, "start:")
    assert (
        f"late.yaml:{line}: start: give a date between 1 January 2000 and 31 December 2099"
        in str(refused.value)
    )


def test_every_date_in_a_scenario_is_checked_not_only_the_start():
    text = example_text()
    dated = [key for key in ("received_at:", "occurred_at:", "at:") if f" {key} " in text]
    assert dated, "the example scenario has dated opening data or events"
    key = dated[0]
    late = text.replace(f" {key} ", f" {key} 9999-12-31T09:00:00\n# was: ", 1)
    with pytest.raises(ScenarioError, match="give a date between"):
        parse(late, "late.yaml")


def test_every_opening_complaint_was_received_when_its_history_begins(app, create_user):
    # The complaint page shows "received" and the history's first entry: they must agree
    # (the escalation scenario once said Thu 16 Apr on one and Mon 20 Apr on the other).
    from crm_sandbox.models import ComplaintEvent

    learner = create_user(Role.LEARNER)
    checked = 0
    for scenario_id in sorted(library()):
        scenario, source = library_source(scenario_id)
        attempt = engine.start_attempt(learner, scenario, source)
        for complaint in db.session.scalars(
            select(Complaint).where(Complaint.sandbox_id == attempt.sandbox_id)
        ):
            first = db.session.scalars(
                select(ComplaintEvent)
                .where(ComplaintEvent.complaint_id == complaint.id)
                .order_by(ComplaintEvent.at, ComplaintEvent.id)
            ).first()
            assert (first.action, first.at) == ("received", complaint.received_at), scenario_id
            checked += 1
    assert checked >= 3
