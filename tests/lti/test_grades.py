"""Grades back to the platform (AGS): each Check my work on an attempt opened from a course's
link reaches the platform as a PendingManual score, the assessor's sign-off as FullyGraded
with the decision; a platform that is down gets every score later, once; a refusal fails the
message with the platform's words; an attempt not opened from a platform sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import LtiResourceLink, OutboxMessage, Role
from crm_sandbox.models.base import utcnow
from crm_sandbox.scenarios import engine
from crm_sandbox.services import assessment, assignments, outbox
from crm_sandbox.services.lti import grades

from .linked import linked
from .platform_services import LINEITEM, LINEITEM_READONLY, SCORE


def score_messages() -> list[OutboxMessage]:
    db.session.rollback()
    return list(
        db.session.query(OutboxMessage).filter_by(kind=grades.KIND).order_by(OutboxMessage.id)
    )


def check_my_work(attempt):
    evaluation = engine.check_my_work(attempt, attempt.learner)
    db.session.commit()
    return evaluation


def sign_off(client, auth, attempt, assessor, outcome="met"):
    """The learner submits; the assessor judges every criterion and decides on the page."""
    engine.submit(attempt, attempt.learner, True)
    for criterion in criteria_for_attempt(attempt):
        assessment.judge(attempt, assessor, criterion.id, outcome, "Seen in the log.")
    db.session.commit()
    auth.login(assessor.email)
    response = client.post(
        f"/assessor/attempts/{attempt.id}/decide",
        data={
            "outcome": outcome,
            "feedback": "Well handled: the customer was kept informed.",
            "confirm": "y",
        },
    )
    assert response.status_code == 302, response.text
    auth.logout()


def test_check_my_work_reaches_the_platform_as_a_pending_manual_score(app, platform):
    work = linked(platform, subject="moodle-user-7")
    evaluation = check_my_work(work.attempt)

    [message] = score_messages()
    assert message.status == "pending" and message.group_id == work.group.id
    assert message.attempt_id == work.attempt.id and "Lola Learner" in message.summary
    assert str(outbox.deliver_due()) == "1 sent, 0 to try again, 0 refused"

    [score] = platform.scores
    assert score["lineitem"] == work.lineitem["id"]
    assert score["userId"] == "moodle-user-7"
    assert score["scoreGiven"] == round(evaluation.score * 100, 2)
    assert score["scoreMaximum"] == 100
    assert score["activityProgress"] == "InProgress"
    assert score["gradingProgress"] == "PendingManual"
    assert datetime.fromisoformat(score["timestamp"]).utcoffset() == timedelta(0)
    assert "Not final" in score["comment"]
    assert platform.token_requests == 1  # our signed client assertion was accepted


def test_an_attempt_not_opened_from_a_platform_sends_nothing(app, create_user):
    learner = create_user(Role.LEARNER)
    assignments.assign("first-complaint", [learner], None)
    [attempt] = assignments.attempts_of(learner)
    check_my_work(attempt)
    engine.submit(attempt, learner, True)
    db.session.commit()
    assert score_messages() == []


def test_a_link_without_the_score_scope_sends_nothing(app, platform):
    work = linked(platform, ags_scopes=[LINEITEM_READONLY])
    check_my_work(work.attempt)
    assert score_messages() == []


def test_the_assessors_sign_off_reaches_the_platform_as_fully_graded_with_the_decision(
    app, client, auth, platform, create_user
):
    assessor = create_user(Role.ASSESSOR, name="Asa Assessor")
    work = linked(platform)
    work.group.assessors.append(assessor)
    db.session.commit()
    check_my_work(work.attempt)
    sign_off(client, auth, work.attempt, assessor, "met")

    assert outbox.deliver_due().sent == 1  # the newest: the checked and submitted ones gave way
    statuses = [m.status for m in score_messages()]
    assert statuses == ["superseded", "superseded", "sent"]
    [score] = platform.scores
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert score["scoreGiven"] == 100 and score["scoreMaximum"] == 100
    assert score["comment"].startswith("Assessor's decision: Met.")
    feedback = f"http://localhost/learner/scenarios/{work.attempt.id}/feedback"
    assert feedback in score["comment"]


def test_each_score_sent_in_turn_arrives_in_order_and_not_yet_met_is_graded_zero(
    app, client, auth, platform, create_user
):
    assessor = create_user(Role.ASSESSOR)
    work = linked(platform)
    work.group.assessors.append(assessor)
    db.session.commit()
    check_my_work(work.attempt)
    assert outbox.deliver_due().sent == 1
    engine.submit(work.attempt, work.learner, True)
    db.session.commit()
    assert outbox.deliver_due().sent == 1
    for criterion in criteria_for_attempt(work.attempt):
        assessment.judge(work.attempt, assessor, criterion.id, "not_yet_met", "No apology.")
    assessment.decide(work.attempt, assessor, "not_yet_met", "Apologise first.")
    db.session.commit()
    assert outbox.deliver_due().sent == 1

    progress = [(s["activityProgress"], s["gradingProgress"]) for s in platform.scores]
    assert progress == [
        ("InProgress", "PendingManual"),
        ("Submitted", "PendingManual"),
        ("Completed", "FullyGraded"),
    ]
    final = platform.scores[-1]
    assert final["scoreGiven"] == 0
    assert final["comment"].startswith("Assessor's decision: Not yet met.")
    # Outside a request, with no SERVER_NAME, the comment says where without an address.
    assert "open this activity" in final["comment"]


def test_a_platform_that_is_down_gets_the_score_later_nothing_lost_nothing_sent_twice(
    app, platform
):
    work = linked(platform)
    check_my_work(work.attempt)
    platform.down = True
    now = utcnow()
    assert outbox.deliver_due(now=now).retrying == 1
    [message] = score_messages()
    assert message.status == "pending" and message.tries == 1
    assert "answered 503" in message.last_error and "down for maintenance" in message.last_error
    assert message.next_try_at >= now + timedelta(seconds=29)
    assert outbox.deliver_due(now=now + timedelta(seconds=10)).tried == 0  # backing off
    assert platform.scores == []

    platform.down = False
    assert outbox.deliver_due(now=now + timedelta(minutes=1)).sent == 1
    assert outbox.deliver_due(now=now + timedelta(hours=2)).tried == 0
    assert len(platform.scores) == 1
    assert score_messages()[0].status == "sent"


def test_a_newer_score_replaces_an_older_one_not_yet_sent(app, platform):
    work = linked(platform)
    platform.down = True
    check_my_work(work.attempt)
    outbox.deliver_due()
    check_my_work(work.attempt)
    platform.down = False
    assert outbox.deliver_due(now=utcnow() + timedelta(hours=1)).sent == 1
    assert [m.status for m in score_messages()] == ["superseded", "sent"]
    assert len(platform.scores) == 1


def test_a_token_without_the_score_scope_fails_the_message_with_the_platforms_words(app, platform):
    work = linked(platform)
    platform.allowed_scopes = {LINEITEM, LINEITEM_READONLY}  # the tool may not post scores
    check_my_work(work.attempt)
    assert outbox.deliver_due().failed == 1
    [message] = score_messages()
    assert message.status == "failed"
    assert message.last_error == (
        f"{platform.name} answered 403: The access token does not grant {SCORE}."
    )
    assert platform.scores == []
    # Fixed on the platform, an admin sends it again: it arrives.
    platform.allowed_scopes.add(SCORE)
    outbox.retry(message)
    db.session.commit()
    assert outbox.deliver_due().sent == 1 and len(platform.scores) == 1


def test_a_score_the_platform_refuses_fails_with_its_words(app, platform):
    work = linked(platform)
    platform.refuse_scores = "The grade item is locked."
    check_my_work(work.attempt)
    assert outbox.deliver_due().failed == 1
    assert (
        score_messages()[0].last_error == f"{platform.name} answered 400: The grade item is locked."
    )


def test_a_switched_off_registration_fails_the_message_until_it_is_on(app, platform):
    work = linked(platform)
    work.registration.active = False
    db.session.commit()
    check_my_work(work.attempt)
    assert outbox.deliver_due().failed == 1
    assert "switched off" in score_messages()[0].last_error
    assert platform.token_requests == 0


def test_a_link_with_only_the_line_items_url_finds_or_creates_its_line_item_once(app, platform):
    work = linked(platform, with_lineitem=False)
    check_my_work(work.attempt)
    assert outbox.deliver_due().sent == 1
    [item] = platform.lineitems["Course-101"]
    assert item["resourceLinkId"] == work.link.resource_link_id and item["scoreMaximum"] == 100
    assert platform.scores[0]["lineitem"] == item["id"]
    db.session.rollback()
    assert db.session.get(LtiResourceLink, work.link.id).lineitem_url == item["id"]
    check_my_work(work.attempt)
    assert outbox.deliver_due().sent == 1
    assert len(platform.lineitems["Course-101"]) == 1  # found, not made again
    assert len(platform.scores) == 2


@pytest.mark.parametrize("forged", ["other key", "replayed"])
def test_the_platform_refuses_a_token_request_it_cannot_trust(app, platform, forged):
    import requests

    from crm_sandbox.services.lti import keys

    from .platform import new_key_pair

    linked(platform)
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.auth_token_url,
        "jti": "jti-1",
    }
    if forged == "other key":
        private, _ = new_key_pair()
        assertion = platform.sign(claims, private_pem=private, kid=keys.current().kid)
    else:
        assertion = platform.sign(
            claims, private_pem=keys.current().private_pem, kid=keys.current().kid
        )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": SCORE,
    }
    first = requests.post(platform.auth_token_url, data=form, timeout=5)
    if forged == "replayed":
        assert first.status_code == 200 and first.json()["scope"] == SCORE
        again = requests.post(platform.auth_token_url, data=form, timeout=5)
        assert again.status_code == 401 and "already used" in again.json()["error_description"]
    else:
        assert first.status_code == 401 and "not valid" in first.json()["error_description"]


def test_outside_a_request_the_feedback_address_comes_from_server_name(app, platform, create_user):
    """A sign-off from the command line or a background job: the site's address is
    SERVER_NAME's."""
    assessor = create_user(Role.ASSESSOR)
    work = linked(platform)
    engine.submit(work.attempt, work.learner, True)
    for criterion in criteria_for_attempt(work.attempt):
        assessment.judge(work.attempt, assessor, criterion.id, "met", "Seen in the log.")
    app.config.update(SERVER_NAME="sandbox.college.example", PREFERRED_URL_SCHEME="https")
    assessment.decide(work.attempt, assessor, "met", "Well done.")
    db.session.commit()
    assert outbox.deliver_due().sent == 1
    address = f"https://sandbox.college.example/learner/scenarios/{work.attempt.id}/feedback"
    assert address in platform.scores[-1]["comment"]


def test_pressing_check_my_work_on_the_page_sends_the_score(app, client, auth, platform):
    work = linked(platform)
    auth.login(work.learner.email)
    response = client.post(f"/learner/scenarios/{work.attempt.id}/check")
    assert response.status_code == 302
    assert [m.status for m in score_messages()] == ["pending"]
    assert outbox.deliver_due().sent == 1
    assert platform.scores_for("moodle-user-7")[0]["gradingProgress"] == "PendingManual"
