"""Hints in tiers (a nudge, a pointer to the policy or record, then the step): the scenario
format, opening them in order, each opening recorded once with its real and sandbox time, the
cost per tier taken off the score (never off a check), old "task:index" markers still read,
and the learner's, tutor's and assessor's pages and the evidence pack showing them."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Role
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.scenarios.engine.evaluation import Evaluation, TaskOutcome
from crm_sandbox.scenarios.loader import LIBRARY, ScenarioError, library, library_source, parse
from crm_sandbox.services import assignments, hints, log_words
from crm_sandbox.services.errors import ServiceError
from crm_sandbox.services.evidence import exports, gathering

SCENARIO = "first-complaint"  # costs: nudge 0, pointer 0.02, step 0.05
TASK = "acknowledge"


def text_of(scenario_id: str = SCENARIO) -> str:
    return (LIBRARY / f"{scenario_id}.yaml").read_text()


@pytest.fixture
def attempt(app, create_user):
    learner = create_user(Role.LEARNER, name="Hana Hinted")
    scenario, source = library_source(SCENARIO)
    made = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    return made


def hint_entries(attempt) -> list[ActionLogEntry]:
    return list(
        db.session.scalars(
            select(ActionLogEntry)
            .where(ActionLogEntry.sandbox_id == attempt.sandbox_id)
            .where(ActionLogEntry.verb == "scenario.hint_viewed")
            .order_by(ActionLogEntry.seq)
        )
    )


# ---------------------------------------------------------------- the scenario format


def with_hints(block: str, costs: str = "") -> str:
    """The example scenario with its first task's hints replaced by `block` (YAML lines at
    the hints' indent) and, if given, a hint_costs line."""
    text = text_of()
    start = text.index("    hints:\n")
    end = text.index("    checks:\n", start)
    text = text[:start] + "    hints:\n" + block + text[end:]
    text = re.sub(r"\nhint_costs: .*", "", text)
    if costs:
        text = text.replace("\nbrief: |", f"\nhint_costs: {costs}\nbrief: |", 1)
    return text


def test_plain_strings_take_their_tier_from_their_position_and_mappings_name_it():
    scenario = parse(
        with_hints('      - "First."\n      - "Second."\n      - "Third."\n      - "Fourth."\n')
    )
    assert [(h.tier, h.text) for h in scenario.tasks[0].hints] == [
        ("nudge", "First."),
        ("pointer", "Second."),
        ("step", "Third."),
        ("step", "Fourth."),
    ]
    assert [h.label for h in scenario.tasks[0].hints[:3]] == [
        "Nudge",
        "Pointer to the policy or record",
        "The step",
    ]
    mixed = parse(
        with_hints(
            "      - tier: nudge\n        text: Think.\n"
            "      - tier: nudge\n        text: Think again.\n"
            '      - "Then the step."\n'
        )
    )
    assert [h.tier for h in mixed.tasks[0].hints] == ["nudge", "nudge", "step"]
    assert mixed.hint_costs.of("step") == 0  # no costs unless the scenario sets them


def test_hints_out_of_tier_order_are_a_loader_problem_with_their_line():
    text = with_hints(
        "      - tier: step\n        text: Press the button.\n"
        "      - tier: nudge\n        text: Think first.\n"
    )
    with pytest.raises(ScenarioError) as caught:
        parse(text, "order.yaml")
    problem = caught.value.problems[0]
    assert problem.field == "tasks.0.hints"
    assert "hint 2 is a nudge after a step" in problem.message
    assert problem.line == text.splitlines().index("    hints:") + 2  # the task's hints
    with pytest.raises(ScenarioError, match="tasks.0.hints.0.tier"):
        parse(with_hints("      - tier: answer\n        text: The answer.\n"))


def test_hint_costs_are_a_share_of_the_score_between_0_and_half_per_tier():
    scenario = parse(with_hints('      - "Nudge."\n', "{nudge: 0, pointer: 0.05, step: 0.1}"))
    assert (scenario.hint_costs.nudge, scenario.hint_costs.pointer) == (0, 0.05)
    assert scenario.hint_costs.any
    with pytest.raises(ScenarioError, match="hint_costs.step"):
        parse(with_hints('      - "Nudge."\n', "{step: 0.6}"))
    with pytest.raises(ScenarioError, match="hint_costs.hint"):
        parse(with_hints('      - "Nudge."\n', "{hint: 0.1}"))  # a misspelt tier is an error


