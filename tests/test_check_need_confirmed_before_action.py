"""Check type `need_confirmed_before_action`: per customer and per need, every need the
customer has is on the record and confirmed by THEIR reply to a summary before anything is
done for them (since the start; the summary itself is not acting). Real scenarios through
tests/trying.py."""

from __future__ import annotations

from .trying import outcomes

ASK = """
- {do: ask, contact: davies, topic: other, kind: open, words: "Tell me what the sofa must do."}
- {do: ask, contact: davies, topic: accessibility, kind: probing, words: "Anything about your mum?"}
- {do: wait, working_hours: 0.5}
"""
NEEDS = """
- {do: record_need, contact: davies, type: timescale, key: d, description: "Has to arrive by 20/02"}
- {do: record_need, contact: davies, type: specification, key: w,
   description: "Sofa must fit 70cm door"}
- {do: record_need, contact: davies, type: accessibility, key: s,
   description: "Mum's a wheelchair user, so a firm seat with armrests"}
"""
SUMMARY = """
- {do: summarise_needs, contact: davies, channel: phone,
   words: "Read back: by the 20th, 70cm door, firm seat with arms. Right?"}
- {do: wait, working_hours: 0.5}
"""
CONFIRM = """
- {do: confirm_need, need: d}
- {do: confirm_need, need: w}
- {do: confirm_need, need: s}
"""
PROPOSE = """
- {do: send, contact: davies, channel: email, purpose: follow_up, words: "Two sofas that fit."}
"""
CHECKS = ("date-confirmed", "doorway-confirmed", "seat-confirmed")
VALUES = ("70", "20 feb", "wheelchair", "firm seat", "doorway")


def judged(steps):
    got = outcomes("needs-not-wants", steps)
    return [got[c] for c in CHECKS]


def test_every_need_confirmed_by_her_reply_before_the_proposal_passes(app):
    assert all(o.passed for o in judged(ASK + NEEDS + SUMMARY + CONFIRM + PROPOSE))


def test_nothing_done_is_not_yet_judged_and_confirmed_needs_without_acting_pass(app):
    for steps in ("[]", "- {do: advance, working_hours: 6}", ASK + NEEDS):
        assert all(o.pending and not o.passed for o in judged(steps))
    assert all(o.passed for o in judged(ASK + NEEDS + SUMMARY + CONFIRM))


def test_acting_before_her_reply_fails_even_when_confirmed_afterwards(app):
    early = (
        ASK
        + NEEDS
        + SUMMARY.split("- {do: wait")[0]
        + PROPOSE
        + "- {do: wait, working_hours: 0.5}\n"
        + CONFIRM
    )
    for outcome in judged(early):
        assert not outcome.passed and not outcome.pending
        assert "before their reply confirmed" in outcome.message
        assert not any(v in outcome.message.lower() for v in VALUES)


def test_acting_before_the_needs_were_even_recorded_counts(app):
    # all actions since the request arrived count, not only those after the need was recorded
    late = ASK + PROPOSE + NEEDS + SUMMARY + CONFIRM
    assert not any(o.passed for o in judged(late))


def test_one_need_confirmed_of_three_is_not_a_pass_for_the_others(app):
    one = ASK + NEEDS + SUMMARY + "- {do: confirm_need, need: w}\n" + PROPOSE
    date, door, seat = judged(one)
    assert door.passed
    assert not date.passed and not seat.passed
    assert "not marked confirmed" in date.message  # her reply did; the record does not say so


def test_a_confirmation_logged_by_hand_is_not_her_reply(app):
    ticked = (
        ASK
        + NEEDS
        + """
- {do: log_interaction, contact: davies, channel: phone, direction: inbound,
   summary: "She confirmed all her needs."}
"""
        + PROPOSE
    )
    assert not any(o.passed for o in judged(ticked))


def test_a_need_with_the_wrong_value_confirms_nothing(app):
    wrong = (
        ASK
        + NEEDS.replace("Sofa must fit 70cm door", "Budget up to £700")
        + SUMMARY
        + """
- {do: confirm_need, need: d}
- {do: confirm_need, need: s}
"""
        + PROPOSE
    )
    date, door, seat = judged(wrong)
    assert date.passed and seat.passed
    assert not door.passed
    assert "as they said it" in door.message


def test_everything_in_one_need_confirms_nothing(app):
    stuffed = (
        ASK
        + """
- {do: record_need, contact: davies, type: specification,
   description: "Arrive by 20 Feb, fit a 70cm door, firm seat with arms for mum's wheelchair"}
"""
        + SUMMARY
        + PROPOSE
    )
    assert not any(o.passed for o in judged(stuffed))


def test_another_customers_reply_and_actions_do_not_count(app):
    # Mrs Castle's colleague's notes: the booking to her is an act for her alone
    got = outcomes(
        "need-put-right",
        """
- {do: send, contact: castle, channel: email, purpose: follow_up,
   words: "Booked for Friday 27 March."}
""",
    )
    assert not got["date-confirmed"].passed and not got["date-confirmed"].pending
    assert "The record holds 2 needs, 0 confirmed" in got["date-confirmed"].message
