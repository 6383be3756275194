"""A tutor imports learners from a CSV file, assigns them a scenario with a due date, watches
the progress grid change as a learner works, and resets that learner's sandbox."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from crm_sandbox.wording import date_text

from .helpers import check_accessible, crm_section, flash, open_contact, sign_in

pytestmark = pytest.mark.e2e

SCENARIO_TITLE = "Who are our customers? Internal, external and not a customer"


def test_a_tutor_imports_assigns_watches_progress_and_resets(new_page, world, tmp_path):
    tutor = new_page()
    _, tutor_email = world.person("tutor", "Tom Tutor")
    group = world.unique("Wednesday BA ")
    stem = world.unique("import")
    amira = ("Amira Khan", f"amira.{stem}@e2e-college.example.org")
    reid = ("Tom Reid", f"tom.reid.{stem}@e2e-college.example.org")
    csv_file = tmp_path / "learners.csv"
    csv_file.write_text(
        "name,email,role,group\n"
        + "".join(f"{name},{email},learner,{group}\n" for name, email in (amira, reid)),
        encoding="utf-8",
    )

    sign_in(tutor, tutor_email)
    check_accessible(tutor, "the tutor's home page")

    # Import the learners from the file, through the page.
    tutor.get_by_role("link", name="Import learners (CSV)").click()
    check_accessible(tutor, "the import page")
    tutor.get_by_label("CSV file (name,email,role,group)").set_input_files(csv_file)
    tutor.get_by_role("button", name="Import").click()
    expect(tutor.get_by_role("heading", name="Accounts created")).to_be_visible()
    expect(tutor.get_by_text(f"New group(s), owned by you: {group}.")).to_be_visible()
    accounts = tutor.get_by_role("table", name="New accounts and their first passwords")
    expect(accounts.get_by_role("row")).to_have_count(3)
    amira_row = accounts.get_by_role("row", name=re.compile(re.escape(amira[1])))
    amira_password = amira_row.get_by_role("cell").nth(3).inner_text().strip()
    assert len(amira_password) >= 8
    check_accessible(tutor, "the accounts-created page")
    tutor.get_by_role("link", name="Done").click()

    # Assign the scenario to the whole group, due in two weeks.
    due = date.today() + timedelta(days=14)
    tutor.get_by_role("link", name=group, exact=True).click()
    expect(tutor.get_by_role("table", name=f"Learners in {group}")).to_contain_text(amira[0])
    tutor.get_by_role("link", name="Assign a scenario").click()
    check_accessible(tutor, "the assign page")
    tutor.get_by_label("Scenario").select_option(label=SCENARIO_TITLE)
    expect(tutor.get_by_label("The whole group")).to_be_checked()
    tutor.get_by_label("Due date (optional; the end of that day, UTC)").fill(due.isoformat())
    tutor.get_by_role("button", name="Assign").click()
    expect(
        flash(tutor, f"Assigned '{SCENARIO_TITLE}' to {group}: 2 sandboxes provisioned.")
    ).to_be_visible()
    grid = tutor.get_by_role("table", name=re.compile("^Progress of each learner"))
    expect(
        grid.get_by_role("columnheader", name=re.compile(re.escape(SCENARIO_TITLE)))
    ).to_contain_text(f"due {date_text(due)}")
    amira_cell = grid.get_by_role("row", name=re.compile(amira[0])).get_by_role("cell")
    reid_cell = grid.get_by_role("row", name=re.compile(reid[0])).get_by_role("cell")
    expect(amira_cell).to_contain_text("Not started")
    expect(reid_cell).to_contain_text("Not started")
    check_accessible(tutor, "the progress grid")

    # Amira signs in with her first password, chooses her own, and does some of the work.
    learner = new_page()
    sign_in(learner, amira[1], amira_password)
    expect(learner.get_by_role("heading", name="Choose your own password")).to_be_visible()
    check_accessible(learner, "the forced password change")
    learner.get_by_label("The password you were given").fill(amira_password)
    learner.get_by_label("New password", exact=True).fill("Amira's own passphrase")
    learner.get_by_label("New password again").fill("Amira's own passphrase")
    learner.get_by_role("button", name="Save my new password").click()
    expect(flash(learner, "Your new password is saved.")).to_be_visible()
    learner.get_by_role("link", name=SCENARIO_TITLE).click()
    learner.get_by_role("link", name="Open this scenario's CRM").click()
    for search, name in (
        ("Ellison", "Mark Ellison"),
        ("Income", "Council Income Team (Lorraine Fisher)"),
    ):
        open_contact(learner, search, name)
        learner.get_by_label("Type of contact").select_option(label="Internal customer")
        learner.get_by_role("button", name="Save type").click()
        expect(flash(learner, f"Saved: {name} is recorded as internal customer.")).to_be_visible()
    learner.get_by_role("link", name=re.compile("^Scenario: ")).click()
    learner.get_by_role("button", name="Check my work").click()
    expect(flash(learner, "of the checks pass")).to_be_visible()
    score = re.search(r"(\d+)% of the checks pass", learner.get_by_role("status").inner_text())
    assert score and 0 < int(score.group(1)) < 100

    # The grid shows her progress and score; Tom has still not started.
    tutor.reload()
    expect(amira_cell).to_contain_text("In progress")
    expect(amira_cell).to_contain_text(f"{score.group(1)}%")
    expect(reid_cell).to_contain_text("Not started")

    # Reset her sandbox, with a reason.
    amira_cell.get_by_role("link", name="In progress").click()
    expect(tutor.get_by_role("heading", level=1)).to_have_text(SCENARIO_TITLE)
    expect(tutor.get_by_role("region", name=re.compile("^Latest check results"))).to_contain_text(
        f"{score.group(1)}%"
    )
    check_accessible(tutor, "a learner's attempt")
    tutor.get_by_role("link", name="Reset this sandbox…").click()
    check_accessible(tutor, "the reset page")
    tutor.get_by_label("Reason (recorded in the learner's action log)").fill(
        "Amira asked to start again after classifying in the wrong scenario."
    )
    tutor.get_by_role("button", name="Reset the sandbox").click()
    expect(tutor.get_by_text("Tick the box to confirm the reset.")).to_be_visible()
    tutor.get_by_label("I understand everything the learner did").check()
    tutor.get_by_role("button", name="Reset the sandbox").click()
    expect(
        flash(
            tutor,
            f"{amira[0]}'s sandbox for '{SCENARIO_TITLE}' is back at the scenario's start "
            "(logged, with your reason).",
        )
    ).to_be_visible()
    expect(tutor.get_by_role("region", name="Action log, newest first")).to_contain_text(
        "Amira asked to start again"
    )

    # In Amira's CRM, Mark Ellison is unclassified again.
    learner.get_by_role("link", name="My home").first.click()
    learner.get_by_role("link", name=SCENARIO_TITLE).click()
    learner.get_by_role("link", name="Open this scenario's CRM").click()
    crm_section(learner, "Contacts")
    learner.get_by_label("Search name, email, phone or organisation").fill("Ellison")
    learner.get_by_role("button", name="Filter").click()
    expect(
        learner.get_by_role("row", name=re.compile("Mark Ellison")).get_by_role("cell").nth(1)
    ).to_have_text("Not yet classified")
