"""A learner works a scenario in the browser, from signing in to submitting it.

The scenario is `who-are-our-customers` (classify seven new records, record needs apart from
preferences, confirm the school's need before emailing the booking). The learner first makes the
common mistake its feedback names (colleagues and departments not treated as internal
customers), reads that feedback after "Check my work", fixes it, checks again and passes. In the
same CRM they also take a complaint through acknowledgement and escalation, which the scenario
does not check.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import PASSWORD
from .helpers import check_accessible, crm_section, flash, open_contact, procedure_step

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Who are our customers? Internal, external and not a customer"


def classify(page: Page, name: str, as_type: str) -> None:
    """On the open contact's page, set who they are."""
    page.get_by_label("Type of contact").select_option(label=as_type)
    page.get_by_role("button", name="Save type").click()
    expect(flash(page, f"Saved: {name} is recorded as {as_type.lower()}.")).to_be_visible()


def set_lifecycle(page: Page, name: str, stage: str) -> None:
    """On the open contact's page, record where the customer is in their relationship."""
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Lifecycle stage (external customers)").select_option(label=stage)
    page.get_by_role("button", name="Save contact").click()
    expect(flash(page, f"Details of {name} saved.")).to_be_visible()


def ask_about(page: Page, topic: str, kind: str, words: str) -> None:
    """Ask the open contact a question about their needs (the Ask button in the Needs box)."""
    page.get_by_role("region", name="Needs").get_by_role("link", name="Ask").click()
    expect(page.get_by_label("What the message is for")).to_have_value("ask_needs")
    page.get_by_label("What you ask about").select_option(label=topic)
    page.get_by_label("Kind of question").select_option(label=kind)
    page.get_by_label("Your message").fill(words)
    page.get_by_role("button", name="Send message").click()
    expect(flash(page, "Message sent to")).to_be_visible()


def record_need(page: Page, text: str, need_type: str = "Information") -> None:
    page.get_by_label("Type of need").select_option(label=need_type)
    page.get_by_label("What the customer needs").fill(text)
    page.get_by_role("button", name="Record need").click()
    expect(page.get_by_role("region", name="Needs").get_by_text(text)).to_be_visible()


def record_preference(page: Page, text: str, pref_type: str = "Other") -> None:
    page.get_by_label("Type of preference").select_option(label=pref_type)
    page.get_by_label("What the customer would prefer").fill(text)
    page.get_by_role("button", name="Record preference").click()
    expect(page.get_by_role("region", name="Preferences").get_by_text(text)).to_be_visible()


def check_my_work(page: Page) -> None:
    page.get_by_role("button", name="Check my work").click()
    expect(flash(page, "of the checks pass")).to_be_visible()


def task_card(page: Page, title: str):
    return page.get_by_role("region", name=re.compile(re.escape(title)))


