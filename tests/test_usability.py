"""Usability across the areas: an empty list says what will appear there and how to start;
an action that cannot be taken back asks first, and a POST without the confirmation changes
nothing and says why; a flash names the thing that was done."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Complaint, Contact, Role, Survey
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.services import assessment, assignments, complaints

SCENARIO = "first-complaint"


@pytest.fixture
def crm(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}"


def log_size(sandbox) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ActionLogEntry)
        .where(ActionLogEntry.sandbox_id == sandbox.id)
    )


def a_customer(sandbox) -> Contact:
    return db.session.scalar(
        select(Contact)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == "external",
            Contact.merged_into_id.is_(None),
        )
        .order_by(Contact.id)
        .limit(1)
    )


def a_duplicate_of(client, base, contact) -> Contact:
    client.post(
        f"{base}/contacts/new",
        data={
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "category": "external",
            "account_type": "individual",
            "segment": "",
            "lifecycle_stage": "",
            "phone": "07911 765432",
        },
    )
    return db.session.scalar(select(Contact).where(Contact.phone == "07911 765432"))


def resolved_complaint(ctx_for, sandbox) -> Complaint:
    ctx = ctx_for(sandbox)
    complaint = complaints.receive_complaint(
        ctx,
        a_customer(sandbox),
        {
            "channel": "phone",
            "category": "Other",
            "severity": "medium",
            "description": "The kettle I bought leaks.",
        },
    )
    complaints.acknowledge(ctx, complaint, "email", "Sorry to hear it: we are looking into it.")
    complaints.start_investigation(ctx, complaint, "Checked the batch.")
    complaints.resolve(ctx, complaint, "Kettle replaced.", "email", "A new kettle is on its way.")
    db.session.commit()
    return complaint


# ---------------------------------------------------------------- empty states


def test_an_empty_group_and_its_progress_grid_say_how_to_start(
    client, auth, create_user, create_group
):
    tutor = create_user(Role.TUTOR)
    group = create_group("Evening class", tutor=tutor)
    auth.login(tutor.email)
    page = client.get(f"/tutor/groups/{group.id}").text
    assert "No learners in this group yet. Add them one by one here" in page
    grid = client.get(f"/tutor/groups/{group.id}/progress").text
    assert "Nothing assigned to this group yet." in grid and "Assign a scenario" in grid


def test_a_learner_with_nothing_assigned_is_told_what_will_appear(client, auth, create_user):
    learner = create_user(Role.LEARNER)
    auth.login(learner.email)
    page = client.get("/learner/").text
    assert "No scenarios assigned yet." in page
    assert "When your tutor assigns one it appears here" in page
    assert "You are not in a group yet." in page


def test_a_complaint_filter_with_no_match_offers_to_clear_the_filters(client, crm):
    sandbox, base = crm
    page = client.get(f"{base}/complaints?owner=Nobody+at+all").text
    assert "No complaints match these filters." in page
    assert f'href="{base}/complaints">Clear the filters</a>' in page


def test_a_new_feedback_collection_says_to_add_its_first_question(client, crm):
    sandbox, base = crm
    response = client.post(
        f"{base}/feedback/new",
        data={"title": "Café opening hours", "method": "comment_card", "purpose": "Hours"},
        follow_redirects=True,
    )
    assert "Survey &#39;Café opening hours&#39; created." in response.text
    assert "No questions yet. Add the first one below" in response.text


def test_a_fresh_attempt_tells_the_tutor_what_will_appear(client, auth, create_user, create_group):
    tutor = create_user(Role.TUTOR)
    learner = create_user(Role.LEARNER, name="Nia Newcomer")
    group = create_group("Day class", tutor=tutor, learners=[learner])
    assignments.assign(SCENARIO, [learner], tutor, group_id=group.id)
    db.session.commit()
    attempt = assignments.attempts_of(learner)[0]
    auth.login(tutor.email)
    page = client.get(f"/tutor/attempts/{attempt.id}").text
    assert "The learner has not checked their work yet." in page
    assert "No hints used so far." in page


# ---------------------------------------------------------------- confirmation first


def test_a_merge_without_the_confirmation_merges_nothing_and_says_why(client, crm):
    sandbox, base = crm
    keep = a_customer(sandbox)
    dup = a_duplicate_of(client, base, keep)
    before = log_size(sandbox)
    refused = client.post(f"{base}/contacts/{keep.id}/merge", data={"duplicate_id": dup.id})
    assert refused.status_code == 422
    assert "Tick the box to confirm the merge." in refused.text
    assert "Duplicate (will be marked as merged)" in refused.text  # the choice is still shown
    db.session.refresh(dup)
    assert dup.merged_into_id is None and log_size(sandbox) == before

    done = client.post(
        f"{base}/contacts/{keep.id}/merge",
        data={"duplicate_id": dup.id, "confirm": "y"},
        follow_redirects=True,
    )
    db.session.refresh(dup)
    assert dup.merged_into_id == keep.id
    assert (
        f"Merged {dup.display_name} (the duplicate, now marked as merged) into "
        f"{keep.display_name}." in done.text.replace("&#39;", "'")
    )


def test_closing_a_complaint_without_the_confirmation_leaves_it_open(client, crm, ctx_for):
    sandbox, base = crm
    complaint = resolved_complaint(ctx_for, sandbox)
    url = f"{base}/complaints/{complaint.id}"
    form = {
        "close-satisfaction_reply": "",
        "close-judgement_note": "The customer did not answer; the procedure allows closing",
        "close-root_cause": "A faulty batch",
        "close-lessons_learned": "Check batches on delivery",
    }
    page = client.get(url).text
    assert 'data-confirm="Close complaint ' in page and 'name="close-confirm"' in page
    refused = client.post(f"{url}/close", data=form, follow_redirects=True)
    assert "Nothing was saved" in refused.text
    assert "Tick the box to confirm closing the complaint." in refused.text
    db.session.refresh(complaint)
    assert complaint.stage == "resolved"

    done = client.post(f"{url}/close", data={**form, "close-confirm": "y"}, follow_redirects=True)
    db.session.refresh(complaint)
    assert complaint.stage == "closed"
    assert f"Complaint {complaint.reference} closed." in done.text


def test_closing_a_survey_without_the_confirmation_keeps_it_collecting(client, crm):
    sandbox, base = crm
    survey = db.session.scalar(
        select(Survey).where(Survey.sandbox_id == sandbox.id, Survey.status == "sent")
    )
    refused = client.post(f"{base}/feedback/{survey.id}/close", data={}, follow_redirects=True)
    assert "tick the box to confirm closing it" in refused.text
    db.session.refresh(survey)
    assert survey.status == "sent"
    done = client.post(
        f"{base}/feedback/{survey.id}/close", data={"confirm": "y"}, follow_redirects=True
    )
    db.session.refresh(survey)
    assert survey.status == "closed"
    assert "closed: no more replies are collected." in done.text
    assert survey.title.replace("'", "&#39;") in done.text


@pytest.fixture
def submitted(create_user, create_group):
    learner = create_user(Role.LEARNER, name="Sam Submitter")
    assessor = create_user(Role.ASSESSOR, name="Ada Assessor")
    group = create_group("Group S", learners=[learner], assessors=[assessor])
    assignments.assign(SCENARIO, [learner], None, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    engine.replay(attempt, loader.scenario_of(attempt).model_answer)
    engine.submit(attempt, learner, True)
    for criterion in criteria_for_attempt(attempt):  # the group's qualification's
        assessment.judge(attempt, assessor, criterion.id, "not_yet_met", "Show the follow-up.")
    db.session.commit()
    return attempt, assessor


def test_returning_work_needs_the_signed_confirmation(client, auth, submitted):
    attempt, assessor = submitted
    auth.login(assessor.email)
    decision = {"outcome": "not_yet_met", "feedback": "Record the lessons learned."}
    refused = client.post(f"/assessor/attempts/{attempt.id}/decide", data=decision)
    assert refused.status_code == 422
    assert "Nothing was signed: Tick the box to sign the decision." in refused.text
    assert "Record the lessons learned." in refused.text  # the typed feedback is kept
    db.session.refresh(attempt)
    assert attempt.status == "submitted" and attempt.sandbox.read_only

    done = client.post(
        f"/assessor/attempts/{attempt.id}/decide",
        data={**decision, "confirm": "y"},
        follow_redirects=True,
    )
    db.session.refresh(attempt)
    assert attempt.status == "returned" and not attempt.sandbox.read_only
    assert "Sam Submitter&#39;s &#39;A first complaint: stage 1, in time&#39; returned" in (
        done.text
    )


def test_every_page_loads_the_static_script_that_asks_before_destructive_forms(client, crm):
    sandbox, base = crm
    page = client.get(f"{base}/reset").text
    assert '<script src="/static/app.js" defer></script>' in page
    assert 'data-confirm="Reset this sandbox?' in page
    with client.get("/static/app.js") as script:
        assert script.status_code == 200
        assert 'getAttribute("data-confirm")' in script.text and "window.confirm" in script.text
    assert "<script>" not in page  # no inline script: the app's pages run under a strict CSP


# ---------------------------------------------------------------- flashes name what was done


def test_complaint_flashes_name_the_complaint(client, crm):
    sandbox, base = crm
    customer = a_customer(sandbox)
    recorded = client.post(
        f"{base}/contacts/{customer.id}/complaints/new",
        data={
            "channel": "phone",
            "category": "Other",
            "severity": "high",
            "description": "The blender arrived broken.",
        },
        follow_redirects=True,
    )
    complaint = db.session.scalar(
        select(Complaint).where(
            Complaint.sandbox_id == sandbox.id, Complaint.description.like("%blender%")
        )
    )
    ref = complaint.reference
    assert f"Complaint {ref} recorded for {customer.display_name}." in recorded.text.replace(
        "&#39;", "'"
    )
    acknowledged = client.post(
        f"{base}/complaints/{complaint.id}/acknowledge",
        data={"ack-channel": "email", "ack-message": "We are sorry and are looking into it."},
        follow_redirects=True,
    )
    assert f"Complaint {ref} acknowledged" in acknowledged.text
    investigating = client.post(
        f"{base}/complaints/{complaint.id}/investigate",
        data={"note-note": "Asked the warehouse."},
        follow_redirects=True,
    )
    assert f"Investigation of complaint {ref} started." in investigating.text


def test_contact_flashes_name_the_contact(client, crm):
    sandbox, base = crm
    customer = a_customer(sandbox)
    name = customer.display_name.replace("'", "&#39;")
    logged = client.post(
        f"{base}/contacts/{customer.id}/messages/new",
        data={
            "channel": "phone",
            "purpose": "follow_up",
            "summary": "Called to check the delivery went well.",
        },
        follow_redirects=True,
    )
    assert f"Message sent to {name}." in logged.text
    checked = client.post(f"{base}/contacts/{customer.id}/accuracy", follow_redirects=True)
    assert f"Recorded that {name}&#39;s details were checked and are accurate." in checked.text
