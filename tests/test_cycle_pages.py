"""Complaints, standards and feedback pages: the buttons do what the procedure allows, refuse
what it does not, and show the monitoring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Complaint, Contact, ServiceStandard, Stage
from crm_sandbox.services import action_log


@pytest.fixture
def crm(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .limit(1)
    )
    return sandbox, f"/s/{sandbox.id}", customer


def record(client, base, customer) -> Complaint:
    response = client.post(
        f"{base}/contacts/{customer.id}/complaints/new",
        data={
            "channel": "phone",
            "category": "Refund delay",
            "severity": "high",
            "description": "I returned the lamp three weeks ago and have no refund.",
        },
    )
    assert response.status_code == 302, response.data
    return db.session.scalar(
        select(Complaint).where(
            Complaint.sandbox_id == customer.sandbox_id,
            Complaint.description.like("%returned the lamp%"),
        )
    )


def test_a_complaint_goes_from_received_to_closed_through_the_buttons(client, crm):
    sandbox, base, customer = crm
    complaint = record(client, base, customer)
    page = client.get(f"{base}/complaints/{complaint.id}").data.decode()
    assert "Acknowledge" in page and complaint.reference in page
    url = f"{base}/complaints/{complaint.id}"
    steps = [
        ("acknowledge", {"ack-channel": "email", "ack-message": "We are sorry: we are on it."}),
        ("investigate", {"note-note": "Checked the returns log"}),
        (
            "resolve",
            {
                "res-resolution": "Refund issued",
                "res-channel": "email",
                "res-outcome_message": "Your refund of £40 has been sent.",
            },
        ),
        (
            "close",
            {
                "close-satisfaction_reply": "",
                "close-judgement_note": "No answer after two working days; policy allows it",
                "close-root_cause": "Returns not scanned at the till",
                "close-lessons_learned": "Scan every return on the day",
                "close-confirm": "y",
            },
        ),
    ]
    for action, data in steps:
        response = client.post(f"{url}/{action}", data=data, follow_redirects=True)
        assert response.status_code == 200
        assert b"Nothing was saved" not in response.data, (action, response.data[:2000])
    db.session.refresh(complaint)
    assert complaint.stage == "closed"
    page = client.get(url).data.decode()
    assert "Returns not scanned at the till" in page
    assert "Send a satisfaction rating request" in page
    client.post(f"{url}/satisfaction")
    db.session.refresh(complaint)
    assert complaint.satisfaction_requested_at is not None


def test_an_out_of_order_close_is_refused_with_the_missing_step(client, crm):
    sandbox, base, customer = crm
    complaint = record(client, base, customer)
    response = client.post(
        f"{base}/complaints/{complaint.id}/close",
        data={
            "close-satisfaction_reply": "",
            "close-judgement_note": "z",
            "close-root_cause": "x",
            "close-lessons_learned": "y",
            "close-confirm": "y",
        },
        follow_redirects=True,
    )
    assert b"Close is not possible while the complaint is received" in response.data
    assert b"acknowledge the complaint first" in response.data
    db.session.refresh(complaint)
    assert complaint.stage == Stage.RECEIVED.value


def test_escalating_with_a_reason_from_the_page(client, crm):
    sandbox, base, customer = crm
    complaint = record(client, base, customer)
    refused = client.post(
        f"{base}/complaints/{complaint.id}/escalate", data={"esc-reason": ""}, follow_redirects=True
    )
    assert b"Give the reason for escalating" in refused.data
    client.post(
        f"{base}/complaints/{complaint.id}/escalate",
        data={"esc-reason": "A refund over £100 is asked for"},
    )
    db.session.refresh(complaint)
    assert complaint.level == "supervisor"
    assert action_log.entries(sandbox.id, limit=1)[0].verb == "complaint.escalated"


def test_the_complaints_list_shows_counts_and_filters(client, crm):
    sandbox, base, customer = crm
    record(client, base, customer)
    page = client.get(f"{base}/complaints?stage=received").data.decode()
    assert "Received" in page and "Refund delay" in page
    assert client.get(f"{base}/complaints?stage=bogus&overdue=1&owner=x").status_code == 200


def test_a_vague_standard_is_flagged_on_its_page(client, crm):
    sandbox, base, _ = crm
    response = client.post(
        f"{base}/standards/new",
        data={
            "title": "Good service",
            "measure": "complaint_ack_time",
            "threshold": "",
            "threshold_unit": "",
            "target_percent": "",
            "period": "month",
            "agreed_with": "",
        },
        follow_redirects=True,
    )
    assert b"Not measurable yet" in response.data
    standard = db.session.scalar(
        select(ServiceStandard).where(
            ServiceStandard.sandbox_id == sandbox.id, ServiceStandard.title == "Good service"
        )
    )
    refused = client.post(
        f"{base}/standards/{standard.id}/agree",
        data={"agreed_with": "Everyone", "contact_id": ""},
        follow_redirects=True,
    )
    assert b"must be measurable before it is agreed" in refused.data


def test_the_monitoring_page_shows_a_breach_and_a_chart(client, crm):
    sandbox, base, customer = crm
    record(client, base, customer)  # never acknowledged
    client.post(f"{base}/clock/next-working-day")
    client.post(f"{base}/clock/next-working-day")
    client.post(
        f"{base}/standards/new",
        data={
            "title": "Acknowledge complaints within 1 working day",
            "measure": "complaint_ack_time",
            "threshold": "1",
            "threshold_unit": "working_days",
            "target_percent": "95",
            "period": "week",
            "agreed_with": "",
        },
    )
    standard = db.session.scalar(
        select(ServiceStandard)
        .where(
            ServiceStandard.sandbox_id == sandbox.id,
            ServiceStandard.title == "Acknowledge complaints within 1 working day",
        )
        .order_by(ServiceStandard.id.desc())
    )
    page = client.get(f"{base}/standards/{standard.id}?from=2026-03-01&to=2026-03-31")
    text = page.data.decode()
    assert "Breaches" in text and "not acknowledged by" in text
    assert "below target" in text
    chart = client.get(f"{base}/standards/{standard.id}/chart.svg")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    client.post(
        f"{base}/standards/{standard.id}/findings",
        data={
            "text": "We missed the acknowledgement",
            "period_from": "2026-03-01",
            "period_to": "2026-03-31",
        },
    )
    assert action_log.entries(sandbox.id, limit=1)[0].verb == "standard.finding_recorded"


def test_another_learner_cannot_open_my_complaints_or_standards(client, auth, provision, crm):
    sandbox, base, customer = crm
    complaint = record(client, base, customer)
    auth.logout()
    other = provision()
    auth.login(other.owner.email)
    for path in (f"/complaints/{complaint.id}", "/complaints", "/standards", "/feedback"):
        assert client.get(base + path).status_code == 404
    assert client.get(f"/s/{other.id}/complaints/{complaint.id}").status_code == 404
    assert (
        client.post(
            f"/s/{other.id}/complaints/{complaint.id}/acknowledge",
            data={"ack-channel": "email", "ack-message": "x"},
        ).status_code
        == 404
    )
