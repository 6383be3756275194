"""Check type `policy_rule_applied`: the rule chosen on the resolution against the scenario's
truth (returns-policy-complaint: returns.2), whatever the resolution's words say."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services.complaints.rules import find_rule
from tests._policy_steps import RETURNS_START, returns_resolve
from tests.trying import outcome


def judge(steps):
    return outcome("returns-policy-complaint", steps, "policy-linked")


def test_the_right_rule_passes_whatever_the_resolution_says(app):
    found = judge(returns_resolve(resolution="It broke in ten days, so he gets it all back."))
    assert found.passed and not found.pending


def test_the_policys_words_without_the_rule_chosen_fail(app):
    words = (
        "Under our returns policy a faulty item can be rejected within 30 days for a full refund."
    )
    found = judge(returns_resolve(policy=None, resolution=words))
    assert not found.passed and not found.pending
    assert "choose the rule" in found.message


def test_the_wrong_rule_fails_and_the_message_names_the_learners_choice_not_the_answer(app):
    found = judge(returns_resolve(policy="returns.4"))
    assert not found.passed
    assert "rule 4" in found.message and "rule 2" not in found.message
    assert "rule 2" not in found.feedback and "faulty" not in found.feedback.lower()


def test_nothing_resolved_is_not_yet_judged(app):
    assert judge([]).pending
    assert judge(RETURNS_START).pending


def test_the_library_names_rules_its_organisations_have(app):
    """Every policy_rule_applied check names rules that exist in its scenario's profile."""
    from seed.profiles import load_all

    profiles = load_all()
    for scenario_id in ("returns-policy-complaint", "escalation-stage-2"):
        scenario, _ = library_source(scenario_id)
        policies = dict(profiles[scenario.profile].policies)
        for task in scenario.tasks:
            for check in task.checks:
                if check.type == "policy_rule_applied":
                    for ref in check.params["rules"]:
                        assert find_rule(policies, ref), (scenario_id, ref)


def test_a_rule_reference_must_look_like_one():
    problems = REGISTRY["policy_rule_applied"].params.model_validate
    try:
        problems({"complaint": "x", "rules": ["faulty items"]})
    except Exception as exc:  # pydantic ValidationError
        assert "pattern" in str(exc)
    else:
        raise AssertionError("a free-text rule was accepted")
