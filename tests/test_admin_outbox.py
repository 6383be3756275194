"""The admin's outbox page: counts by kind and state in words, the waiting messages with their
tries, next try and last error, the refused ones with the other system's words, and sending
refused messages again (one, or all), audited; nobody else sees or changes it."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import OutboxMessage, Role, StaffAuditEntry
from crm_sandbox.models.base import utcnow
from crm_sandbox.services import outbox


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Ada Admin", email="ada@college.example.org")


@pytest.fixture
def as_admin(auth, admin):
    auth.login(admin.email)
    return admin


def _message(key: str, kind: str = "xapi.statement", **values) -> OutboxMessage:
    message = outbox.enqueue(kind, key, {"id": key}, summary=values.pop("summary", key))
    for name, value in values.items():
        setattr(message, name, value)
    db.session.commit()
    return message


@pytest.fixture
def queue():
    """One sent, two waiting (one tried twice, its next try in 2 minutes), two refused."""
    now = utcnow()
    return {
        "sent": _message("s-sent", status="sent", tries=1, sent_at=now),
        "waiting": _message(
            "s-waiting",
            summary="Ada Lovelace, A first complaint: Checked their work",
            tries=2,
            next_try_at=now + timedelta(minutes=2),
            last_error="The LRS did not answer: ConnectionError: refused",
        ),
        "new": _message("g-new", kind="lti.score", summary="Score 67% for Lola Smith"),
        "refused": _message(
            "s-refused",
            summary="Ada Lovelace: Read a hint",
            status="failed",
            tries=1,
            last_error="The LRS refused the statement (422): object: Field required",
        ),
        "refused2": _message("g-refused", kind="lti.score", status="failed", tries=1),
    }


def _audit() -> list[StaffAuditEntry]:
    return list(
        db.session.scalars(select(StaffAuditEntry).where(StaffAuditEntry.verb == "outbox.resent"))
    )


def test_the_page_counts_by_kind_in_words_and_lists_waiting_and_refused(client, as_admin, queue):
    page = unescape(client.get("/admin/outbox").get_data(as_text=True))

    assert "xAPI statement to the LRS" in page and "Grade to the learning platform" in page
    assert "Refused (2)" in page and "Waiting to be sent (2)" in page
    assert "Ada Lovelace, A first complaint: Checked their work" in page
    assert "The LRS did not answer: ConnectionError: refused" in page
    assert "at the next round" in page  # the new grade is due now
    assert "object: Field required" in page  # the LRS's own words
    assert "s-sent" not in page  # sent messages are only counted
    assert page.count(">Send again<span") == 2 and "Send all refused messages again" in page
    assert "No Learning Record Store is configured" in page
    assert 'href="/admin/outbox"' in client.get("/admin/").get_data(as_text=True)


def test_an_empty_outbox_says_so(client, as_admin, app):
    app.config["LRS_URL"] = "https://lrs.college.example/xAPI/"
    page = unescape(client.get("/admin/outbox").get_data(as_text=True))
    assert "Nothing has been queued yet." in page
    assert "xAPI statements go to the LRS at <code>https://lrs.college.example/xAPI/</code>" in page


def test_a_refused_message_is_sent_again_and_audited(client, as_admin, admin, queue):
    refused = queue["refused"]
    response = client.post("/admin/outbox/send-again", data={"message": refused.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, refused.id).status == "pending"
    [entry] = _audit()
    assert (entry.actor_id, entry.object_id) == (admin.id, refused.id)
    page = unescape(client.get("/admin/outbox").get_data(as_text=True))
    assert f"Message #{refused.id} (xAPI statement to the LRS) will be sent again" in page
    assert "Refused (1)" in page


def test_all_refused_messages_are_sent_again_in_one_press(client, as_admin, queue):
    client.post("/admin/outbox/send-all-failed-again")
    db.session.expire_all()
    assert outbox.messages(statuses=["failed"]) == []
    assert _audit()[0].after["messages"] == 2
    page = unescape(client.get("/admin/outbox").get_data(as_text=True))
    assert "2 refused messages will be sent again" in page
    assert "No message has been refused." in page


@pytest.mark.parametrize("value", ["", "abc", "999999", "99999999999999", None])
def test_sending_again_a_message_that_is_not_there_changes_nothing(client, as_admin, queue, value):
    data = {} if value is None else {"message": value}
    page = unescape(
        client.post("/admin/outbox/send-again", data=data, follow_redirects=True).get_data(
            as_text=True
        )
    )
    assert "Nothing was changed: There is no such message in the outbox." in page
    assert len(outbox.messages(statuses=["failed"])) == 2 and _audit() == []


@pytest.mark.parametrize("which", ["sent", "waiting"])
def test_only_a_refused_message_can_be_sent_again(client, as_admin, queue, which):
    message = queue[which]
    page = unescape(
        client.post(
            "/admin/outbox/send-again", data={"message": message.id}, follow_redirects=True
        ).get_data(as_text=True)
    )
    assert "only a refused message can be sent again" in page
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == message.status
    assert _audit() == []


def test_nothing_refused_means_nothing_to_send_again(client, as_admin):
    page = client.post("/admin/outbox/send-all-failed-again", follow_redirects=True)
    assert "there is nothing to send again" in unescape(page.get_data(as_text=True))
    assert _audit() == []


def test_sending_again_needs_the_form_token(client, as_admin, queue):
    response = client.post(
        "/admin/outbox/send-again", data={"message": queue["refused"].id}, csrf=False
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, queue["refused"].id).status == "failed"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TUTOR, Role.ASSESSOR, Role.EQA])
def test_no_one_but_an_admin_sees_or_changes_the_outbox(client, auth, create_user, queue, role):
    auth.login(create_user(role).email)
    assert client.get("/admin/outbox").status_code == 403
    response = client.post("/admin/outbox/send-again", data={"message": queue["refused"].id})
    assert response.status_code == 403
    assert client.post("/admin/outbox/send-all-failed-again").status_code == 403
    db.session.expire_all()
    assert len(outbox.messages(statuses=["failed"])) == 2


def test_erasing_a_learner_blanks_the_lines_that_name_them(app, admin, create_user):
    from crm_sandbox.scenarios import engine
    from crm_sandbox.scenarios.loader import library_source
    from crm_sandbox.services import outbox_admin, personal_data

    learner = create_user(Role.LEARNER, name="Ada Lovelace")
    other = create_user(Role.LEARNER, name="Grace Hopper")
    scenario, source = library_source("first-complaint")
    theirs = engine.start_attempt(learner, scenario, source)
    kept = engine.start_attempt(other, scenario, source)
    for attempt, name in ((theirs, "Ada Lovelace"), (kept, "Grace Hopper")):
        outbox.enqueue(
            "xapi.statement",
            f"s-{attempt.id}",
            {"id": "x"},
            summary=f"{name}: Checked the work",
            attempt_id=attempt.id,
        )
    db.session.commit()

    personal_data.erase_learner(learner, admin)
    db.session.commit()

    summaries = {m.attempt_id: m.summary for m in outbox.messages()}
    assert summaries == {
        theirs.id: outbox_admin.ERASED_SUMMARY,
        kept.id: "Grace Hopper: Checked the work",
    }