def test_the_library_gives_every_task_a_nudge_and_sets_costs_in_three_scenarios():
    scenarios = library()
    assert len(scenarios) >= 14
    for scenario_id, scenario in scenarios.items():
        for task in scenario.tasks:
            tiers = [h.tier for h in task.hints]
            assert tiers and tiers[0] == "nudge", (scenario_id, task.id)
            for hint in task.hints:  # teach, do not hand over amounts or targets
                assert not re.search(r"£\s*\d|\d\s*%", hint.text), (scenario_id, hint.text)
    assert sum(1 for s in scenarios.values() if s.hint_costs.any) >= 3


# ---------------------------------------------------------------- opening a hint


def test_a_hint_is_recorded_once_with_the_real_and_the_sandbox_time(attempt):
    hint = engine.use_hint(attempt, attempt.learner, TASK, 0)
    assert hint.tier == "nudge" and hint.text
    assert engine.use_hint(attempt, attempt.learner, TASK, 0) == hint  # shown again, not recorded
    db.session.commit()
    [recorded] = attempt.hints_used
    [entry] = hint_entries(attempt)
    assert recorded["task"] == TASK and recorded["index"] == 0 and recorded["tier"] == "nudge"
    assert datetime.fromisoformat(recorded["real_time"]) == entry.real_time
    assert datetime.fromisoformat(recorded["sandbox_time"]) == entry.sandbox_time
    assert entry.sandbox_time == engine.clock.sandbox_now(attempt.sandbox).replace(microsecond=0)
    assert recorded["seq"] == entry.seq
    after = entry.payload["after"]
    assert (after["task"], after["number"], after["tier"], after["cost"]) == (TASK, 1, "nudge", 0)
    [used] = hints.hints_used(attempt, loader.scenario_of(attempt))
    assert (used.task_title, used.number, used.label, used.cost) == (
        "Acknowledge the complaint",
        1,
        "Nudge",
        0,
    )
    assert used.real_time == entry.real_time and used.sandbox_time == entry.sandbox_time


def test_hints_open_in_order_and_a_refusal_records_nothing(attempt):
    seq = attempt.sandbox.log_seq
    with pytest.raises(ServiceError, match=r"in order: hint 1 \(nudge\) comes first"):
        engine.use_hint(attempt, attempt.learner, TASK, 1)
    with pytest.raises(ServiceError, match="no such hint"):
        engine.use_hint(attempt, attempt.learner, TASK, 9)
    with pytest.raises(ServiceError, match="no such hint"):
        engine.use_hint(attempt, attempt.learner, "no-such-task", 0)
    assert attempt.hints_used == [] and attempt.sandbox.log_seq == seq
    engine.use_hint(attempt, attempt.learner, TASK, 0)
    assert engine.use_hint(attempt, attempt.learner, TASK, 1).tier == "pointer"
    assert engine.use_hint(attempt, attempt.learner, "inform", 0).tier == "nudge"  # per task
    assert [(m["task"], m["index"]) for m in attempt.hints_used] == [
        (TASK, 0),
        (TASK, 1),
        ("inform", 0),
    ]


def test_only_the_learner_opens_hints_and_not_after_handing_in(attempt, create_user):
    other = create_user(Role.LEARNER)
    with pytest.raises(ServiceError, match="Only the learner"):
        engine.use_hint(attempt, other, TASK, 0)
    engine.use_hint(attempt, attempt.learner, TASK, 0)
    engine.submit(attempt, attempt.learner, True)
    with pytest.raises(ServiceError, match="handed in"):
        engine.use_hint(attempt, attempt.learner, TASK, 1)
    assert engine.use_hint(attempt, attempt.learner, TASK, 0).tier == "nudge"  # re-read
    assert len(attempt.hints_used) == 1 and len(hint_entries(attempt)) == 1


def test_old_task_index_markers_still_read_with_their_tier_and_cost(attempt):
    attempt.hints_used = [
        "acknowledge:0",
        "acknowledge:1",
        "acknowledge:1",  # recorded twice by an old bug: counted once
        "gone:0",
        "acknowledge:x",
        {"task": TASK, "index": "2"},  # malformed
    ]
    scenario = loader.scenario_of(attempt)
    used = hints.hints_used(attempt, scenario)
    assert [(h.number, h.tier, h.real_time) for h in used] == [
        (1, "nudge", None),
        (2, "pointer", None),
    ]
    assert hints.cost_of(attempt, scenario) == 0.02
    assert hints.opened(attempt) >= {(TASK, 0), (TASK, 1)}
    # the next hint opens after the old markers, and the list mixes both forms
    assert engine.use_hint(attempt, attempt.learner, TASK, 2).tier == "step"
    assert [h.number for h in hints.hints_used(attempt, scenario)] == [1, 2, 3]


