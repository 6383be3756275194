"""Check type `complaint_resolved_within`: resolved at the level within that level's time (the
clock paused while waiting for the customer), with an outcome message that says something. A
level the complaint never reached is not judged. Real scenarios: first-complaint (front line)
and escalation-stage-2 (supervisor review)."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.loader import library_source
from tests.trying import outcome

ACK = {
    "do": "acknowledge",
    "complaint": "late_sofa",
    "channel": "email",
    "message": "Dear Mrs Okafor, I am looking into your complaint and will call you today.",
    "promise_in_hours": 6,
}
INVESTIGATE = {"do": "investigate", "complaint": "late_sofa"}


def resolve(message: str, channel: str = "email") -> dict:
    return {
        "do": "resolve",
        "complaint": "late_sofa",
        "resolution": "New delivery booked for the first morning slot, agreed with the customer.",
        "channel": channel,
        "message": message,
    }


def test_resolved_in_time_passes_in_other_words_and_by_phone(app):
    steps = [
        ACK,
        INVESTIGATE,
        resolve("Rang Mrs Okafor: her sofa now comes Wednesday 8-12.", "phone"),
    ]
    result = outcome("first-complaint", steps, "resolved-in-time")
    assert result.passed, result.message
    assert len(result.evidence) == 2  # the resolution and the outcome message


def test_a_one_word_outcome_is_not_a_response(app):
    result = outcome("first-complaint", [ACK, INVESTIGATE, resolve("Sorted.")], "resolved-in-time")
    assert not result.passed and "says too little" in result.message


def test_resolved_after_the_deadline_fails(app):
    late = [{"do": "advance", "next_working_day": True}] * 6
    steps = [ACK, INVESTIGATE, *late, resolve("Your sofa will be delivered tomorrow morning.")]
    result = outcome("first-complaint", steps, "resolved-in-time")
    assert not result.passed and "after the procedure's deadline" in result.message


def test_nothing_done_or_time_passing_fails(app):
    assert not outcome("first-complaint", [], "resolved-in-time").passed
    waited = [{"do": "advance", "next_working_day": True}] * 6
    result = outcome("first-complaint", waited, "resolved-in-time")
    assert not result.passed and "not resolved by the procedure's deadline" in result.message


def test_a_level_never_reached_is_not_judged(app):
    result = outcome("escalation-stage-2", [], "stage2-in-time")
    assert not result.passed and result.pending
    assert "supervisor review" in result.message


def test_the_message_does_not_give_the_answer_away(app):
    result = outcome("first-complaint", [], "resolved-in-time")
    text = (result.message + result.feedback).lower()
    for value in ("redelivery", "£39", "8 and 12", "voucher"):
        assert value not in text
    assert "Organisation & policies" in result.feedback


def test_params_are_validated():
    check = REGISTRY["complaint_resolved_within"]
    scenario, _ = library_source("first-complaint")
    assert check.validate_params({"complaint": "late_sofa", "level": "supervisor"}, scenario) == []
    assert check.validate_params({"complaint": "late_sofa", "level": "director"}, scenario)
