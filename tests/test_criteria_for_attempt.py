"""An attempt is assessed against its group's qualification only: the body's criteria that the
scenario evidences, numbered the awarding body's way ("LO.AC"), with the stable ids beneath."""

from __future__ import annotations

import dataclasses
import json

import pytest
from markupsafe import escape

from crm_sandbox.criteria import (
    DEFAULT_BODY,
    NumberedCriterion,
    body_of_attempt,
    criteria_for_attempt,
    criteria_for_body,
    criteria_for_scenario,
    evidenced_for_body,
    load_catalogue,
)
from crm_sandbox.extensions import db
from crm_sandbox.models import Role
from crm_sandbox.scenarios import loader
from crm_sandbox.services import assignments


def attempt_in(learner, group, scenario_id):
    assignments.assign(scenario_id, [learner], None, group_id=group.id if group else None)
    db.session.commit()
    return next(a for a in assignments.attempts_of(learner) if a.scenario_id == scenario_id)


def group_of(create_group, name, body_id, learners=(), tutor=None):
    group = create_group(name, tutor=tutor, learners=learners)
    group.body_id = body_id
    db.session.commit()
    return group


def test_a_bodys_criteria_come_numbered_in_number_order():
    focus = criteria_for_body("focus")

    assert [(c.number, c.id) for c in focus] == [
        ("1.1", "focus.ac1"),
        ("2.1", "focus.ac5"),
        ("3.1", "focus.ac3"),
        ("4.1", "focus.ac2"),
        ("4.2", "focus.ac4"),
        ("5.1", "focus.ac6"),
    ]
    first = focus[0]
    assert first.body_id == "focus"
    assert first.body_name.startswith("Focus Awards")
    assert first.outcome_number == 1
    assert first.outcome_text == load_catalogue().outcome("focus.lo1").text
    assert first.text == load_catalogue().criterion("focus.ac1").text  # the quoted wording
    assert first.learner_text.startswith("Show that you can ")


def test_a_numbered_criterion_cannot_be_changed():
    criterion = criteria_for_body("vtct")[0]

    assert isinstance(criterion, NumberedCriterion)
    with pytest.raises(dataclasses.FrozenInstanceError):
        criterion.number = "9.9"


def test_every_body_numbers_each_criterion_once_under_one_of_its_outcomes():
    for body in load_catalogue().bodies:
        numbered = criteria_for_body(body.id)
        assert sorted(c.id for c in numbered) == sorted(c.id for c in body.criteria)
        assert len({c.number for c in numbered}) == len(numbered)
        for criterion in numbered:
            outcome_ids = load_catalogue().criterion(criterion.id).outcome_ids
            assert criterion.outcome_number in {body.outcome_number(o) for o in outcome_ids}


def test_an_unknown_body_has_no_criteria():
    with pytest.raises(KeyError):
        criteria_for_body("nobody")


def test_an_attempt_is_assessed_against_its_groups_body(app, create_user, create_group):
    learner = create_user(Role.LEARNER)
    group = group_of(create_group, "Focus group", "focus", learners=[learner])

    attempt = attempt_in(learner, group, "first-complaint")

    assert body_of_attempt(attempt) == "focus"
    # first-complaint names generic.ac4, focus.ac2, focus.ac4, vtct.ac4 and icq.ac2
    assert [(c.number, c.id) for c in criteria_for_attempt(attempt)] == [
        ("4.1", "focus.ac2"),
        ("4.2", "focus.ac4"),
    ]


def test_work_set_outside_any_group_for_a_learner_in_no_group_uses_the_default_body(
    app, create_user
):
    learner = create_user(Role.LEARNER)

    attempt = attempt_in(learner, None, "first-complaint")

    assert DEFAULT_BODY == "generic"
    assert body_of_attempt(attempt) == "generic"
    assert [c.id for c in criteria_for_attempt(attempt)] == ["generic.ac4"]


def test_work_set_personally_uses_the_body_all_the_learners_groups_study(
    app, create_user, create_group
):
    learner = create_user(Role.LEARNER)
    group_of(create_group, "iCQ group", "icq", learners=[learner])

    attempt = attempt_in(learner, None, "first-complaint")

    assert body_of_attempt(attempt) == "icq"


def test_work_set_personally_for_a_learner_in_groups_of_two_bodies_uses_the_default(
    app, create_user, create_group
):
    learner = create_user(Role.LEARNER)
    tutor = create_user(Role.TUTOR)
    group_of(create_group, "iCQ group", "icq", learners=[learner], tutor=tutor)
    group_of(create_group, "Focus group", "focus", learners=[learner], tutor=tutor)

    attempt = attempt_in(learner, None, "first-complaint")

    assert body_of_attempt(attempt) == DEFAULT_BODY


