"""Closing the loop in the CRM: a finding shows the learner's figure beside the CRM's, an
improvement is told to the customers behind its finding on a channel each agreed to, and a
finding from the loyalty figures is recorded beside the report's own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Contact, Finding
from crm_sandbox.services import feedback, loyalty
from crm_sandbox.services.errors import ServiceError


@pytest.fixture
def crm(client, auth, provision, ctx_for):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}", ctx_for(sandbox)


def two_customers(sandbox):
    people = db.session.scalars(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(2)
    ).all()
    people[0].consent_email, people[1].consent_email = True, False
    people[0].consent_phone = people[1].consent_phone = True
    return people


def finding_with_an_action(ctx, sandbox):
    first, second = two_customers(sandbox)
    cards = feedback.create_survey(ctx, {"title": "Cards", "method": "comment_card"})
    rating = feedback.add_question(ctx, cards, "rating_5", "Your visit?")
    feedback.record_response(ctx, cards, {rating.id: 2}, first)
    feedback.record_response(ctx, cards, {rating.id: 4}, second)
    found = feedback.add_finding(
        ctx, cards, "Mixed visits", question_id=rating.id, measure="average", figure=3
    )
    action = feedback.add_action(
        ctx,
        found,
        {
            "description": "Greet every visitor",
            "owner": "Team lead",
            "due_on": ctx.now().date() + timedelta(days=7),
            "process_changed": "Welcome",
            "success_measure": "Visit rating",
            "tracks": "finding",
            "aim": "up",
        },
    )
    return found, action, first, second


def test_customers_are_told_on_a_channel_they_agreed_to_and_the_others_are_named(crm):
    sandbox, _, ctx = crm
    found, action, first, second = finding_with_an_action(ctx, sandbox)
    assert set(found.evidence["respondents"]) == {first.id, second.id}
    assert action.baseline == 3.0
    sent, skipped = feedback.tell_customers(ctx, action, "email", "We now greet everyone.")
    assert [m.contact_id for m in sent] == [first.id] and skipped == [second]
    entry = db.session.scalars(
        select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == sandbox.id,
            ActionLogEntry.verb == "improvement.customers_told",
        )
    ).one()
    assert entry.payload["after"]["contact_ids"] == [first.id]
    with pytest.raises(ServiceError, match="who gave this feedback"):
        feedback.tell_customers(ctx, action, "phone", "Hello", [999999])
    second.consent_phone = False
    first.consent_phone = False
    with pytest.raises(ServiceError, match="None of these customers agreed"):
        feedback.tell_customers(ctx, action, "phone", "Hello")


def test_a_loyalty_finding_keeps_each_figure_beside_the_reports(crm):
    sandbox, _, ctx = crm
    report = loyalty.report(ctx)
    poor = next(g for g in report.lost if g.key == "poor")
    made = loyalty.add_finding(
        ctx,
        "Poor complaint handling costs us customers.",
        [
            {"measure": "customers_lost", "group": "poor", "value": poor.lost},
            {"measure": "value_lost", "group": "poor", "value": poor.lost_value + 1000},
        ],
    )
    figures = made.evidence["figures"]
    assert figures[0]["agrees"] and figures[0]["computed"] == poor.lost
    assert not figures[1]["agrees"] and figures[1]["computed"] == poor.lost_value
    for bad, message in (
        ([], "at least one figure"),
        ([{"measure": "happiness", "group": "poor", "value": 1}], "Choose what each figure"),
        ([{"measure": "customers_lost", "group": "angry", "value": 1}], "Choose the group"),
        ([{"measure": "customers_lost", "group": "poor", "value": "lots"}], "must be a number"),
    ):
        with pytest.raises(ServiceError, match=message):
            loyalty.add_finding(ctx, "x", bad)


def test_the_pages_show_both_figures_and_take_the_new_forms(client, crm):
    sandbox, base, ctx = crm
    found, action, *_ = finding_with_an_action(ctx, sandbox)
    db.session.commit()
    page = client.get(f"{base}/improvements").data.decode()
    assert "you stated <strong>3.0</strong>; the CRM's figure 3.0" in page
    assert "baseline <strong>3.0</strong> when planned" in page and "you said, we did" in page
    assert "It can be evaluated from its due date" not in page  # not done yet
    response = client.post(
        f"{base}/improvements/{action.id}/tell",
        data={"channel": "phone", "words": "Thank you: we now greet every visitor."},
    )
    assert response.status_code == 302
    form_page = client.get(f"{base}/feedback/loyalty").data.decode()
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', form_page).group(1)
    response = client.post(
        f"{base}/feedback/loyalty/findings?months=12&lapsed=3",
        data={
            "form_token": token,
            **{f"{name}_{n}": "" for name in ("measure", "value") for n in (2, 3)},
            **{f"group_{n}": "poor" for n in (2, 3)},
            "text": "Lost customers",
            "measure_1": "customers_lost",
            "group_1": "poor",
            "value_1": "2",
        },
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Finding).where(Finding.survey_id.is_(None))).first()
    page = client.get(f"{base}/feedback/loyalty").data.decode()
    assert "Findings from these figures" in page and "Business lost" in page
