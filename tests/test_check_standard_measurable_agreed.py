"""Check type `standard_measurable_agreed`: a standard written in this attempt, measurable on
its structure (a computed measure with its numbers, or a manual one with its method), agreed by
the right customer in their own reply to the learner's proposal of the standard as it stands.
Replayed on the real measurable-standards scenario: real services, real customers."""

from __future__ import annotations

import pytest

from crm_sandbox.checks import REGISTRY
from crm_sandbox.models import ServiceStandard
from crm_sandbox.services import standards
from crm_sandbox.services.errors import ServiceError

from .standard_replays import attempt_with, outcomes, standard, standard_messages

REPAIRS = """
- do: create_standard
  key: repairs_std
  title: "Repair requests complete and sent within 2 working hours"
  measure: manual
  threshold: 95
  threshold_unit: "% of requests"
  period: week
  method: "Lewis Kendrick checks 20 repair requests every Friday for details and time sent."
"""
TENANTS = """
- do: create_standard
  key: tenant_std
  title: "Reply to tenants' emails and letters within {days} working days"
  measure: first_response_time
  threshold: {days}
  threshold_unit: working_days
  target_percent: 90
  period: month
"""


def propose(key, contact, words="Can you agree this standard?", channel="email"):
    return f"""
- do: propose_standard
  standard: {key}
  contact: {contact}
  channel: {channel}
  words: "{words}"
"""


def agree(key, contact, from_reply=True):
    return f"""
- do: agree_standard
  standard: {key}
  contact: {contact}
  agreed_with: "Agreed"
  from_reply: {str(from_reply).lower()}
"""


WAIT = "\n- do: wait\n  working_hours: 9\n"


def test_agreed_in_the_customers_own_reply_passes(app):
    with app.app_context():
        steps = (
            REPAIRS
            + propose("repairs_std", "kendrick")
            + TENANTS.format(days=3)
            + propose("tenant_std", "warburton", channel="letter")
            + WAIT
            + agree("repairs_std", "kendrick")
            + agree("tenant_std", "warburton")
        )
        result = outcomes("measurable-standards", steps)
        assert result["internal-agreed"].passed, result["internal-agreed"].message
        assert result["tenant-timescale"].passed, result["tenant-timescale"].message


def test_other_words_another_channel_and_a_stricter_target_pass(app):
    with app.app_context():
        steps = (
            TENANTS.format(days=2).replace("emails and letters", "written enquiries")
            + propose("tenant_std", "warburton", "Would the Panel sign up to this?", "phone")
            + WAIT
            + agree("tenant_std", "warburton")
        )
        assert outcomes("measurable-standards", steps)["tenant-timescale"].passed


def test_ticking_agreed_without_the_customer_fails_and_says_why(app):
    with app.app_context():
        steps = REPAIRS + agree("repairs_std", "kendrick", from_reply=False)
        result = outcomes("measurable-standards", steps)["internal-agreed"]
        assert not result.passed
        assert "without the customer's reply" in result.message


def test_a_customer_who_queries_the_standard_has_not_agreed_it(app):
    with app.app_context():
        steps = TENANTS.format(days=5) + propose("tenant_std", "warburton") + WAIT
        attempt, keys = attempt_with("measurable-standards", steps)
        reply = standard_messages(attempt)[-1]
        assert reply.answer_kind == "queries_standard"
        assert "3 working days" in reply.summary  # the customer says what they need
        with pytest.raises(ServiceError, match="did not agree"):
            standards.agree_standard(_ctx(attempt), standard(keys, "tenant_std"), reply=reply)
        # recorded on the learner's word instead: not evidence
        steps += agree("tenant_std", "warburton", from_reply=False)
        assert not outcomes("measurable-standards", steps)["tenant-timescale"].passed


def test_an_agreement_to_an_earlier_version_does_not_count(app):
    with app.app_context():
        steps = (
            TENANTS.format(days=3)
            + propose("tenant_std", "warburton")
            + WAIT
            + """
- do: update_standard
  standard: tenant_std
  fields: {target_percent: 50}
"""
        )
        attempt, keys = attempt_with("measurable-standards", steps)
        reply = standard_messages(attempt)[-1]
        assert reply.answer_kind == "agrees_standard"
        with pytest.raises(ServiceError, match="has changed since"):
            standards.agree_standard(_ctx(attempt), standard(keys, "tenant_std"), reply=reply)


def test_a_vague_standard_cannot_be_agreed_and_the_customer_asks_what_it_means(app):
    with app.app_context():
        steps = """
- do: create_standard
  key: vague
  title: "Good service to the Repairs Team"
  measure: manual
  threshold: 95
  threshold_unit: "%"
  method: "We make sure the service is good and quick"
""" + propose("vague", "kendrick")
        attempt, keys = attempt_with("measurable-standards", steps + WAIT)
        assert standard_messages(attempt)[-1].answer_kind == "queries_standard"
        with pytest.raises(ServiceError, match="measurable before it is agreed"):
            standards.agree_standard(_ctx(attempt), standard(keys, "vague"), "Lewis")
        result = outcomes("measurable-standards", steps)["internal-agreed"]
        assert not result.passed
        assert "not measurable" in result.message
        assert "good" not in result.message  # never the expected words


def test_a_manual_measure_needs_its_method():
    manual = ServiceStandard(
        title="Calls answered", measure="manual", threshold=90, threshold_unit="%", method=""
    )
    assert standards.measurability_problems(manual)
    manual.method = "The team leader counts calls answered from the phone report each Friday."
    assert not standards.measurability_problems(manual)
    manual.method = "We check it is quick"
    assert any("quick" in p for p in standards.measurability_problems(manual))


def test_agreed_with_the_wrong_customer_fails(app):
    with app.app_context():
        steps = REPAIRS + propose("repairs_std", "warburton") + WAIT
        steps += agree("repairs_std", "warburton")
        result = outcomes("measurable-standards", steps)["internal-agreed"]
        assert not result.passed
        assert "another customer" in result.message


def test_doing_nothing_or_letting_time_pass_earns_nothing(app):
    with app.app_context():
        for steps in ([], [{"do": "advance", "working_hours": 8}]):
            result = outcomes("measurable-standards", steps)
            assert not result["internal-agreed"].passed
            assert not result["tenant-timescale"].passed


def test_a_recorded_agreement_is_enough_only_when_the_scenario_says_so():
    check = REGISTRY["standard_measurable_agreed"]
    with pytest.raises(ValueError):
        check.params.model_validate({"agreement": "ticked"})
    assert check.params.model_validate({"agreement": "recorded"}).agreement == "recorded"


def _ctx(attempt):
    from crm_sandbox.services.context import SandboxContext

    return SandboxContext(attempt.sandbox, attempt.learner)


def test_a_share_too_low_to_rely_on_is_queried(app):
    with app.app_context():
        steps = TENANTS.format(days=3).replace("target_percent: 90", "target_percent: 50")
        attempt, _ = attempt_with(
            "measurable-standards", steps + propose("tenant_std", "warburton") + WAIT
        )
        reply = standard_messages(attempt)[-1]
        assert reply.answer_kind == "queries_standard"
        assert (reply.details or {}).get("reason") == "too_low"
