"""Submitted work is read-only, and its pages say so: every CRM page of a read-only sandbox shows
the records without a form or button that would change them (they would only be refused), with
the note "This work was submitted: it is read-only." The same pages offer their forms while the
sandbox is writable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Sandbox
from crm_sandbox.services import complaints, contacts, feedback, interactions, standards

from .urls import fill_rule

NOTE = "This work was submitted: it is read-only."
# Pages that are not HTML (charts, downloads).
NOT_PAGES = (".svg", ".csv", ".json", ".pdf")


@pytest.fixture
def full_sandbox(client, auth, provision, ctx_for):
    """A signed-in learner's sandbox with one record of every kind a CRM URL names."""
    sandbox = provision()
    ctx = ctx_for(sandbox)
    customer = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    )
    need = contacts.add_need(ctx, customer, "Delivery before the weekend")
    call = interactions.log_interaction(
        ctx,
        customer,
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": "Asked about delivery",
            "follow_up_on": ctx.now().date() + timedelta(days=1),
        },
    )
    complaint = complaints.receive_complaint(
        ctx, customer, {"channel": "phone", "category": "Delivery", "description": "Late sofa"}
    )
    standard = standards.create_standard(
        ctx,
        {
            "title": "Acknowledge complaints within 1 working day",
            "measure": "follow_ups_on_time",
            "target_percent": 95,
            "period": "month",
        },
    )
    survey = feedback.create_survey(ctx, {"title": "Comment cards", "method": "comment_card"})
    question = feedback.add_question(ctx, survey, "rating_5", "How was your visit?")
    feedback.record_response(ctx, survey, {question.id: 2})
    finding = feedback.add_finding(
        ctx, survey, "Visits rated low", question_id=question.id, measure="average", figure=2
    )
    action = feedback.add_action(
        ctx,
        finding,
        {
            "description": "Greet every visitor",
            "owner": "Team lead",
            "due_on": ctx.now().date() + timedelta(days=14),
            "standard_id": standard.id,
            "success_measure": "Average rating of visits",
        },
    )
    db.session.commit()
    auth.login(sandbox.owner.email)
    ids = {
        "sandbox_id": sandbox.id,
        "contact_id": customer.id,
        "need_id": need.id,
        "interaction_id": call.id,
        "complaint_id": complaint.id,
        "standard_id": standard.id,
        "survey_id": survey.id,
        "question_id": question.id,
        "finding_id": finding.id,
        "action_id": action.id,
    }
    return sandbox, ids


def crm_pages(app, ids):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("crm.") or "GET" not in rule.methods:
            continue
        if rule.rule.endswith(NOT_PAGES) or not set(rule.arguments) <= set(ids):
            continue
        yield fill_rule(rule, ids)


def changing_forms(page: str, sandbox_id: int) -> list[str]:
    """The POST forms on a page that act on the sandbox (not the sign-out form)."""
    forms = re.findall(r"<form[^>]*>", page)
    return [
        f
        for f in forms
        if 'method="post"' in f and (f"/s/{sandbox_id}/" in f or "action=" not in f)
    ]


def test_a_submitted_sandbox_shows_no_form_that_changes_it_and_says_why(app, client, full_sandbox):
    sandbox, ids = full_sandbox
    db.session.get(Sandbox, sandbox.id).read_only = True
    db.session.commit()
    pages = list(crm_pages(app, ids))
    assert len(pages) >= 15
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.data.decode()
        assert changing_forms(page, sandbox.id) == [], path
        assert NOTE in page, path
        for word in ("Log interaction", "Record a complaint", "Add contact", "Collect feedback"):
            assert f">{word}</a>" not in page, (path, word)


def test_a_writable_sandbox_offers_its_forms_without_the_note(client, full_sandbox):
    sandbox, ids = full_sandbox
    page = client.get(f"/s/{sandbox.id}/contacts/{ids['contact_id']}").data.decode()
    assert changing_forms(page, sandbox.id)
    assert NOTE not in page
