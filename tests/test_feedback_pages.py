"""The feedback pages say the real numbers: how many contacts a survey will reach before it is
sent, how many it was sent to after, and no "sent to 0 contacts" for a method nobody sends."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Survey
from crm_sandbox.services import feedback


@pytest.fixture
def crm(client, auth, provision, ctx_for):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    return sandbox, f"/s/{sandbox.id}", ctx_for(sandbox)


def consenting(sandbox, category: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Contact)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == category,
            Contact.merged_into_id.is_(None),
            Contact.consent_email.is_(True),
        )
    )


def test_the_count_before_sending_and_the_count_sent_agree_with_the_contacts(client, crm):
    sandbox, base, ctx = crm
    survey = feedback.create_survey(ctx, {"title": "How did we do?", "method": "survey"})
    feedback.add_question(ctx, survey, "rating_5", "How satisfied are you?")
    db.session.commit()
    expected = consenting(sandbox, "external")
    assert expected > 1
    page = client.get(f"{base}/feedback/{survey.id}").data.decode()
    assert f"external customers {expected} contacts" in page

    client.post(
        f"{base}/feedback/{survey.id}/send",
        data={"category": "external", "segment": "", "days_open": "10"},
    )
    page = client.get(f"{base}/feedback/{survey.id}").data.decode()
    assert f"sent to {expected} contacts." in page  # the flash, written after sending
    assert re.search(rf"sent [^<]+ to {expected} contacts", page)  # the page's header
    assert db.session.get(Survey, survey.id).recipients == expected


def test_comment_cards_are_collecting_not_sent_to_nobody(client, crm):
    sandbox, base, ctx = crm
    cards = feedback.create_survey(ctx, {"title": "Comment cards", "method": "comment_card"})
    rating = feedback.add_question(ctx, cards, "rating_5", "How was your visit?")
    feedback.record_response(ctx, cards, {rating.id: 4})
    db.session.commit()
    page = client.get(f"{base}/feedback/{cards.id}").data.decode()
    assert "collecting since" in page
    assert "0 contact" not in page


def test_anonymous_responses_are_shown_as_segment_not_given(client, crm):
    sandbox, base, ctx = crm
    cards = feedback.create_survey(ctx, {"title": "Comment cards", "method": "comment_card"})
    rating = feedback.add_question(ctx, cards, "rating_5", "How was your visit?")
    feedback.record_response(ctx, cards, {rating.id: 4})  # no contact: anonymous
    db.session.commit()
    page = client.get(f"{base}/feedback/{cards.id}/analysis").data.decode()
    table = page.split("Satisfaction by segment", 1)[1]
    assert "<td>Not given</td>" in table
    assert "None" not in table


def test_a_draft_or_open_collection_reads_what_its_forms_offer_in_the_same_statements(client, crm):
    """The send form's audience (a draft survey) and the people a response is recorded from
    (comment cards still collecting) come with the page's one statement."""
    from tests.test_statement_counts import LIMIT, statements_of

    sandbox, base, ctx = crm
    survey = feedback.create_survey(ctx, {"title": "How did we do?", "method": "survey"})
    feedback.add_question(ctx, survey, "rating_5", "How satisfied are you?")
    cards = feedback.create_survey(ctx, {"title": "Comment cards", "method": "comment_card"})
    feedback.add_question(ctx, cards, "rating_5", "How was your visit?")
    db.session.commit()
    someone = db.session.scalar(
        select(Contact)
        .where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
        .order_by(Contact.id)
        .limit(1)
    )
    assert len(statements_of(client, f"{base}/feedback/{survey.id}")) <= LIMIT
    assert len(statements_of(client, f"{base}/feedback/{cards.id}")) <= LIMIT
    page = client.get(f"{base}/feedback/{survey.id}").data.decode()
    assert f"external customers {consenting(sandbox, 'external')} contacts" in page
    page = client.get(f"{base}/feedback/{cards.id}").data.decode()
    assert f'<option value="{someone.id}">' in page and "Anonymous" in page
