"""Check type `feedback_loop_closed` (focus.ac5): feedback gathered and analysed, acted on,
and the customers who gave it told what changed, in structured evidence and in order."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests.feedback_fakes import FakeState, action, entry, finding
from tests.trying import outcome

CHECK = REGISTRY["feedback_loop_closed"]


def told(seq, action_id, contacts):
    return entry(
        seq,
        "improvement.customers_told",
        action_id,
        {"contact_ids": list(contacts)},
        object_type="improvement_action",
    )


def run(findings, actions, extra=(), **params):
    log = [entry(1, "finding.recorded", f.id) for f in findings]
    log += [entry(10 + a.id, "improvement.planned", a.id) for a in actions]
    return CHECK(FakeState(findings, actions), log + list(extra), None, params)


def test_the_whole_chain_passes():
    result = run([finding(1, respondents=(10, 11))], [action(1, 1)], [told(20, 1, [10, 11])])
    assert result.passed and 20 in result.evidence


def test_telling_only_some_of_them_fails_unless_the_scenario_asks_for_a_share():
    partial = [told(20, 1, [10])]
    result = run([finding(1, respondents=(10, 11))], [action(1, 1)], partial)
    assert not result.passed and "1 of the 2 customers" in result.message
    assert run([finding(1, respondents=(10, 11))], [action(1, 1)], partial, min_share=0.5).passed


def test_telling_before_the_improvement_was_planned_does_not_count():
    early = entry(
        5,
        "improvement.customers_told",
        1,
        {"contact_ids": [10, 11]},
        object_type="improvement_action",
    )
    assert not run([finding(1, respondents=(10, 11))], [action(1, 1)], [early]).passed


def test_each_broken_link_is_named():
    assert "no finding" in run([], []).message
    made_up = run([finding(1, figure=4.5, computed=3.0)], [action(1, 1)], [told(20, 1, [10, 11])])
    assert not made_up.passed and "no finding" in made_up.message
    assert "no improvement action" in run([finding(1)], []).message
    result = run([finding(1)], [action(1, 1)])
    assert not result.passed and "you said, we did" in result.message
    nobody = run([finding(1, respondents=())], [action(1, 1)])
    assert not nobody.passed and "no customer on record" in nobody.message


def test_in_a_real_attempt_doing_nothing_fails(app):
    result = outcome("closing-the-loop", [], "you-said-we-did")
    assert not result.passed
