"""The issue's "done when", end to end: a Moodle-like platform (the simulator, over real HTTP)
launches a learner into a scenario without a password; the learner presses Check my work and
the platform receives a PendingManual score; the assessor signs off and the platform receives
FullyGraded; a forged and a replayed launch are refused; the statements arrive in a running
Ralph LRS and survive it being down for a while.

Every step goes through the pages or the services a person's click reaches; the outbox's
sender (`outbox.deliver_due`, what `crm-sandbox outbox run` and the demo's sender call) carries
the grades and statements.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import Attempt, Group, LtiIdentity, LtiRefusal, OutboxMessage
from crm_sandbox.models.base import utcnow
from crm_sandbox.services import outbox
from crm_sandbox.services.assessment import judgements
from crm_sandbox.services.evidence import exports
from crm_sandbox.services.lti import grades

from .. import lrs as lrs_module
from .launching import INSTRUCTOR, TEACHING_ASSISTANT, launch, register, replay
from .platform import new_key_pair

SCENARIO = "first-complaint"


@pytest.fixture
def ralph(tmp_path, monkeypatch):
    """A Ralph LRS of this test's own (stopped and started again mid-journey)."""
    if not lrs_module.installed():
        if os.environ.get("CI"):
            pytest.fail(lrs_module.missing_reason())
        pytest.skip(lrs_module.missing_reason())
    # Statement ids of this test's own, as in tests/test_xapi.py.
    monkeypatch.setattr(exports, "XAPI_BASE", f"{exports.XAPI_BASE}/journey-{uuid.uuid4().hex}")
    server = lrs_module.Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()


def _statements() -> list[OutboxMessage]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "xapi.statement")
            .order_by(OutboxMessage.id)
        )
    )


def test_a_platform_launches_grades_and_hears_of_the_work(app, client, platform, ralph):
    app.config.update(ralph.settings(), LRS_TIMEOUT=5.0)
    register(platform)

    # The tutor opens the activity from the course: the course becomes a group.
    tutor = launch(client, platform, sub="t-1", roles=INSTRUCTOR, scenario=SCENARIO)
    assert tutor.response.status_code == 302
    client.post("/logout")
    # The assessor (a teaching assistant on the course) opens it: the group's assessor.
    assessor_launch = launch(
        client, platform, sub="ta-1", roles=TEACHING_ASSISTANT, scenario=SCENARIO
    )
    assert assessor_launch.response.status_code == 302
    client.post("/logout")

    # A learner clicks the activity: no password, straight into the scenario, own sandbox.
    learner_launch = launch(
        client,
        platform,
        sub="learner-7",
        name="Lola Learner",
        scenario=SCENARIO,
        email="lola@college.example.org",
    )
    assert learner_launch.location.startswith("/learner/scenarios/")
    attempt_id = int(learner_launch.location.rstrip("/").rsplit("/", 1)[1])
    page = client.get(learner_launch.location)
    assert page.status_code == 200 and "Check my work" in page.get_data(as_text=True)
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    identity = db.session.scalar(
        select(LtiIdentity).where(LtiIdentity.user_id == attempt.learner_id)
    )
    assert identity.subject == "learner-7" and attempt.learner.email == "lola@college.example.org"
    assert attempt.sandbox.owner_id == attempt.learner_id

    # A forged launch (signed with a key the platform never published) and a replay of the
    # learner's own launch are refused with a page, and recorded.
    forged_key, _ = new_key_pair()
    forged = launch(
        client, platform, sub="learner-7", scenario=SCENARIO, signing={"private_pem": forged_key}
    )
    assert forged.response.status_code in (400, 403)
    assert "Nothing was changed" in forged.response.get_data(as_text=True)
    replayed = replay(client, learner_launch)
    assert replayed.status_code in (400, 403)
    db.session.rollback()
    reasons = [r.reason for r in db.session.scalars(select(LtiRefusal).order_by(LtiRefusal.id))]
    assert len(reasons) == 2
    assert any("signature" in r for r in reasons) and any("replay" in r for r in reasons)

    # The forged launch signed nobody in: sign the learner in again through the platform.
    launch(
        client,
        platform,
        sub="learner-7",
        name="Lola Learner",
        scenario=SCENARIO,
        email="lola@college.example.org",
    )
    assert client.post(f"/learner/scenarios/{attempt_id}/check").status_code == 302

    # The LRS goes down for a while: nothing sent, nothing lost.
    ralph.stop()
    now = utcnow()
    report = outbox.deliver_due(now=now)
    assert report.sent == 1  # the score reached the platform; the statements wait
    [pending] = [s for s in platform.scores]
    assert pending["userId"] == "learner-7"
    assert pending["gradingProgress"] == "PendingManual"
    assert pending["activityProgress"] == "InProgress"
    waiting = _statements()
    assert waiting and all(m.status == "pending" and m.tries == 1 for m in waiting)

    # The learner submits; the assessor judges each criterion and signs the work off as met.
    response = client.post(f"/learner/scenarios/{attempt_id}/submit", data={"declaration": "y"})
    assert response.status_code == 302
    client.post("/logout")
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    [assessor] = db.session.get(Group, attempt.assignment.group_id).assessors
    ta = db.session.scalar(select(LtiIdentity).where(LtiIdentity.subject == "ta-1"))
    assert assessor.id == ta.user_id
    for criterion in criteria_for_attempt(attempt):
        judgements.judge(attempt, assessor, criterion.id, "met", "Seen in the log.")
    db.session.commit()
    launch(client, platform, sub="ta-1", roles=TEACHING_ASSISTANT, scenario=SCENARIO)
    response = client.post(
        f"/assessor/attempts/{attempt_id}/decide",
        data={"outcome": "met", "feedback": "Kept the customer informed.", "confirm": "y"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    # The LRS is back: every statement arrives once; the platform has the final grade.
    ralph.start()
    outbox.deliver_due(now=now + timedelta(hours=2))
    final = platform.scores[-1]
    assert final["userId"] == "learner-7"
    assert final["gradingProgress"] == "FullyGraded"
    assert final["activityProgress"] == "Completed"
    assert "Met" in final["comment"]
    statements = _statements()
    assert statements and all(m.status == "sent" for m in statements)
    verbs = {m.payload["verb"]["id"].rsplit("/", 1)[1] for m in statements}
    assert {"scenario.opened", "scenario.checked", "scenario.submitted"} <= verbs
    assert {"assessment.judged", "assessment.decided"} <= verbs
    for message in statements:
        assert [s["id"] for s in ralph.statements(message.key)] == [message.key]
    assert sorted(s["id"] for s in ralph.stored_lines()) == sorted(m.key for m in statements)
    assert not [m for m in outbox.messages(statuses=["pending", "failed"]) if m.kind == grades.KIND]
