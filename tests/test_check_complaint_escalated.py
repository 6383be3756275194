"""Check type `complaint_escalated`: escalation-stage-2's truth is the supervisor level, for the
procedure's first reason, after the tenant's own answer about this complaint. Judged on the
reason chosen (by number), the order and any amount asked for: never on the words."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import Log, LogItem
from tests._policy_steps import STAGE1
from tests.trying import outcome

CHECK = "escalated-with-reason"


def escalate(rule=None, reason="She is not happy with our first answer.", wait=True) -> str:
    steps = STAGE1 + ("- do: wait\n  working_hours: 3\n" if wait else "")
    steps += f'- do: escalate\n  complaint: fan_repair\n  reason: "{reason}"\n'
    if rule is not None:
        steps += f"  rule: {rule}\n"
    return steps


def judge(steps):
    return outcome("escalation-stage-2", steps, CHECK)


def test_the_procedures_reason_in_own_words_passes(app):
    found = judge(escalate(1, "Ms Foster turned the repair date down and wants a review."))
    assert found.passed and not found.pending


def test_the_procedures_words_without_the_reason_chosen_fail(app):
    found = judge(escalate(None, "Not satisfied, dissatisfied, unhappy with stage 1."))
    assert not found.passed and "choose it from" in found.message


def test_another_reason_fails_without_giving_the_right_one(app):
    found = judge(escalate(2))
    assert not found.passed
    assert "member of staff" in found.message  # the learner's own choice, quoted
    assert "not satisfied with the stage 1" not in found.message + found.feedback


def test_escalating_before_the_customer_answered_fails(app):
    found = judge(escalate(1, wait=False))
    assert not found.passed and not found.pending
    assert "before the customer gave a reason" in found.message


def test_nothing_done_or_only_time_passing_is_not_yet_judged(app):
    assert judge([]).pending
    assert judge("- do: advance\n  next_working_day: true\n").pending


def test_the_customers_answer_unescalated_is_a_miss(app):
    found = judge(STAGE1 + "- do: wait\n  working_hours: 3\n")
    assert not found.passed and not found.pending


def _log(*items):
    return Log(
        [
            LogItem(
                seq,
                verb,
                "complaint" if verb.startswith("complaint") else "interaction",
                oid,
                "2026-04-20T10:00:00",
                {"after": after},
            )
            for seq, verb, oid, after in items
        ]
    )


class State:
    def get(self, kind, key):
        return type("C", (), {"id": 5, "contact_id": 9})()


CUSTOMER_ASKS = (
    1,
    "interaction.logged",
    40,
    {"contact_id": 9, "direction": "inbound", "answer_kind": "escalation", "complaint_id": 5},
)


def test_an_amount_asked_for_must_be_the_customers(app):
    check = REGISTRY["complaint_escalated"]
    params = {"complaint": "c", "rules": [3], "after_answer": ["escalation"], "amount": 150}

    def escalated(amount):
        after = {"level": "supervisor", "rule": 3, "contact_id": None}
        if amount:
            after["amount"] = amount
        return _log(CUSTOMER_ASKS, (2, "complaint.escalated", 5, after))

    assert check(State(), escalated("150.00"), None, params).passed
    assert not check(State(), escalated("100.00"), None, params).passed
    assert not check(State(), escalated(None), None, params).passed


def test_a_customer_message_about_another_complaint_does_not_make_it_due(app):
    check = REGISTRY["complaint_escalated"]
    params = {"complaint": "c", "rules": [1], "after_answer": ["escalation"]}
    other = (
        1,
        "interaction.logged",
        40,
        {"contact_id": 9, "direction": "inbound", "answer_kind": "escalation", "complaint_id": 6},
    )
    learner_note = (
        2,
        "interaction.logged",
        41,
        {"contact_id": 9, "direction": "inbound", "summary": "She wants it escalated"},
    )
    log = _log(
        other, learner_note, (3, "complaint.escalated", 5, {"level": "supervisor", "rule": 1})
    )
    assert not check(State(), log, None, params).passed


def test_expect_false_waits_for_a_front_line_resolution(app):
    check = REGISTRY["complaint_escalated"]
    params = {"complaint": "c", "expect": False}
    assert check(State(), _log(), None, params).pending
    resolved = (1, "complaint.resolved", 5, {"resolution": "Put right"})
    assert check(State(), _log(resolved), None, params).passed
    moved = (2, "complaint.escalated", 5, {"level": "supervisor", "rule": 1})
    assert not check(State(), _log(resolved, moved), None, params).passed
