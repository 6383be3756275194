"""Beyond the journeys: every other main page of each role, reached through the navigation,
has no serious or critical accessibility problem (axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import check_accessible, crm_section, flash, sign_in

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Who are our customers? Internal, external and not a customer"


def test_the_learners_crm_sections_and_criteria_page_pass_axe(page, world):
    tutor_id, _ = world.person("tutor", "Sid Sweep")
    learner_id, email = world.person("learner", "Sue Sweep")
    group_id = world.group(world.unique("Sweep BA "), tutor_id, [learner_id])
    world.assign("who-are-our-customers", learner_id, group_id, tutor_id)
    sign_in(page, email)
    page.get_by_role("link", name="My progress against the criteria").click()
    check_accessible(page, "the learner's criteria page")
    page.get_by_role("link", name="My home").first.click()
    page.get_by_role("link", name=SCENARIO_TITLE).click()
    page.get_by_role("link", name="Open this scenario's CRM").click()
    for section in (
        "Dashboard",
        "Contacts",
        "Complaints",
        "Service standards",
        "Feedback",
        "Organisation & policies",
        "My action log",
        "Reset sandbox",
    ):
        crm_section(page, section)
        expect(page.get_by_role("link", name=section, exact=True).first).to_have_attribute(
            "aria-current", "page"
        )
        check_accessible(page, f"the CRM's {section} page")


def test_the_tutor_assessor_and_admin_pages_pass_axe(new_page, world):
    tutor_id, tutor_email = world.person("tutor", "Tim Sweep")
    assessor_id, assessor_email = world.person("assessor", "Ava Sweep")
    _, admin_email = world.person("admin", "Ada Sweep")
    group = world.unique("Sweep group ")
    world.group(group, tutor_id, [assessor_id])

    tutor = new_page()
    sign_in(tutor, tutor_email)
    tutor.get_by_role("link", name=group, exact=True).click()
    check_accessible(tutor, "a tutor's group page")
    # Its two forms each have a name field; each label names its own.
    tutor.get_by_label("New name").fill(f"{group} (renamed)")
    tutor.get_by_role("button", name="Rename").click()
    expect(flash(tutor, f"The group is now called '{group} (renamed)'.")).to_be_visible()
    tutor.get_by_role("link", name="Scenarios", exact=True).first.click()
    check_accessible(tutor, "the tutor's scenarios page")
    tutor.get_by_role("link", name="Scenario library").click()
    check_accessible(tutor, "the scenario library")
    tutor.get_by_role("link", name=f"Read {SCENARIO_TITLE}").click()
    expect(tutor.get_by_role("heading", name="Brief")).to_be_visible()
    check_accessible(tutor, "a library scenario, as a learner reads it")
    tutor.get_by_role("link", name="Scenarios", exact=True).first.click()
    tutor.get_by_role("link", name="Write or upload a scenario").click()
    check_accessible(tutor, "the scenario upload page")
    tutor.get_by_role("link", name="Groups", exact=True).click()
    tutor.get_by_role("link", name="New group").click()
    check_accessible(tutor, "the new-group page")

    assessor = new_page()
    sign_in(assessor, assessor_email)
    assessor.get_by_role("link", name="Quality assurance").click()
    check_accessible(assessor, "the quality-assurance page")

    admin = new_page()
    sign_in(admin, admin_email)
    expect(admin.get_by_role("heading", name="Administration")).to_be_visible()
    check_accessible(admin, "the admin's home page")
    admin.get_by_role("link", name="Staff audit log").click()
    expect(admin.get_by_role("cell", name="Group renamed").first).to_be_visible()
    check_accessible(admin, "the staff audit log")
    for link, page_name in (
        ("Users", "the admin's user list"),
        ("Create an account", "the admin's new-account page"),
        ("Groups", "the admin's group list"),
        ("Backup", "the admin's backup page"),
    ):
        admin.get_by_role("link", name=link, exact=True).first.click()
        check_accessible(admin, page_name)