def test_a_learner_in_two_groups_has_each_attempt_against_its_own_groups_body(
    app, create_user, create_group
):
    learner = create_user(Role.LEARNER)
    tutor = create_user(Role.TUTOR)
    vtct = group_of(create_group, "VTCT group", "vtct", learners=[learner], tutor=tutor)
    icq = group_of(create_group, "iCQ group", "icq", learners=[learner], tutor=tutor)

    in_vtct = attempt_in(learner, vtct, "first-complaint")
    in_icq = attempt_in(learner, icq, "proactive-retention")

    assert [c.id for c in criteria_for_attempt(in_vtct)] == ["vtct.ac4"]
    assert {c.body_id for c in criteria_for_attempt(in_icq)} == {"icq"}
    assert [(c.number, c.id) for c in criteria_for_attempt(in_icq)] == [
        ("2.2", "icq.ac4"),
        ("3.1", "icq.ac3"),
    ]


def test_a_scenario_naming_none_of_a_bodys_criteria_maps_through_the_themes():
    scenario = loader.library()["measurable-standards"]  # names generic.ac2 and icq.ac2 only

    assert [c.id for c in criteria_for_scenario(scenario, "vtct")] == ["vtct.ac4"]
    assert [c.id for c in criteria_for_scenario(scenario, "focus")] == ["focus.ac2"]


def test_a_scenario_naming_some_of_a_bodys_criteria_gets_just_those():
    scenario = loader.library()["needs-not-wants"]  # names vtct.ac3 and vtct.ac4, not vtct.ac1

    assert [c.id for c in criteria_for_scenario(scenario, "vtct")] == ["vtct.ac3", "vtct.ac4"]


class NamesOnly:
    """Just what criteria_for_scenario reads of a scenario: its criteria and its checks'."""

    def __init__(self, *criteria):
        self.criteria = list(criteria)

    def checks(self):
        return []


def test_a_scenario_evidencing_nothing_of_a_body_even_by_theme_gets_all_its_criteria():
    # vtct.ac2 (feedback) shares its theme with generic.ac3 and focus.ac5
    assert [c.id for c in criteria_for_scenario(NamesOnly("vtct.ac2"), "generic")] == [
        "generic.ac3"
    ]
    assert [c.id for c in criteria_for_scenario(NamesOnly("vtct.ac2"), "focus")] == ["focus.ac5"]
    # focus.ac4 (resolving issues professionally) shares its theme with no VTCT criterion
    assert [c.id for c in criteria_for_scenario(NamesOnly("focus.ac4"), "vtct")] == [
        c.id for c in criteria_for_body("vtct")
    ]


@pytest.mark.parametrize("scenario_id", sorted(loader.library()))
def test_every_library_scenario_has_criteria_of_every_body_and_only_of_that_body(scenario_id):
    scenario = loader.library()[scenario_id]
    named = list(scenario.criteria) + [c for _t, check in scenario.checks() for c in check.criteria]
    for body in load_catalogue().bodies:
        # found from what the scenario names, not the fallback to the body's every criterion
        assert evidenced_for_body(named, body.id), f"{scenario_id} evidences nothing of {body.id}"
        criteria = criteria_for_scenario(scenario, body.id)
        assert {c.body_id for c in criteria} == {body.id}


# ---------------------------------------------------------------- the learner's pages


def test_the_learners_scenario_page_shows_each_attempt_against_its_own_groups_criteria(
    client, auth, create_user, create_group
):
    learner = create_user(Role.LEARNER)
    tutor = create_user(Role.TUTOR)
    focus = group_of(create_group, "Focus group", "focus", learners=[learner], tutor=tutor)
    vtct = group_of(create_group, "VTCT group", "vtct", learners=[learner], tutor=tutor)
    in_focus = attempt_in(learner, focus, "first-complaint")
    in_vtct = attempt_in(learner, vtct, "needs-not-wants")
    auth.login(learner.email)

    focus_page = client.get(f"/learner/scenarios/{in_focus.id}").text
    vtct_page = client.get(f"/learner/scenarios/{in_vtct.id}").text

    assert "What you need to show" in focus_page
    assert "Focus Awards Level 2" in focus_page
    for criterion in criteria_for_body("focus"):
        shown = criterion.id in {"focus.ac2", "focus.ac4"}
        assert (escape(criterion.learner_text) in focus_page) == shown, criterion.id
    assert "<strong>4.1</strong>" in focus_page and "<strong>4.2</strong>" in focus_page
    assert "VTCT Skills" in vtct_page and "Focus Awards" not in vtct_page
    assert "<strong>3.1</strong>" in vtct_page and "<strong>4.1</strong>" in vtct_page
    for page in (focus_page, vtct_page):
        assert "Award credit" not in page  # the assessors' marking guidance
        assert not any(f"{body}.ac" in page for body in ("vtct", "focus", "icq", "generic"))


