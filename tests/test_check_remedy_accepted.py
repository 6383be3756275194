"""Check type `remedy_accepted`: only the customer's own accepting answer about this complaint
counts; a "yes" the learner types as an inbound note is not one (it carries no answer kind)."""

from __future__ import annotations

from tests._policy_steps import RETURNS_START, returns_resolve
from tests.trying import outcome


def judge(steps):
    return outcome("returns-policy-complaint", steps, "refund-accepted")


def test_the_customers_acceptance_passes_on_any_channel(app):
    assert judge(returns_resolve()).passed
    phoned = returns_resolve().replace(
        'channel: email\n  message: "Here', 'channel: phone\n  message: "Here'
    )
    assert judge(phoned).passed


def test_a_turned_down_offer_fails_quoting_the_customer(app):
    found = judge(returns_resolve("{type: partial_refund, amount: 20, by_working_days: 5}"))
    assert not found.passed and not found.pending
    assert "They said" in found.message


def test_a_yes_the_learner_types_as_an_inbound_note_does_not_count(app):
    steps = (
        RETURNS_START
        + """
- do: log_interaction
  contact: nowak
  channel: phone
  direction: inbound
  summary: "Mr Nowak accepts the remedy. Yes, he accepts."
"""
    )
    found = judge(steps)
    assert not found.passed and found.pending


def test_waiting_for_the_answer_or_doing_nothing_is_not_yet_judged(app):
    assert judge([]).pending
    proposed = (
        RETURNS_START
        + """
- do: propose
  complaint: pillow_refund
  remedy: {type: full_refund, amount: 44.94, by_working_days: 5}
  words: "All your money back?"
"""
    )
    found = judge(proposed)
    assert found.pending and "not answered" in found.message


def test_closing_without_any_agreement_fails(app):
    steps = (
        RETURNS_START
        + """
- do: resolve
  complaint: pillow_refund
  resolution: "Refused."
  channel: email
  message: "No refund."
- do: close
  complaint: pillow_refund
  confirmed: false
  root_cause: "x"
  lessons: "y"
  judgement: "Nothing more to do."
"""
    )
    found = judge(steps)
    assert not found.passed and not found.pending
