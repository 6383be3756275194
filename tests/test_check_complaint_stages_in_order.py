"""Check type `complaint_stages_in_order`: each stage of the procedure taken (the service
refuses one out of order), documented (no acknowledgement, resolution or outcome message of a
word or two) and, unless allowed, none late. Real scenario: first-complaint."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.loader import library_source
from tests.trying import outcome

CHECK = "stages-in-order"


def stages(
    ack="Dear Mrs Okafor, I am dealing with your complaint and will call you today.",
    resolution="Redelivery booked for the next morning slot, agreed with her.",
    message="Your sofa comes tomorrow morning between 8 and 12, as we agreed.",
):
    return [
        {
            "do": "acknowledge",
            "complaint": "late_sofa",
            "channel": "phone",
            "message": ack,
            "promise_in_hours": 6,
        },
        {"do": "investigate", "complaint": "late_sofa", "note": "Courier job sheet checked."},
        {
            "do": "resolve",
            "complaint": "late_sofa",
            "resolution": resolution,
            "channel": "phone",
            "message": message,
        },
        {
            "do": "close",
            "complaint": "late_sofa",
            "confirmed": False,
            "root_cause": "A van breakdown nobody reported.",
            "lessons": "Report breakdowns.",
            "judgement": "She was happy on the phone but I did not ask formally.",
        },
    ]


def test_every_stage_documented_in_own_words_passes(app):
    result = outcome("first-complaint", stages(), CHECK)
    assert result.passed, result.message


def test_ticking_through_with_placeholders_fails(app):
    for kind in ("ack", "resolution", "message"):
        result = outcome("first-complaint", stages(**{kind: "Done."}), CHECK)
        assert not result.passed and "says too little" in result.message, kind


def test_a_missing_stage_is_named(app):
    result = outcome("first-complaint", stages()[:1], CHECK)
    assert not result.passed
    assert "investigating, resolved, closed" in result.message


def test_a_late_step_fails(app):
    late = [{"do": "advance", "next_working_day": True}] * 2
    result = outcome("first-complaint", late + stages(), CHECK)
    assert not result.passed and "a step was late" in result.message


def test_nothing_done_fails(app):
    result = outcome("first-complaint", [], CHECK)
    assert not result.passed and "acknowledged" in result.message
    assert "Organisation & policies" in result.feedback


def test_params_are_validated():
    check = REGISTRY["complaint_stages_in_order"]
    scenario, _ = library_source("first-complaint")
    assert check.validate_params({"complaint": "late_sofa", "until": "resolved"}, scenario) == []
    assert check.validate_params({"complaint": "late_sofa", "until": "escalated"}, scenario)
