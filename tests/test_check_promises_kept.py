"""Check type `promises_kept`: a promise is the message's structured "next contact by", never
words in it; it is kept by a contact to the same customer about the same matter, by its time,
that says something. Nothing promised, or a promise not yet due, is not judged (no credit for
doing nothing). Real scenarios (missed-call-back, first-complaint) and hand-made logs."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem
from tests.trying import outcome

CHECK = REGISTRY["promises_kept"]
START = datetime(2026, 3, 10, 9, 0)
ADEYEMI, OTHER = 7, 8

REPLY_WITH_PROMISE = """
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  reply_to_last: true
  promise_in_hours: 4
  words: "Told Mr Adeyemi the workshop is behind and that I will ring him by 1pm with a date."
"""


def kept_by(words: str, hours: float = 2.5) -> str:
    """The promise, then a call after `hours` working hours with these words."""
    return (
        REPLY_WITH_PROMISE
        + f"""
- do: advance
  working_hours: {hours}
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  words: "{words}"
"""
    )


# --- a real scenario, as a learner would work it ----------------------------------------


def test_a_promised_call_made_in_time_passes_in_other_words_and_on_another_channel(app):
    words = "Emailed Mr Adeyemi the two delivery slots Logistics offered, before one o'clock."
    result = outcome("missed-call-back", kept_by(words), "promise-kept")
    assert result.passed, result.message
    assert len(result.evidence) == 2


def test_an_untouched_attempt_and_time_passing_are_not_judged(app):
    untouched = outcome("missed-call-back", [], "promise-kept")
    assert not untouched.passed
    waited = outcome("missed-call-back", "- {do: advance, working_hours: 6}", "promise-kept")
    assert not waited.passed


def test_a_promise_still_open_earns_nothing_yet(app):
    result = outcome("missed-call-back", REPLY_WITH_PROMISE, "promise-kept")
    assert not result.passed and result.pending
    assert "has not come yet" in result.message


def test_a_promise_in_the_words_only_is_not_a_promise_the_crm_can_hold(app):
    steps = """
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  reply_to_last: true
  words: "I promise I will ring you by 1pm: next contact by 1pm, promise kept."
- do: advance
  working_hours: 2
- do: send
  contact: adeyemi
  purpose: follow_up
  channel: phone
  words: "Rang Mr Adeyemi with the new slots, as I promised him this morning."
"""
    result = outcome("missed-call-back", steps, "promise-kept")
    assert not result.passed and not result.pending
    assert "Next contact by" in result.message


def test_a_one_word_call_back_does_not_keep_the_promise(app):
    steps = kept_by("Rang.", hours=3) + "- {do: advance, working_hours: 1.5}\n"
    result = outcome("missed-call-back", steps, "promise-kept")
    assert not result.passed and not result.pending
    assert "too little" in result.message


def test_a_marketing_email_in_time_does_not_keep_the_promise(app):
    steps = (
        REPLY_WITH_PROMISE
        + """
- do: advance
  working_hours: 2
- do: send
  contact: adeyemi
  purpose: marketing
  channel: email
  words: "Our spring sale starts on Saturday: 20% off dining chairs for your new table."
- do: advance
  working_hours: 2.25
"""
    )
    result = outcome("missed-call-back", steps, "promise-kept")
    assert not result.passed and not result.pending
    assert "none came by then" in result.message


def test_a_call_after_the_promised_time_is_a_broken_promise(app):
    result = outcome(
        "missed-call-back",
        kept_by("Rang Mr Adeyemi with Thursday morning, 8 to 12.", hours=4.75),
        "promise-kept",
    )
    assert not result.passed and not result.pending


def test_the_message_does_not_give_the_answer_away(app):
    result = outcome("missed-call-back", [], "promise-kept")
    text = (result.message + " " + result.feedback).lower()
    for value in ("1pm", "13:00", "thursday", "4 working hours", "12 march"):
        assert value not in text


# --- hand-made logs: the edges ------------------------------------------------------------


class FakeState:
    def __init__(self, hours_now=6):
        self.now = START + timedelta(hours=hours_now)

    def id_of(self, kind, key):
        return {"adeyemi": ADEYEMI, "other": OTHER}.get(key)


def message(seq, hours, contact=ADEYEMI, summary="Rang him with the new delivery slot.", **f):
    after = {
        "contact_id": contact,
        "direction": "outbound",
        "channel": "phone",
        "purpose": "follow_up",
        "summary": summary,
        **f,
    }
    return LogItem(
        seq,
        "interaction.logged",
        "interaction",
        seq,
        START + timedelta(hours=hours),
        {"after": after},
    )


def promise(seq, hours, due_hours, **f):
    return message(seq, hours, promise_by=(START + timedelta(hours=due_hours)).isoformat(), **f)


def run(log, now=6, **params):
    return CHECK(FakeState(now), log, None, {"contact": "adeyemi", **params})


def test_a_contact_to_another_customer_does_not_keep_it():
    result = run([promise(1, 0, 3), message(2, 1, contact=OTHER)])
    assert not result.passed and not result.pending


def test_a_message_about_another_complaint_does_not_keep_it():
    log = [promise(1, 0, 3, complaint_id=30), message(2, 1, complaint_id=31)]
    assert not run(log).passed
    log = [promise(1, 0, 3, complaint_id=30), message(2, 1, complaint_id=30)]
    assert run(log).passed


def test_with_min_promises_0_nothing_promised_is_not_judged_and_a_kept_one_passes():
    nothing = run([], min_promises=0)
    assert not nothing.passed and nothing.pending
    assert run([promise(1, 0, 3), message(2, 1)], min_promises=0).passed


def test_two_promises_needed_and_one_made_fails():
    result = run([promise(1, 0, 3), message(2, 1)], min_promises=2)
    assert not result.passed and "no promise" in result.message


def test_one_broken_promise_fails_even_when_another_was_kept():
    log = [promise(1, 0, 2), message(2, 1), promise(3, 1.5, 4)]
    result = run(log, now=5)
    assert not result.passed and result.evidence == [3]


def test_the_kept_count_and_an_open_promise_are_reported():
    log = [promise(1, 0, 2), message(2, 1, promise_by=(START + timedelta(hours=8)).isoformat())]
    result = run(log, now=3)
    assert result.passed and "One more is due" in result.message


def test_params_are_validated():
    problems = CHECK.validate_params({"contact": "x", "min": 1}, SimpleNamespace())
    assert problems
