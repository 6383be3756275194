"""Check type `complaint_text_mentions`: what the learner wrote on a complaint (resolution,
root cause, lessons learned, escalation reason) mentions each idea the scenario asks for."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from crm_sandbox.checks import REGISTRY
from crm_sandbox.extensions import db
from crm_sandbox.models import Contact
from crm_sandbox.scenarios.state import LogItem, SandboxState, load_log
from crm_sandbox.services import action_log, complaints

CHECK = REGISTRY["complaint_text_mentions"]
T = datetime(2026, 3, 23, 12, 0)
POLICY = [["faulty", "fault"], ["30 days", "consumer rights act"], ["full refund"]]


class FakeState:
    def __init__(self, complaint):
        self.complaint = complaint

    def get(self, kind, key):
        return self.complaint if (kind, key) == ("complaints", "refund") else None


def complaint(**fields):
    base = {"id": 5, "resolution": "", "root_cause": "", "lessons_learned": ""}
    return SimpleNamespace(**{**base, "escalation_reason": "", **fields})


def written(seq, **after):
    return LogItem(seq, "complaint.resolved", "complaint", 5, T, {"after": after})


def run(state, log, **params):
    return CHECK(state, log, None, {"complaint": "refund", **params})


def test_passes_when_every_idea_is_mentioned_in_any_of_its_words():
    text = "Under the returns policy a FAULTY item is refunded in full within 30 days: full refund."
    result = run(
        FakeState(complaint(resolution=text)), [written(4, resolution=text)], mentions=POLICY
    )
    assert result.passed
    assert result.evidence == [4]


def test_fails_naming_the_ideas_that_are_missing():
    text = "Refund refused: opened pillows cannot be returned."
    result = run(
        FakeState(complaint(resolution=text)), [written(4, resolution=text)], mentions=POLICY
    )
    assert not result.passed
    assert "faulty / fault" in result.message
    assert "30 days / consumer rights act" in result.message
    assert "full refund" in result.message
    half = "It is faulty, so a full refund."
    result = run(
        FakeState(complaint(resolution=half)), [written(4, resolution=half)], mentions=POLICY
    )
    assert not result.passed
    assert "faulty" not in result.message and "30 days" in result.message


def test_fails_when_nothing_was_written_in_this_attempt():
    # The record has a resolution, but the log since the attempt started never wrote one.
    state = FakeState(complaint(resolution="Full refund: faulty within 30 days."))
    result = run(state, [], mentions=POLICY)
    assert not result.passed
    assert "no resolution" in result.message
    assert not run(FakeState(complaint()), [written(4, resolution="x")], mentions=POLICY).passed


def test_reads_the_field_asked_for():
    state = FakeState(
        complaint(resolution="Full refund.", lessons_learned="Retrain on the returns policy.")
    )
    log = [
        written(4, resolution="Full refund."),
        LogItem(
            6, "complaint.closed", "complaint", 5, T, {"after": {"lessons_learned": "Retrain"}}
        ),
    ]
    assert run(state, log, field="lessons_learned", mentions=[["returns policy"]]).passed
    assert not run(state, log, field="resolution", mentions=[["returns policy"]]).passed
    assert not run(state, log, field="root_cause", mentions=[["returns policy"]]).passed


def test_an_unknown_complaint_fails():
    assert not CHECK(FakeState(None), [], None, {"complaint": "other", "mentions": [["x"]]}).passed


@pytest.mark.parametrize(
    "params",
    [
        {"complaint": "refund", "mentions": []},
        {"complaint": "refund", "mentions": [[]]},
        {"complaint": "refund", "mentions": [[""]]},
        {"complaint": "refund", "mentions": [["x"]], "field": "description"},
        {"complaint": "refund", "mentions": [["x"]], "words": ["x"]},
    ],
)
def test_bad_params_are_refused(params):
    with pytest.raises(ValidationError):
        CHECK.params.model_validate(params)


def test_on_a_real_sandbox_resolution_escalation_reason_and_lessons(provision, ctx_for, frozen):
    sandbox = provision()  # retail
    ctx = ctx_for(sandbox)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    frozen(sandbox, "2026-03-23 10:00")
    made = complaints.receive_complaint(
        ctx,
        customer,
        {
            "channel": "email",
            "category": "Faulty or damaged product",
            "description": "Refund refused for a pillow that fell apart.",
        },
    )
    state = SandboxState(sandbox, {"complaints": {"refund": made.id}})

    def check(**params):
        return CHECK(state, load_log(sandbox.id), None, {"complaint": "refund", **params})

    assert not check(mentions=POLICY).passed  # nothing resolved yet
    complaints.acknowledge(ctx, made, "email", "We have your complaint.")
    complaints.start_investigation(ctx, made)
    complaints.resolve(
        ctx,
        made,
        "Faulty within 30 days of delivery, so a full refund under the returns policy.",
        "email",
        "You will get a full refund.",
    )
    assert check(mentions=POLICY).passed
    complaints.escalate(ctx, made, "The customer is not satisfied with the stage 1 response.")
    assert check(field="escalation_reason", mentions=[["not satisfied"]]).passed
    # Escalating clears the resolution: the new level finds its own.
    assert not check(mentions=POLICY).passed
    complaints.acknowledge(ctx, made, "email", "Stage 2 has your complaint.")
    complaints.start_investigation(ctx, made)
    complaints.resolve(ctx, made, "Full refund: faulty within 30 days.", "email", "Refunded.")
    complaints.close(
        ctx,
        made,
        satisfaction_reply=None,
        judgement_note="No reply to two emails",
        confirmation_note="Emailed back",
        root_cause="Shop applied the opened-bedding rule to a faulty item.",
        lessons_learned="Refresher for Stores staff on the returns policy.",
    )
    assert check(mentions=POLICY).passed
    assert check(field="lessons_learned", mentions=[["returns policy"]]).passed
    assert not check(field="root_cause", mentions=[["returns policy"]]).passed
    # A new attempt starts a new log: what was written before it does not count.
    action_log.record(ctx, "scenario.started", "attempt", 1, after={"scenario": "x"})
    assert not check(field="lessons_learned", mentions=[["returns policy"]]).passed