# ---------------------------------------------------------------- the score


def test_hints_cost_the_score_per_tier_and_never_change_a_check(attempt):
    engine.replay(attempt, loader.scenario_of(attempt).model_answer)
    clean = engine.evaluate(attempt)
    assert clean.score == clean.score_before_hints == 1.0 and clean.hint_cost == 0
    for index in range(3):  # a nudge (free), a pointer (0.02) and the step (0.05)
        engine.use_hint(attempt, attempt.learner, TASK, index)
    engine.use_hint(attempt, attempt.learner, "inform", 0)  # another free nudge
    hinted = engine.check_my_work(attempt, attempt.learner)
    assert hinted.passing() == clean.passing() and hinted.failing() == []
    assert hinted.score_before_hints == 1.0 and hinted.hint_cost == 0.07
    assert hinted.score == 0.93 == attempt.latest_score
    results = attempt.latest_results
    assert (results["score_before_hints"], results["hint_cost"], results["score"]) == (
        1.0,
        0.07,
        0.93,
    )
    assert results["hints_used"] == 4
    checked = [
        e for e in engine.action_log.entries(attempt.sandbox_id) if e.verb == "scenario.checked"
    ][0]
    assert checked.payload["after"]["score_before_hints"] == 1.0
    words = log_words.describe_entry(checked)
    assert words == "Checked the work: 100% of the checks passed; score 93% after 7% for hints"


def test_the_score_never_goes_below_zero():
    evaluation = Evaluation([TaskOutcome("t", "T")], hint_cost=0.5)
    assert evaluation.score_before_hints == 0 and evaluation.score == 0


def test_a_scenario_without_costs_scores_the_checks_alone(app, create_user):
    learner = create_user(Role.LEARNER)
    scenario, source = library_source("missed-call-back")
    attempt = engine.start_attempt(learner, scenario, source)
    engine.use_hint(attempt, learner, scenario.tasks[0].id, 0)
    engine.use_hint(attempt, learner, scenario.tasks[0].id, 1)
    evaluation = engine.evaluate(attempt)
    assert evaluation.hint_cost == 0 and evaluation.score == evaluation.score_before_hints


# ---------------------------------------------------------------- the log and the evidence pack


def test_the_log_says_which_tier_was_read_and_the_xapi_statement_carries_it(attempt):
    engine.use_hint(attempt, attempt.learner, TASK, 0)
    engine.use_hint(attempt, attempt.learner, TASK, 1)
    db.session.commit()
    first, second = hint_entries(attempt)
    assert log_words.describe_entry(second) == (
        "Read hint 2 for the task “acknowledge” (a pointer)"
    )
    details = {c.label: c.after for c in log_words.entry_details(second)}
    assert details["Hint tier"] == "pointer" and details["Hint number"] == "2"
    assert "Hint" not in details  # the index counted from 0 is bookkeeping
    statement = exports.xapi_statement(second, attempt.id, "https://example.org")
    assert statement["verb"]["id"].endswith("/verbs/scenario.hint_viewed")
    tiers = [v for k, v in statement["context"]["extensions"].items() if k.endswith("hint-tier")]
    assert tiers == ["pointer"]
    evidence = gathering.gather(attempt.learner)
    [item] = evidence.attempts
    assert [(h.number, h.tier) for h in item.hints] == [(1, "nudge"), (2, "pointer")]


# ---------------------------------------------------------------- the pages


def test_the_learner_sees_each_tier_and_cost_before_opening_and_opens_in_order(
    client, auth, attempt
):
    auth.login(attempt.learner.email)
    page = client.get(f"/learner/scenarios/{attempt.id}").text
    assert "Show hint 1: Nudge" in page
    assert "Hint 2: Pointer to the policy or record (costs 2% of the score), after hint 1" in page
    assert "Hint 3: The step (costs 5% of the score), after hint 2" in page
    assert "Show hint 2" not in page  # the pointer's button comes after the nudge
    scenario = loader.scenario_of(attempt)
    pointer = scenario.tasks[0].hints[1].text
    assert pointer not in unescape(page)

    refused = client.post(
        f"/learner/scenarios/{attempt.id}/hint",
        data={"task": TASK, "index": "1"},
        follow_redirects=True,
    )
    assert "hint 1 (nudge) comes first. Nothing was recorded." in refused.text
    db.session.refresh(attempt)
    assert attempt.hints_used == [] and hint_entries(attempt) == []

    client.post(f"/learner/scenarios/{attempt.id}/hint", data={"task": TASK, "index": "0"})
    client.post(f"/learner/scenarios/{attempt.id}/hint", data={"task": TASK, "index": "1"})
    page = client.get(f"/learner/scenarios/{attempt.id}").text
    assert 'hint-tier">Pointer to the policy or record</span>' in page
    assert "(costs 2% of the score)" in page and pointer in unescape(page)
    assert "Show hint 3: The step" in page
    assert "Hints opened: 2, taking 2% off the score." in page
    checked = client.post(f"/learner/scenarios/{attempt.id}/check", follow_redirects=True)
    assert "of the checks pass (score " in checked.text
    assert "after the hints' cost)" in unescape(checked.text)
    page = client.get(f"/learner/scenarios/{attempt.id}").text
    assert "score before hints" in page and "hints −2%" in page


