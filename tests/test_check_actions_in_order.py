"""Check type `actions_in_order`: the service cycle in order, with identify, agree and deliver
judged per customer (this customer's need confirmed by this customer's reply, a standard agreed
with them, the service delivered to them). Hand-made action logs: fast."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem

START = datetime(2026, 2, 26, 9, 0)
GRACE, OTHER = 7, 8


class FakeState:
    def id_of(self, kind, key):
        return {"grace": GRACE, "other": OTHER}[key]

    def all(self, model, *conditions):
        return []


class Log(list):
    def add(self, verb, object_type, object_id, **after):
        seq = len(self) + 1
        self.append(
            LogItem(
                seq, verb, object_type, object_id, START + timedelta(minutes=seq), {"after": after}
            )
        )
        return self

    def reply_confirming(self, need_id, reply_id=50, contact=GRACE):
        self.add(
            "interaction.logged",
            "interaction",
            reply_id,
            contact_id=contact,
            direction="inbound",
            answer_kind="needs_reply",
            details={"confirmed": [need_id], "corrected": [], "added": []},
        )
        return self.add("need.confirmed", "need", need_id, contact_id=contact, reply_id=reply_id)

    def agreed(self, contact=GRACE):
        return self.add("standard.agreed", "standard", 3, agreed_with_contact_id=contact)

    def delivered(self, contact=GRACE, purpose="follow_up"):
        return self.add(
            "interaction.logged",
            "interaction",
            60 + len(self),
            contact_id=contact,
            direction="outbound",
            purpose=purpose,
        )

    def rest(self):
        self.add("survey.sent", "survey", 4)
        self.add("finding.recorded", "finding", 5)
        return self.add("improvement.planned", "improvement", 6)


def run(log, **params):
    return REGISTRY["actions_in_order"](FakeState(), log, None, params)


def test_a_cycle_in_order_for_one_customer_passes():
    log = Log().reply_confirming(1).agreed().delivered().rest()
    assert run(log, contact="grace").passed
    assert run(log).passed  # any customer whose own cycle is in order


def test_nothing_done_is_not_yet_judged():
    result = run(Log(), contact="grace")
    assert not result.passed and result.pending
    asking = Log().delivered(purpose="ask_needs").delivered(purpose="confirm_needs")
    assert run(asking, contact="grace").pending  # finding the needs is not delivering


def test_a_need_ticked_without_a_reply_is_not_identified():
    log = Log().add("need.confirmed", "need", 1, contact_id=GRACE).agreed().delivered().rest()
    result = run(log, contact="grace")
    assert not result.passed
    assert "identifying the need" in result.message


def test_a_reply_that_did_not_confirm_this_need_does_not_identify_it():
    log = Log().add(
        "interaction.logged",
        "interaction",
        50,
        contact_id=GRACE,
        direction="inbound",
        answer_kind="needs_reply",
        details={"confirmed": [2], "corrected": [{"need_id": 1, "is": "preference"}]},
    )
    log.add("need.confirmed", "need", 1, contact_id=GRACE, reply_id=50)
    assert not run(log.agreed().delivered().rest(), contact="grace").passed


def test_delivering_before_the_need_is_confirmed_fails_per_customer():
    early = Log().delivered().reply_confirming(1).agreed().delivered().rest()
    result = run(early, contact="grace")
    assert not result.passed
    assert "before their reply confirmed the need" in result.message
    # delivering to another customer first is no breach of this customer's cycle
    other_first = Log().delivered(contact=OTHER).reply_confirming(1).agreed().delivered().rest()
    assert run(other_first, contact="grace").passed


def test_another_customers_standard_or_delivery_does_not_count():
    log = Log().reply_confirming(1).agreed(contact=OTHER).delivered(contact=OTHER).rest()
    result = run(log, contact="grace")
    assert not result.passed
    assert "agreeing a standard" in result.message


def test_improving_before_evaluating_breaks_the_cycle():
    log = Log().reply_confirming(1).agreed().delivered().add("survey.sent", "survey", 4)
    log.add("improvement.planned", "improvement", 6)
    log.add("finding.recorded", "finding", 5)
    result = run(log, contact="grace")
    assert not result.passed
    assert "not after the step before it" in result.message
    assert "(scenario error" in run(log, steps=["identify", "guess"]).message
