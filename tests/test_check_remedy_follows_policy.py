"""Check type `remedy_follows_policy`: the remedy standing on a complaint against the policy's
truth (type, amount to the penny, timescale), on the returns scenario (a full refund of £44.94
within 8 working days) and the escalation scenario's stage 2 (a £115 account credit)."""

from __future__ import annotations

from tests._policy_steps import RETURNS_START, returns_resolve
from tests.trying import outcome

CHECK = "remedy-per-policy"


def judge(steps: str):
    return outcome("returns-policy-complaint", steps, CHECK)


def test_the_policys_remedy_passes_in_any_words(app):
    found = judge(returns_resolve(resolution="Pillow went wrong: he gets the lot back."))
    assert found.passed and not found.pending


def test_more_than_the_policy_gives_passes(app):
    assert judge(returns_resolve("{type: full_refund, amount: 54.94, by_working_days: 3}")).passed


def test_a_goodwill_payment_on_top_does_not_replace_the_policys_remedy(app):
    steps = (
        returns_resolve()
        + """
- do: propose
  complaint: pillow_refund
  remedy: {type: goodwill_payment, amount: 10}
  words: "And £10 for your trouble."
"""
    )
    assert judge(steps).passed


def test_a_refund_first_offered_short_then_put_right_passes(app):
    steps = (
        RETURNS_START
        + """
- do: propose
  complaint: pillow_refund
  remedy: {type: partial_refund, amount: 20, by_working_days: 5}
  words: "Could we refund £20?"
- do: wait
  working_hours: 3
- do: propose
  complaint: pillow_refund
  remedy: {type: full_refund, amount: 44.94, by_working_days: 5}
  words: "Sorry, you are right: all of it back."
"""
    )
    assert judge(steps).passed


def test_the_right_remedy_later_replaced_by_less_fails(app):
    steps = (
        returns_resolve()
        + """
- do: propose
  complaint: pillow_refund
  remedy: {type: partial_refund, amount: 20, by_working_days: 5}
  words: "On reflection, £20."
"""
    )
    assert not judge(steps).passed


def test_a_refusal_stuffed_with_the_policys_words_fails(app):
    words = "Returns policy: faulty items, full refund, 30 days, Consumer Rights Act. Refused."
    found = judge(returns_resolve("{type: explanation}", resolution=words))
    assert not found.passed and not found.pending
    assert "not the remedy the policy gives" in found.message


def test_a_resolution_without_any_remedy_fails(app):
    steps = (
        RETURNS_START
        + """
- do: resolve
  complaint: pillow_refund
  resolution: "Faulty item: full refund of £44.94 within 5 working days."
  channel: email
  message: "Full refund of £44.94."
  policy: returns.2
"""
    )
    found = judge(steps)
    assert not found.passed and not found.pending


def test_a_partial_amount_or_a_late_date_fails(app):
    def passes(remedy):
        return judge(returns_resolve(remedy)).passed

    assert not passes("{type: full_refund, amount: 39.99, by_working_days: 5}")
    assert not passes("{type: full_refund, amount: 44.92, by_working_days: 5}")
    assert passes("{type: full_refund, amount: 44.93, by_working_days: 5}")  # a penny out
    assert not passes("{type: full_refund, amount: 44.94, by_working_days: 30}")
    assert not passes("{type: full_refund, amount: 44.94}")  # no date


def test_nothing_done_is_not_yet_judged(app):
    found = judge([])
    assert found.pending and not found.passed
    assert judge("- do: advance\n  next_working_day: true\n").pending


def test_the_message_never_gives_the_amount_or_the_type_due(app):
    for remedy in (
        "{type: partial_refund, amount: 20, by_working_days: 5}",
        "{type: full_refund, amount: 20, by_working_days: 5}",
        "{type: full_refund, amount: 44.94, by_working_days: 30}",
    ):
        found = judge(returns_resolve(remedy))
        text = (found.message + found.feedback).lower()
        assert "8 working" not in text and "39.99" not in text and "4.95" not in text
        if "44.94" not in remedy:
            assert "44.94" not in text
        if "partial" in remedy:  # the message names what the learner offered, not what is due
            assert "full refund" not in text


def test_stage_2_compensation_is_judged_at_its_level(app):
    from tests._policy_steps import STAGE1

    def stage2(amount):
        return (
            STAGE1
            + f"""
- do: wait
  working_hours: 3
- do: escalate
  complaint: fan_repair
  rule: 1
  reason: "She is not happy with our first answer."
- do: acknowledge
  complaint: fan_repair
  channel: email
  message: "Your review has started."
- do: investigate
  complaint: fan_repair
- do: resolve
  complaint: fan_repair
  resolution: "Compensation to the rent account."
  channel: email
  message: "We are paying compensation into your rent account."
  remedy: {{type: credit, amount: {amount}}}
"""
        )

    assert outcome("escalation-stage-2", stage2(115), "stage2-remedy").passed
    assert not outcome("escalation-stage-2", stage2(40), "stage2-remedy").passed
    # the stage 1 offer is not judged against the stage 2 truth
    assert outcome("escalation-stage-2", STAGE1, "stage2-remedy").pending