def test_a_learner_cannot_open_another_learners_hint(client, auth, attempt, create_user):
    other = create_user(Role.LEARNER)
    auth.login(other.email)
    response = client.post(
        f"/learner/scenarios/{attempt.id}/hint", data={"task": TASK, "index": "0"}
    )
    assert response.status_code == 404
    db.session.refresh(attempt)
    assert attempt.hints_used == [] and hint_entries(attempt) == []


def test_a_bad_hint_request_gets_a_message_not_an_error(client, auth, attempt):
    auth.login(attempt.learner.email)
    for data in ({"task": TASK, "index": "x"}, {"task": "nope", "index": "0"}, {}):
        response = client.post(
            f"/learner/scenarios/{attempt.id}/hint", data=data, follow_redirects=True
        )
        assert response.status_code == 200 and "There is no such hint." in response.text
    db.session.refresh(attempt)
    assert attempt.hints_used == []


def _tutor_world(create_user, create_group):
    tutor = create_user(Role.TUTOR, name="Tess Tutor")
    learner = create_user(Role.LEARNER, name="Lee Learner")
    assessor = create_user(Role.ASSESSOR, name="Ash Assessor")
    group = create_group("Hints group", tutor=tutor, learners=[learner], assessors=[assessor])
    assignments.assign(SCENARIO, [learner], None, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    engine.replay(attempt, loader.scenario_of(attempt).model_answer)
    engine.use_hint(attempt, learner, TASK, 0)
    engine.use_hint(attempt, learner, TASK, 1)
    engine.check_my_work(attempt, learner)
    db.session.commit()
    return tutor, assessor, attempt


def test_the_tutor_sees_task_tier_text_times_and_the_score_parts(
    client, auth, create_user, create_group
):
    tutor, _assessor, attempt = _tutor_world(create_user, create_group)
    auth.login(tutor.email)
    page = client.get(f"/tutor/attempts/{attempt.id}").text
    scenario = loader.scenario_of(attempt)
    nudge, pointer = scenario.tasks[0].hints[:2]
    assert "Hints used (2)" in page
    assert "1: Nudge" in page and "2: Pointer to the policy or record" in page and "(−2%)" in page
    assert nudge.text in unescape(page) and pointer.text in unescape(page)
    [first, _] = hints.hints_used(attempt, scenario)
    assert f"{log_words.when(first.sandbox_time)} in the sandbox" in page
    assert f"{log_words.when(first.real_time)} UTC real time" in page
    assert "score before hints 100%" in page and "hints −2%" in page and "score 98%" in page
    assert "Read hint 2 for the task “acknowledge” (a pointer)" in page


def test_the_assessor_sees_the_hints_and_the_score_before_them(
    client, auth, create_user, create_group
):
    _tutor, assessor, attempt = _tutor_world(create_user, create_group)
    engine.submit(attempt, attempt.learner, True)
    db.session.commit()
    auth.login(assessor.email)
    page = client.get(f"/assessor/attempts/{attempt.id}").text
    assert 'id="hints-used"' in page and "Hints used (2)" in page
    assert "2: Pointer to the policy or record" in page
    assert "in the sandbox" in page and "real time" in page
    assert 'at submission: <span class="score-before-hints">score before hints 100%' in page
    assert "score 98%" in page
    queue = client.get("/assessor/").text
    assert "score 98% after hints" in queue


def test_quality_sampling_reads_the_checks_passed_not_the_score_after_hints(attempt):
    from crm_sandbox.services.assessment import quality

    engine.replay(attempt, loader.scenario_of(attempt).model_answer)
    engine.use_hint(attempt, attempt.learner, TASK, 0)
    engine.use_hint(attempt, attempt.learner, TASK, 1)
    engine.submit(attempt, attempt.learner, True)
    assert attempt.latest_score == 0.98
    assert quality._checks_passed(attempt) == 1.0  # not flagged "checks not all passed"