def test_a_learner_works_a_scenario_from_brief_to_submission(page: Page, world):
    tutor_id, _ = world.person("tutor", "Tara Tutor")
    learner_id, email = world.person("learner", "Lena Learner")
    group_id = world.group(world.unique("Tuesday BA "), tutor_id, [learner_id])
    world.assign("who-are-our-customers", learner_id, group_id, tutor_id)

    # Sign in with the keyboard alone: the email field has the focus, Tab moves on, Enter sends.
    page.goto("/login")
    check_accessible(page, "the sign-in page")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Lena Learner")).to_be_visible()
    check_accessible(page, "the learner's home page")

    # Open the assigned scenario and read the brief.
    page.get_by_role("link", name=SCENARIO_TITLE).click()
    brief = page.get_by_role("region", name="Brief")
    expect(brief).to_contain_text("Millbrook Leisure Centre")
    expect(brief.get_by_role("table")).to_contain_text("Brightshine Cleaning Services Ltd")
    expect(page.get_by_text("Press as often as you like")).to_be_visible()
    check_accessible(page, "the scenario page")

    page.get_by_role("link", name="Open this scenario's CRM").click()
    expect(page.get_by_role("navigation", name="CRM sections")).to_be_visible()
    check_accessible(page, "the CRM dashboard")

    # Open each new record once: classify it (making the common mistake with the two internal
    # customers) and record its needs apart from its preferences.
    open_contact(page, "Ellison", "Mark Ellison")
    check_accessible(page, "a contact page")
    classify(page, "Mark Ellison", "External customer")
    record_need(page, "Faults logged with the exact location and the time reported.")
    income = "Council Income Team (Lorraine Fisher)"
    open_contact(page, "Income", income)
    classify(page, income, "Not a customer")
    record_need(page, "Every direct debit change sent with the member number and the reason.")
    open_contact(page, "Hassan", "Tariq Hassan")
    classify(page, "Tariq Hassan", "External customer")
    set_lifecycle(page, "Tariq Hassan", "Retention")
    ask_about(page, "Accessibility", "Open", "Is there anything we need to have ready for you?")
    record_need(
        page,
        "The pool hoist and the accessible changing room ready when he swims.",
        "Accessibility",
    )
    record_preference(page, "Prefers the 7am swim slot.")
    for search, name in (
        ("Brightshine", "Brightshine Cleaning Services Ltd (Gemma Ward)"),
        ("Pryce", "Owen Pryce"),
        ("Kelly", "Kelly Morgan"),
    ):
        open_contact(page, search, name)
        classify(page, name, "Not a customer")
    school = "Millbrook Primary School (Rachel Ellis)"
    open_contact(page, "Primary", school)
    classify(page, school, "External customer")
    set_lifecycle(page, school, "Acquisition")
    lifeguard = "Lifeguard cover confirmed in writing for every session of the swimming block."
    record_need(page, lifeguard)
    record_preference(page, "Would like Mr Boyd to teach the group again.")

    # Summarise the need back to her, wait for her reply, confirm the need by pointing at it,
    # then email the booking.
    page.get_by_role("link", name="Summarise needs").click()
    check_accessible(page, "the send-a-message form")
    expect(page.get_by_label("What the message is for")).to_have_value("confirm_needs")
    page.get_by_label("Channel").select_option(label="Email")
    page.get_by_label(lifeguard).check()
    page.get_by_label("Your message").fill(
        "To check I have it right: you need lifeguard cover confirmed in writing for every "
        "session, for your insurance. Is that right?"
    )
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school)
    conversations = page.get_by_role("region", name=re.compile("^Conversations"))
    expect(conversations).to_contain_text("you need lifeguard cover confirmed in writing")
    needs = page.get_by_role("region", name="Needs")
    expect(needs.get_by_text("not confirmed")).to_be_visible()
    expect(needs.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)

    crm_section(page, "Dashboard")
    page.get_by_role("button", name="Move on to the next working day").click()
    waiting = page.get_by_role("region", name="Replies waiting for you")
    waiting.get_by_role("link", name=school).first.click()
    expect(conversations).to_contain_text("Replied to your summary of their needs")
    needs.get_by_role("button", name=f"Confirm need: {lifeguard}").click()
    expect(needs.get_by_text("confirmed", exact=True)).to_be_visible()
    expect(needs).to_contain_text("the customer's reply")

    page.get_by_role("link", name="Send a message").click()
    page.get_by_label("Channel").select_option(label="Email")
    page.get_by_label("What the message is for").select_option(label="Service follow-up")
    page.get_by_label("Your message").fill(
        "Confirmed the Year 4 swimming block, Tuesdays 10:00-11:00, with a lifeguard on duty "
        "for every session, in writing as the school's insurance requires."
    )
    page.get_by_role("button", name="Send message").click()
    expect(conversations).to_contain_text("with a lifeguard on duty for every session")

    # A complaint in the same CRM: acknowledge it, then escalate it with the procedure's reason.
    crm_section(page, "Complaints")
    page.get_by_role("link", name=re.compile(r"^Received \d+")).click()
    page.get_by_role("table", name="Complaints").get_by_role("link").first.click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"^Complaint \S+: "))
    reference = re.escape(heading.inner_text().split(":")[0].removeprefix("Complaint "))
    check_accessible(page, "a complaint page")
    acknowledge = procedure_step(page, "Acknowledge")
    acknowledge.get_by_label("Message to the customer").fill(
        "Thank you for telling us. I am looking into this and will reply within 5 working days."
    )
    acknowledge.get_by_role("button", name="Send acknowledgement").click()
    expect(flash(page, re.compile(rf"Complaint {reference} acknowledged\b"))).to_be_visible()
    expect(page.get_by_role("region", name="History")).to_contain_text("acknowledged")
    escalate = procedure_step(page, re.compile("^Escalate to"))
    escalate.get_by_label("The procedure's reason for escalating").select_option(index=1)
    escalate.get_by_label("Why, in your own words").fill(
        "The customer is not satisfied and asked for a manager to review it."
    )
    escalate.get_by_role("button", name="Escalate").click()
    expect(flash(page, re.compile(rf"Complaint {reference} escalated\b"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Level: Supervisor|Level: Manager"))).to_be_visible()

    # Check my work: the classification task is not yet right, and the feedback says why.
    page.get_by_role("link", name=re.compile("^Scenario: ")).click()
    check_my_work(page)
    classify_task = task_card(page, "Classify the seven new records")
    expect(classify_task.get_by_text("not yet", exact=True)).to_have_count(1)
    # the feedback teaches where to look, without naming the records or the answer
    expect(classify_task).to_contain_text("is this person or team part of our own organisation")
    expect(classify_task).not_to_contain_text("Council Income Team are internal")
    expect(task_card(page, "Confirm the school's need")).not_to_contain_text("not yet")
    expect(page.get_by_role("region", name="Check my work")).not_to_contain_text("100%")
    check_accessible(page, "the scenario page with check results")

    # Fix the gap: both are internal customers.
    page.get_by_role("link", name="Open this scenario's CRM").click()
    open_contact(page, "Ellison", "Mark Ellison")
    classify(page, "Mark Ellison", "Internal customer")
    open_contact(page, "Income", income)
    classify(page, income, "Internal customer")

    page.get_by_role("link", name=re.compile("^Scenario: ")).click()
    check_my_work(page)
    expect(page.get_by_text("not yet", exact=True)).to_have_count(0)
    expect(page.get_by_role("region", name="Check my work")).to_contain_text("100%")
    # three classification checks and the two lifecycle stages
    expect(classify_task.get_by_text("passed", exact=True)).to_have_count(5)

    # Submit with the declaration, by keyboard: Space ticks the box, Tab, Enter.
    declaration = page.get_by_label("I declare that this work is my own")
    declaration.focus()
    page.keyboard.press("Space")
    expect(declaration).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit my work")).to_be_focused()
    page.keyboard.press("Enter")
    expect(flash(page, f"Submitted '{SCENARIO_TITLE}'. Its CRM is now read-only")).to_be_visible()
    # The group has no assessor yet: the learner is told so, not promised a review.
    expect(page.get_by_text("No assessor is assigned to your group yet").last).to_be_visible()
    expect(page.get_by_role("button", name="Check my work")).to_have_count(0)

    # The scenario's CRM is read-only now.
    page.get_by_role("link", name="Open this scenario's CRM").click()
    expect(page.get_by_text("read-only", exact=True)).to_be_visible()
