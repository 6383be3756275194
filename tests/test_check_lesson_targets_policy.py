"""Check type `lesson_targets_policy`: the policy (and kind of change) chosen for the lesson
learned at close, against the scenario's truth (returns-policy-complaint: the returns policy);
the lesson's words never decide it."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests._policy_steps import returns_resolve
from tests.trying import outcome

CLOSE = """
- do: ask_satisfied
  complaint: pillow_refund
  channel: email
  words: "Are you satisfied?"
- do: wait
  working_hours: 3
- do: close
  complaint: pillow_refund
  confirmed: true
  root_cause: "Shop error."
  lessons: "{lessons}"
"""


def judge(lessons: str, policy: str | None = None, change: str | None = None):
    steps = returns_resolve() + CLOSE.format(lessons=lessons)
    if policy:
        steps += f"  lesson_policy: {policy}\n"
    if change:
        steps += f"  lesson_change: {change}\n"
    return outcome("returns-policy-complaint", steps, "lesson-names-policy")


def test_the_right_policy_in_own_words_passes(app):
    assert judge("Shops ring head office before turning down a bedding refund.", "returns").passed
    assert judge("Refresher for shop staff.", "returns", "train_staff").passed


def test_the_policys_name_in_the_text_without_the_choice_fails(app):
    found = judge("Returns policy, returns policy, refund policy.")
    assert not found.passed and not found.pending
    assert "choose it on the close form" in found.message


def test_another_policy_fails_without_naming_the_right_one(app):
    found = judge("Check identity first.", "data_protection")
    assert not found.passed
    assert "data protection" in found.message and "returns" not in found.message.lower()
    assert "returns" not in found.feedback.lower().replace("returns policy", "")


def test_not_closed_is_not_yet_judged(app):
    assert outcome("returns-policy-complaint", [], "lesson-names-policy").pending
    assert outcome("returns-policy-complaint", returns_resolve(), "lesson-names-policy").pending


def test_the_kind_of_change_is_judged_only_when_the_scenario_names_it(app):
    from crm_sandbox.scenarios.state import Log

    class State:
        def get(self, kind, key):
            return type("C", (), {"id": 7})()

    def close(change):
        from crm_sandbox.scenarios.state import LogItem

        after = {"lessons_policy": "returns", "lessons_change": change}
        return Log(
            [
                LogItem(
                    1, "complaint.closed", "complaint", 7, "2026-03-23T10:00:00", {"after": after}
                )
            ]
        )

    check = REGISTRY["lesson_targets_policy"]
    params = {"complaint": "c", "policies": ["returns"], "changes": ["train_staff"]}
    assert check(State(), close("train_staff"), None, params).passed
    assert not check(State(), close("change_policy"), None, params).passed
