"""Bad input typed into the browser: each gets a clear message on the page and nothing is saved
wrongly. A script typed into a note is shown as text and never runs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from crm_sandbox.models import Attempt, Complaint, Contact

from .conftest import PageWatch
from .helpers import (
    check_accessible,
    crm_section,
    flash,
    open_contact,
    procedure_step,
    sign_in,
)

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Who are our customers? Internal, external and not a customer"


@pytest.fixture
def learner_in_crm(page: Page, world):
    """A learner signed in and inside their scenario's CRM; returns the sandbox id."""
    tutor_id, _ = world.person("tutor", "Tina Tutor")
    learner_id, email = world.person("learner", "Bea Baduser")
    group_id = world.group(world.unique("Monday BA "), tutor_id, [learner_id])
    attempt_id = world.assign("who-are-our-customers", learner_id, group_id, tutor_id)
    sign_in(page, email)
    page.get_by_role("link", name=SCENARIO_TITLE).click()
    page.get_by_role("link", name="Open this scenario's CRM").click()
    return world.read(lambda s: s.get(Attempt, attempt_id).sandbox_id)


def contacts_named(world, sandbox_id: int, **where) -> int:
    def count(s):
        query = select(func.count()).select_from(Contact).where(Contact.sandbox_id == sandbox_id)
        for column, value in where.items():
            query = query.where(getattr(Contact, column) == value)
        return s.scalar(query)

    return world.read(count)


def test_an_over_long_name_and_an_invalid_email_are_refused_and_nothing_is_saved(
    page: Page, world, learner_in_crm
):
    sandbox_id = learner_in_crm
    before = contacts_named(world, sandbox_id)
    crm_section(page, "Contacts")
    page.get_by_role("link", name="Add contact").click()
    check_accessible(page, "the add-contact form")

    # The browser stops typing at the limit...
    first_name = page.get_by_label("First name")
    first_name.fill("A" * 120)
    assert len(first_name.input_value()) == 80
    # ...and a form sent without that limit (an old browser, a pasted request) is refused.
    first_name.evaluate("input => input.removeAttribute('maxlength')")
    first_name.fill("Bartholomew" * 10)
    page.get_by_label("Last name").fill("Overlong")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Field cannot be longer than 80 characters.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contact")
    assert contacts_named(world, sandbox_id, last_name="Overlong") == 0

    # An email address without a proper domain.
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Email").fill("jo.bloggs@example")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("'jo.bloggs@example' is not a valid email address")).to_be_visible()
    expect(flash(page, "Nothing was saved")).to_be_visible()
    check_accessible(page, "the add-contact form with errors")
    assert contacts_named(world, sandbox_id, last_name="Bloggs") == 0

    # Corrected, it saves.
    page.get_by_label("Email").fill("jo.bloggs@example.org")
    page.get_by_role("button", name="Save contact").click()
    expect(flash(page, "Added Jo Bloggs.")).to_be_visible()
    assert contacts_named(world, sandbox_id, last_name="Bloggs") == 1
    assert contacts_named(world, sandbox_id) == before + 1


def test_a_script_typed_into_a_note_is_shown_as_text_and_never_runs(
    page: Page, world, learner_in_crm
):
    script = "<script>alert('xss')</script><img src=x onerror=\"alert('img')\">"
    open_contact(page, "Hassan", "Tariq Hassan")
    page.get_by_role("link", name="Send a message").click()
    page.get_by_label("What the message is for").select_option(label="Service follow-up")
    page.get_by_label("Your message").fill(f"About your swim. {script}")
    page.get_by_role("button", name="Send message").click()
    timeline = page.get_by_role("region", name=re.compile("^Conversations"))
    expect(timeline.get_by_text(script)).to_be_visible()
    assert timeline.get_by_role("img").count() == 0

    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Notes").fill(f"Prefers mornings. {script}")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("region", name="Details").get_by_text(script)).to_be_visible()

    # Look at the page again after a reload: still text, and no dialog opened at any point.
    page.reload()
    expect(timeline.get_by_text(script)).to_be_visible()
    page.wait_for_timeout(300)  # give a script that might run a moment to open its dialog
    assert page.watch.dialogs == []


def test_a_complaint_closed_out_of_order_is_refused(page: Page, world, learner_in_crm):
    sandbox_id = learner_in_crm
    crm_section(page, "Complaints")
    page.get_by_role("link", name=re.compile(r"^Received \d+")).click()
    page.get_by_role("table", name="Complaints").get_by_role("link").first.click()
    reference = page.get_by_role("heading", level=1).inner_text().split(":")[0]
    reference = reference.removeprefix("Complaint ").strip()

    def step(summary: str, fills: dict[str, str], button: str, done: str):
        part = procedure_step(page, summary)
        for label, value in fills.items():
            part.get_by_label(label).fill(value)
        part.get_by_role("button", name=button).click()
        expect(flash(page, done)).to_be_visible()

    step(
        "Acknowledge",
        {"Message to the customer": "Thank you; I will reply within 5 working days."},
        "Send acknowledgement",
        f"Complaint {reference} acknowledged",
    )
    step(
        "Start investigating",
        {"Note": "Checked the booking records."},
        "Start investigating",
        f"Investigation of complaint {reference} started.",
    )
    step(
        "Record the resolution",
        {
            "Resolution (what was done)": "Refunded the session.",
            "Outcome message to the customer": "We have refunded the session.",
        },
        "Record resolution",
        f"Resolution of complaint {reference} recorded",
    )

    # The close form is open in this tab; meanwhile, in another tab, the investigation reopens.
    close = procedure_step(page, "Close")
    expect(close).to_contain_text("closing now is recorded as unconfirmed")
    close.get_by_label("If closing without confirmation").fill("No reply after two days.")
    close.get_by_label("Root cause").fill("Booking error.")
    close.get_by_label("Lessons learned").fill("Check bookings twice.")
    close.get_by_label("Close it: the complaint leaves the open list").check()

    other = page.context.new_page()
    other_watch = PageWatch(other)
    other.goto(page.url)
    reopen = procedure_step(other, "Reopen the investigation")
    reopen.get_by_label("Note").fill("The customer says the refund has not arrived.")
    reopen.get_by_role("button", name="Reopen the investigation").click()
    expect(flash(other, f"Investigation of complaint {reference} reopened.")).to_be_visible()
    other.close()
    assert other_watch.dialogs == [] and other_watch.errors == []

    close.get_by_role("button", name="Close complaint").click()
    expect(
        flash(page, "Nothing was saved: Close is not possible while the complaint is")
    ).to_be_visible()
    expect(flash(page, "record a resolution first")).to_be_visible()
    expect(page.get_by_text("Investigating", exact=True).first).to_be_visible()

    stage = world.read(
        lambda s: s.scalar(
            select(Complaint.stage).where(
                Complaint.sandbox_id == sandbox_id, Complaint.reference == reference
            )
        )
    )
    assert stage == "investigating"
