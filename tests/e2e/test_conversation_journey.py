"""A learner talks to a customer who answers back, in the browser: ask about their needs, move
the clock on, read the answer, record a need and send the summary back, move on again, and see
the customer's correction beside the need. The contact, message, complaint and dashboard pages
pass axe on the way. With CRM_SANDBOX_SHOTS=<folder> the journey saves screenshots there."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import check_accessible, crm_section, flash, procedure_step, sign_in

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("CRM_SANDBOX_SHOTS")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def next_working_day(page: Page) -> None:
    crm_section(page, "Dashboard")
    page.get_by_role("button", name="Move on to the next working day").click()
    expect(flash(page, "The sandbox clock moved on to")).to_be_visible()


def a_customer(world, sandbox_id: int) -> tuple[int, str]:
    from sqlalchemy import select

    from crm_sandbox.models import Contact

    def first(session):
        contact = session.scalars(
            select(Contact)
            .where(
                Contact.sandbox_id == sandbox_id,
                Contact.category == "external",
                Contact.merged_into_id.is_(None),
            )
            .order_by(Contact.id)
            .limit(1)
        ).one()
        return contact.id, contact.display_name

    return world.read(first)


def test_ask_move_on_read_the_answer_summarise_and_see_the_correction(page, world):
    _, email = world.person("learner", "Cara Conversation")
    sign_in(page, email)
    page.goto("/learner/crm")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    sandbox_id = int(re.search(r"/s/(\d+)/", page.url).group(1))
    contact_id, name = a_customer(world, sandbox_id)
    contact_url = f"/s/{sandbox_id}/contacts/{contact_id}"

    # Ask an open question about their needs.
    page.goto(contact_url)
    check_accessible(page, "a contact page")
    page.get_by_role("link", name="Send a message").click()
    summarising = page.get_by_role("group", name=re.compile("Summarising their needs back"))
    expect(summarising).to_be_hidden()  # the static script shows the chosen purpose's fields
    page.get_by_label("What the message is for").select_option(label="Ask about their needs")
    asking = page.get_by_role("group", name=re.compile("Asking about their needs"))
    expect(asking).to_be_visible()
    expect(summarising).to_be_hidden()
    asking.get_by_label("What you ask about").select_option(label="Other")
    asking.get_by_label("Kind of question").select_option(label="Open")
    page.get_by_label("Your message").fill("What would you need from us for your next order?")
    check_accessible(page, "the send-a-message page")
    shot(page, "0-send-a-message")
    page.get_by_role("button", name="Send message").click()
    expect(flash(page, f"Message sent to {name}.")).to_be_visible()
    conversation = page.get_by_role("region", name="Conversations")
    expect(conversation.get_by_text("awaiting", exact=True)).to_be_visible()

    # Move the clock on: the answer lands on the contact's page.
    next_working_day(page)
    next_working_day(page)
    page.goto(contact_url)
    expect(conversation.get_by_text("Answered your question").first).to_be_visible()
    shot(page, "1-the-customer-answered")

    # Record a need they never asked for, and summarise it back to them.
    needs = page.get_by_role("region", name="Needs")
    needs.get_by_label("Type of need").select_option(label="Other")
    needs.get_by_label("What the customer needs").fill("A gold-plated delivery van")
    needs.get_by_role("button", name="Record need").click()
    expect(flash(page, "Need recorded")).to_be_visible()
    expect(needs.get_by_text("not confirmed")).to_be_visible()
    expect(needs.get_by_role("link", name=re.compile("a summary of their needs"))).to_be_visible()
    page.get_by_role("link", name="Send a message").click()
    page.get_by_label("What the message is for").select_option(
        label="Confirm their needs back to them"
    )
    page.get_by_label("A gold-plated delivery van").check()
    page.get_by_label("Your message").fill("To check: you need a gold-plated delivery van.")
    page.get_by_role("button", name="Send message").click()
    expect(flash(page, f"Message sent to {name}.")).to_be_visible()

    next_working_day(page)
    next_working_day(page)
    check_accessible(page, "the dashboard with replies waiting")
    waiting = page.get_by_role("region", name="Replies waiting for you")
    expect(waiting.get_by_role("link", name=name).first).to_be_visible()
    shot(page, "2-dashboard-replies-waiting")
    page.goto(contact_url)
    expect(conversation.get_by_text("Replied to your summary of their needs").first).to_be_visible()
    expect(needs.get_by_text("The customer corrected this")).to_be_visible()
    expect(needs.get_by_text("not confirmed")).to_be_visible()  # nothing to point at for it
    check_accessible(page, "a contact page with a conversation")
    shot(page, "3-contact-the-correction")

    # A complaint's page: its thread and the procedure's forms.
    page.get_by_role("link", name="Record a complaint").click()
    page.get_by_label("What the customer is unhappy about").fill("The van never came.")
    page.get_by_role("button", name="Record complaint").click()
    expect(page.get_by_role("heading", name=re.compile("Complaint "))).to_be_visible()
    check_accessible(page, "a complaint page")
    step = procedure_step(page, "Acknowledge")
    step.get_by_label("Message to the customer").fill("Sorry: I will find out where it went.")
    step.get_by_role("button", name="Send acknowledgement").click()
    expect(flash(page, "acknowledged")).to_be_visible()
    step = procedure_step(page, "Start investigating")
    step.get_by_role("button", name="Start investigating").click()
    propose = page.get_by_role("group").filter(
        has=page.get_by_text("Propose a resolution", exact=True)
    )
    propose.get_by_text("Propose a resolution", exact=True).click()
    propose.get_by_label("Remedy").select_option(label="Redelivery")
    propose.get_by_label("Message to the customer").fill("May we deliver it again on Monday?")
    propose.get_by_role("button", name="Propose resolution").click()
    expect(flash(page, "Resolution proposed")).to_be_visible()
    step = procedure_step(page, "Record the resolution")
    step.get_by_label("Resolution (what was done)").fill("Redelivered.")
    step.get_by_label("Outcome message to the customer").fill("Your order was delivered today.")
    step.get_by_role("button", name="Record resolution").click()
    close = procedure_step(page, "Close")
    expect(close).to_contain_text("closing now is recorded as unconfirmed")
    expect(
        page.get_by_role("group").filter(
            has=page.get_by_text("Ask whether they are satisfied", exact=True)
        )
    ).to_be_visible()
    check_accessible(page, "a resolved complaint page (close and ask-satisfied forms)")
    shot(page, "4-complaint")