def test_the_tutors_attempt_page_shows_the_groups_criteria_and_what_each_check_evidences(
    client, auth, create_user, create_group
):
    from crm_sandbox.scenarios import engine

    tutor, learner = create_user(Role.TUTOR), create_user(Role.LEARNER)
    group = group_of(create_group, "Focus group", "focus", learners=[learner], tutor=tutor)
    attempt = attempt_in(learner, group, "first-complaint")
    engine.check_my_work(attempt, learner)
    db.session.commit()
    auth.login(tutor.email)

    page = client.get(f"/tutor/attempts/{attempt.id}").text

    assert "Criteria this work is assessed against" in page and "Focus Awards Level 2" in page
    assert "<strong>4.1</strong>" in page and "(focus.ac2)" in page
    assert "<strong>4.2</strong>" in page and "(focus.ac4)" in page
    assert "(evidences 4.1)" in page and "(evidences 4.2)" in page
    for other in ("generic.ac4", "vtct.ac4", "icq.ac2", "focus.ac1"):
        assert other not in page


# ---------------------------------------------------------------- the command line


def test_criteria_list_prints_a_bodys_or_a_groups_criteria_numbered(
    runner, create_user, create_group
):
    group_of(create_group, "Tuesday iCQ", "icq")

    by_body = runner.invoke(args=["criteria", "list", "--body", "focus"])
    by_group = runner.invoke(args=["criteria", "list", "--group", "tuesday icq"])
    learners = runner.invoke(args=["criteria", "list", "--body", "vtct", "--learner-wording"])

    assert by_body.exit_code == 0
    lines = by_body.output.splitlines()
    assert lines[0].startswith("Focus Awards")
    assert [line.split()[:2] for line in lines[1:]] == [
        ["1.1", "focus.ac1"],
        ["2.1", "focus.ac5"],
        ["3.1", "focus.ac3"],
        ["4.1", "focus.ac2"],
        ["4.2", "focus.ac4"],
        ["5.1", "focus.ac6"],
    ]
    assert by_group.exit_code == 0 and "icq.ac4" in by_group.output
    assert "vtct" not in by_group.output and "focus" not in by_group.output
    assert "Show that you can" in learners.output and "Award credit" not in learners.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--body", "city_and_guilds"], "Unknown qualification 'city_and_guilds'"),
        (["--group", "No such group"], "There is no group called 'No such group'"),
        ([], "Give --body or --group"),
        (["--body", "vtct", "--group", "x"], "not both"),
    ],
)
def test_criteria_list_refuses_what_it_cannot_find(runner, args, message):
    result = runner.invoke(args=["criteria", "list", *args])

    assert result.exit_code == 1
    assert message in result.output


def test_criteria_attempt_prints_the_groups_criteria_with_their_judgements(
    runner, create_user, create_group
):
    from crm_sandbox.scenarios import engine
    from crm_sandbox.services import assessment

    learner, assessor = create_user(Role.LEARNER), create_user(Role.ASSESSOR)
    group = group_of(create_group, "Focus group", "focus", learners=[learner, assessor])
    attempt = attempt_in(learner, group, "first-complaint")
    engine.submit(attempt, learner, True)
    assessment.judge(attempt, assessor, "focus.ac4", "met", "")
    db.session.commit()

    result = runner.invoke(args=["criteria", "attempt", str(attempt.id)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "assessed against Focus Awards" in lines[0]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["4.1", "focus.ac2", "Not"],
        ["4.2", "focus.ac4", "Met"],
    ]
    assert "vtct" not in result.output and "generic" not in result.output
    missing = runner.invoke(args=["criteria", "attempt", "99999999999"])
    assert missing.exit_code == 1 and "There is no attempt 99999999999" in missing.output


@pytest.mark.parametrize("body_id", ["vtct", "focus", "icq", "generic"])
def test_criteria_coverage_of_one_body_counts_its_criteria_as_its_groups_see_them(runner, body_id):
    result = runner.invoke(args=["criteria", "coverage", "--body", body_id, "--json"])
    report = json.loads(result.output)

    assert result.exit_code == 0
    assert report["body"] == body_id
    assert report["criteria"] == len(criteria_for_body(body_id)) == report["covered"]
