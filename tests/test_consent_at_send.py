"""Consent at the moment of contact, from the service and the page: each message's log entry
carries the consent the customer had then; a message may name the customer's order (a service
message); the form shows the consent and warns, never refuses, on marketing without it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Contact, Interaction
from crm_sandbox.services import contacts, conversations, loyalty
from crm_sandbox.services.errors import ServiceError


def external(sandbox, skip=0) -> Contact:
    return db.session.scalars(
        select(Contact)
        .where(
            Contact.sandbox_id == sandbox.id,
            Contact.category == "external",
            Contact.merged_into_id.is_(None),
        )
        .order_by(Contact.id)
        .offset(skip)
        .limit(1)
    ).one()


def logged_after(interaction: Interaction) -> dict:
    entry = db.session.scalars(
        select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == interaction.sandbox_id,
            ActionLogEntry.verb == "interaction.logged",
            ActionLogEntry.object_id == interaction.id,
        )
    ).one()
    return entry.payload["after"]


def test_the_log_keeps_the_consent_as_it_was_when_the_message_was_sent(provision, ctx_for):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    customer = external(sandbox)
    contacts.set_consent(ctx, customer, {"email": False, "phone": True})
    sent = conversations.send_message(
        ctx, customer, {"channel": "email", "purpose": "marketing", "summary": "Our offer"}
    )
    contacts.set_consent(ctx, customer, {"email": True})
    assert logged_after(sent)["consent"]["email"] is False
    assert logged_after(sent)["consent"]["phone"] is True


def test_a_message_names_one_of_the_customers_own_orders(provision, ctx_for):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    customer, other = external(sandbox), external(sandbox, 1)
    theirs = loyalty.record_order(ctx, customer, {"kind": "order", "description": "A kettle"})
    data = {"channel": "email", "purpose": "follow_up", "summary": "Is the kettle working?"}
    sent = conversations.send_message(ctx, customer, {**data, "order": theirs})
    assert sent.details == {"order_id": theirs.id}
    assert logged_after(sent)["details"] == {"order_id": theirs.id}
    with pytest.raises(ServiceError, match="another customer's"):
        conversations.send_message(ctx, other, {**data, "order": theirs})
    with pytest.raises(ServiceError, match="Choose the order"):
        conversations.send_message(ctx, customer, {**data, "order": "x"})


def test_the_warning_is_for_marketing_without_consent_on_that_channel(provision, ctx_for):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    customer = external(sandbox)
    contacts.set_consent(ctx, customer, {"email": True, "phone": False})
    assert conversations.consent_warning(customer, "email", "marketing") == ""
    assert "has not consented to marketing by phone" in conversations.consent_warning(
        customer, "phone", "marketing"
    )
    assert "no consent for marketing on this channel" in conversations.consent_warning(
        customer, "social", "marketing"
    )
    assert conversations.consent_warning(customer, "phone", "follow_up") == ""
    assert conversations.consent_warning(customer, "meeting", "marketing") == ""


def test_the_form_shows_consent_and_orders_and_warns_but_sends(client, auth, provision, ctx_for):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    ctx = ctx_for(sandbox)
    customer = external(sandbox)
    contacts.set_consent(ctx, customer, {"email": False, "phone": False, "post": False})
    made = loyalty.record_order(
        ctx,
        customer,
        {
            "kind": "order",
            "description": "Garden bench",
            "placed_on": (ctx.now() - timedelta(days=3)).date(),
        },
    )
    db.session.commit()
    url = f"/s/{sandbox.id}/contacts/{customer.id}/messages/new"
    page = client.get(url).text
    assert "Consent on this record now" in page and "Garden bench" in page
    sent = client.post(
        url,
        data={"channel": "email", "purpose": "marketing", "summary": "Our offer"},
        follow_redirects=True,
    )
    assert sent.status_code == 200
    assert "has not consented to marketing by email" in sent.text
    followed = client.post(
        url,
        data={
            "channel": "email",
            "purpose": "follow_up",
            "summary": "All well?",
            "order": str(made.id),
        },
    )
    assert followed.status_code == 302
    db.session.rollback()
    last = db.session.scalars(
        select(Interaction)
        .where(Interaction.contact_id == customer.id, Interaction.purpose == "follow_up")
        .order_by(Interaction.id.desc())
    ).first()
    assert last.details == {"order_id": made.id}
