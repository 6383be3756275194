"""Check type `complaint_confirmed_before_close`: the close must point at the customer's own
"yes" about this complaint, given after the outcome it closes on."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import Log, LogItem
from tests._policy_steps import RETURNS_CLOSE_CONFIRMED, returns_resolve
from tests.trying import outcome


def judge(steps):
    return outcome("returns-policy-complaint", steps, "confirmed-close")


def test_a_close_on_the_customers_yes_passes(app):
    assert judge(returns_resolve() + RETURNS_CLOSE_CONFIRMED).passed


def test_a_close_on_judgement_with_a_typed_yes_fails(app):
    steps = (
        returns_resolve()
        + """
- do: log_interaction
  contact: nowak
  channel: phone
  direction: inbound
  summary: "He says yes, he is satisfied."
- do: close
  complaint: pillow_refund
  confirmed: false
  root_cause: "x"
  lessons: "y"
  judgement: "He said yes on the phone."
"""
    )
    found = judge(steps)
    assert not found.passed and not found.pending


def test_not_closed_is_not_yet_judged(app):
    assert judge([]).pending
    assert judge(returns_resolve()).pending


def _item(seq, verb, oid, after, time="2026-03-23T10:00:00"):
    kind = "complaint" if verb.startswith("complaint") else "interaction"
    return LogItem(seq, verb, kind, oid, time, {"after": after})


class State:
    def get(self, kind, key):
        return type("C", (), {"id": 5, "contact_id": 9, "satisfaction_reply_id": None})()


def yes(seq, complaint_id=5):
    return _item(
        seq,
        "interaction.logged",
        40 + seq,
        {
            "contact_id": 9,
            "direction": "inbound",
            "answer_kind": "satisfied",
            "complaint_id": complaint_id,
        },
    )


def test_a_yes_to_another_complaint_or_before_a_later_outcome_fails(app):
    check = REGISTRY["complaint_confirmed_before_close"]
    params = {"complaint": "c"}

    def closed(seq, reply_seq):
        return _item(seq, "complaint.closed", 5, {"satisfaction_reply_id": 40 + reply_seq})

    assert check(State(), Log([yes(1), closed(2, 1)]), None, params).passed
    assert not check(State(), Log([yes(1, complaint_id=6), closed(2, 1)]), None, params).passed
    escalated = _item(2, "complaint.escalated", 5, {"level": "supervisor"})
    resolved_again = _item(3, "complaint.resolved", 5, {"resolution": "Stage 2"})
    log = Log([yes(1), escalated, resolved_again, closed(4, 1)])
    found = check(State(), log, None, params)
    assert not found.passed and "before the outcome" in found.message
