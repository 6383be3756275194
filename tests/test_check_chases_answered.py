"""Check type `chases_answered`: a customer's chase is answered in time by a message about the
matter that says something; a customer who never chased earns a pass only when the contact
promised to them came (they had no reason to chase), never on an untouched attempt. Real
scenarios (missed-call-back, whose customer chases a broken promise) and hand-made logs."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem
from tests.trying import outcome

CHECK = REGISTRY["chases_answered"]
START = datetime(2026, 3, 10, 9, 0)
ADEYEMI = 7

PROMISE = """
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  reply_to_last: true
  promise_in_hours: 4
  words: "Told Mr Adeyemi I will ring him by 1pm with the new delivery date."
"""


def answer_after_chase(words: str, wait: float = 4.75, channel: str = "phone") -> str:
    """The promise broken (he chases half an hour after it fell due), then an answer."""
    return (
        PROMISE
        + f"""
- do: advance
  working_hours: {wait}
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: {channel}
  reply_to_last: true
  words: "{words}"
"""
    )


def test_a_chase_answered_quickly_in_own_words_passes(app):
    steps = answer_after_chase(
        "Apologised to Mr Adeyemi for missing the 1pm call and gave him the two slots."
    )
    result = outcome("missed-call-back", steps, "chase-answered")
    assert result.passed, result.message
    assert "answered in time" in result.message


def test_an_email_answer_in_time_passes_too(app):
    words = "Dear Mr Adeyemi, I am sorry I did not ring at one. The two slots are below."
    steps = answer_after_chase(words, channel="email")
    assert "channel: email" in steps
    assert outcome("missed-call-back", steps, "chase-answered").passed


def test_a_one_word_answer_to_a_chase_fails(app):
    result = outcome("missed-call-back", answer_after_chase("OK."), "chase-answered")
    assert not result.passed and not result.pending
    assert "too little" in result.message


def test_a_chase_nobody_answers_fails_and_says_where_to_look(app):
    steps = PROMISE + "- {do: advance, next_working_day: true}\n"
    result = outcome("missed-call-back", steps, "chase-answered")
    assert not result.passed and not result.pending
    assert "nobody got back to them" in result.message and "Replies waiting" in result.message


def test_a_late_answer_fails(app):
    steps = answer_after_chase("Rang Mr Adeyemi back with Thursday 8-12.", wait=6.5)
    result = outcome("missed-call-back", steps, "chase-answered")
    assert not result.passed and "heard back only" in result.message


def test_nothing_done_or_only_time_passing_is_not_judged(app):
    for steps in ([], "- {do: advance, working_hours: 5}"):
        result = outcome("missed-call-back", steps, "chase-answered")
        assert not result.passed and result.pending, result.message


def test_a_kept_promise_means_there_was_nothing_to_chase(app):
    steps = (
        PROMISE
        + """
- do: advance
  working_hours: 2.5
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  words: "Rang Mr Adeyemi before one as promised: Thursday morning or Friday afternoon."
"""
    )
    result = outcome("missed-call-back", steps, "chase-answered")
    assert result.passed and "never had to chase" in result.message


def test_the_message_does_not_give_the_answer_away(app):
    result = outcome(
        "missed-call-back", PROMISE + "- {do: advance, next_working_day: true}\n", "chase-answered"
    )
    text = (result.message + " " + result.feedback).lower()
    for value in ("thursday", "8-12", "birthday", "1 working hour"):
        assert value not in text


# --- hand-made logs -----------------------------------------------------------------------


class FakeState:
    def __init__(self, hours_now=8):
        self.now = START + timedelta(hours=hours_now)
        self.calendar = type(
            "Cal", (), {"add": staticmethod(lambda s, a, u: s + timedelta(hours=a))}
        )()

    def id_of(self, kind, key):
        return ADEYEMI


def item(seq, hours, direction, **after):
    after = {"contact_id": ADEYEMI, "direction": direction, "channel": "phone", **after}
    return LogItem(
        seq,
        "interaction.logged",
        "interaction",
        seq,
        START + timedelta(hours=hours),
        {"after": after},
    )


def run(log, now=8):
    return CHECK(FakeState(now), log, None, {"contact": "adeyemi", "within": 1})


def test_a_chase_about_a_complaint_is_not_answered_by_marketing_or_another_complaint():
    chase = item(1, 1, "inbound", answer_kind="escalation", complaint_id=30)
    said = "We are looking at your complaint today and will call by four."
    marketing = item(2, 1.5, "outbound", purpose="marketing", summary=said)
    other = item(3, 1.5, "outbound", purpose="update", complaint_id=31, summary=said)
    assert not run([chase, marketing, other]).passed
    right = item(4, 1.5, "outbound", purpose="update", complaint_id=30, summary=said)
    assert run([chase, marketing, other, right]).passed


def test_an_unanswered_chase_within_its_time_is_still_waiting_not_passed():
    result = run([item(1, 1, "inbound", answer_kind="chase")], now=1.5)
    assert not result.passed and "waiting for an answer" in result.message


def test_a_broken_promise_before_the_chase_comes_is_not_judged_yet():
    due = (START + timedelta(hours=2)).isoformat()
    said = "I will ring you by eleven with the date."
    log = [item(1, 0, "outbound", purpose="follow_up", promise_by=due, summary=said)]
    result = run(log, now=2.2)
    assert result.pending and "has not chased so far" in result.message
