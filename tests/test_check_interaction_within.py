"""Check type `interaction_within`: a contact of the kind the task needs, in time; a contact of
another kind is named in the feedback rather than reported as no contact at all; a message of a
word or two is not the contact; an inbound message counts only when it is the customer's own
(not a note the learner logged); nothing is judged before the event it counts from."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem

CHECK = REGISTRY["interaction_within"]
START = datetime(2026, 3, 23, 9, 0)
CUSTOMER = 7


class FakeState:
    now = START + timedelta(hours=2)
    calendar = SimpleNamespace(add=lambda start, amount, unit: start + timedelta(days=amount))

    def id_of(self, kind, key):
        return CUSTOMER if (kind, key) == ("contacts", "customer") else None


def started():
    return LogItem(1, "attempt.started", "attempt", 1, START, {"after": {}})


def call(seq, direction, channel="phone", contact_id=CUSTOMER, hours=1, **fields):
    after = {
        "contact_id": contact_id,
        "direction": direction,
        "channel": channel,
        "initiative": "reactive",
        "summary": "Rang back about the delivery and gave her a new slot.",
        **({"answer_kind": "event"} if direction == "inbound" else {}),
        **fields,
    }
    return LogItem(
        seq,
        "interaction.logged",
        "interaction",
        seq,
        START + timedelta(hours=hours),
        {"after": after},
    )


def run(log, **params):
    return CHECK(FakeState(), log, None, {"contact": "customer", **params})


def test_the_inbound_call_the_task_needs_passes():
    result = run([started(), call(2, "inbound")], direction="inbound", channels=["phone"])
    assert result.passed and result.evidence == [2]


def test_an_outbound_call_is_named_when_the_task_needs_the_customers_inbound_call():
    result = run([started(), call(2, "outbound")], direction="inbound", channels=["phone"])
    assert not result.passed
    assert "no contact" not in result.message
    assert result.message.startswith("a proactive outbound call was logged, but this task needs")
    assert "the customer's inbound call logged" in result.message
    assert result.evidence == [2]


def test_an_email_is_named_when_the_task_needs_a_call():
    result = run([started(), call(2, "outbound", "email")], channels=["phone"])
    assert not result.passed
    assert "outbound email was logged" in result.message
    assert "an outbound call to the customer" in result.message


def test_with_no_contact_with_this_customer_it_says_none_was_logged():
    result = run([started(), call(2, "outbound", contact_id=99)], direction="inbound")
    assert not result.passed
    assert result.message.startswith("no contact logged yet")


def event(seq, name="chase", hours=1):
    return LogItem(
        seq,
        "scenario.event",
        "attempt",
        1,
        START + timedelta(hours=hours),
        {"after": {"event": name}},
    )


def test_a_note_the_learner_logged_as_inbound_is_not_the_customers_message():
    note = call(2, "inbound", answer_kind=None)
    result = run([started(), note], direction="inbound", channels=["phone"])
    assert not result.passed
    assert run([started(), note, call(3, "inbound")], direction="inbound").passed


def test_a_one_word_message_is_not_the_contact_and_is_named_as_such():
    result = run([started(), call(2, "outbound", summary="Called.")])
    assert not result.passed and "says too little" in result.message
    assert result.evidence == [2]
    assert run([started(), call(2, "outbound", summary="Called."), call(3, "outbound")]).passed


def test_own_words_on_another_allowed_channel_pass():
    log = [started(), call(2, "outbound", "email", summary="Dear Jo, your booking is confirmed.")]
    assert run(log, channels=["phone", "email"]).passed


def test_before_the_event_nothing_is_judged():
    result = run([started(), call(2, "outbound")], after_event="chase")
    assert not result.passed and result.pending


def test_before_the_customers_answer_nothing_is_judged():
    result = run([started()], after_answer="rejects")
    assert not result.passed and result.pending and "has not" in result.message


def test_a_contact_made_before_the_event_is_said_to_have_come_before_it():
    log = [started(), call(2, "outbound", hours=0.5), event(3, hours=1)]
    result = run(log, after_event="chase")
    assert not result.passed and not result.pending
    assert "came before what this task responds to" in result.message
    log.append(call(4, "outbound", hours=1.5))
    assert run(log, after_event="chase").passed


def test_untouched_and_time_passing_do_not_pass_in_a_real_scenario(app):
    from tests.trying import outcome

    for steps in ([], "- {do: advance, next_working_day: true}"):
        result = outcome("escalation-stage-2", steps, "reply-in-time")
        assert not result.passed and result.pending
        result = outcome("needs-not-wants", steps, "proposal-sent")
        assert not result.passed


def test_a_message_that_only_asks_about_needs_is_not_the_proposal_the_task_needs():
    asked = call(2, "outbound", channel="email", purpose="ask_needs")
    summary = call(3, "outbound", channel="email", purpose="confirm_needs")
    result = run([started(), asked, summary], channels=["email"], purposes=["follow_up", "update"])
    assert not result.passed and not result.pending
    assert "follow-up or update" in result.message.lower()


def test_a_proposal_sent_as_a_follow_up_or_an_update_passes():
    for purpose in ("follow_up", "update"):
        proposal = call(2, "outbound", channel="email", purpose=purpose)
        result = run([started(), proposal], channels=["email"], purposes=["follow_up", "update"])
        assert result.passed, purpose


def test_the_clock_may_start_at_any_of_several_answers_of_the_customer():
    not_satisfied = call(2, "inbound", channel="email", answer_kind="not_satisfied")
    reply = call(3, "outbound", channel="email", hours=2)
    kinds = ["rejects", "not_satisfied", "escalation"]
    assert run([started(), not_satisfied, reply], after_answers=kinds).passed
    waiting = run([started()], after_answers=kinds)
    assert waiting.pending and "not satisfied" in waiting.message.lower()
