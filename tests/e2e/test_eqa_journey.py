"""In Chromium: an admin grants an EQA a group for a period; an IQA sets a sampling plan for
the group's assessor and reviews a sampled decision; the EQA signs in, reads the plan, the
sample and the work read-only and downloads the evidence pack. Every new page passes axe."""

from __future__ import annotations

import datetime
import zipfile

import pytest

from .helpers import check_accessible, flash, sign_in

pytestmark = pytest.mark.e2e


def test_an_eqa_granted_a_group_reads_its_sample_and_downloads_a_pack(new_page, world, tmp_path):
    from playwright.sync_api import expect

    tutor_id, _ = world.person("tutor", "Tess Tutor")
    learner_id, _ = world.person("learner", "Lee Learner")
    assessor_id, _ = world.person("assessor", "Asa Decider")
    iqa_id, iqa_email = world.person("assessor", "Ida Sampler")
    _, eqa_email = world.person("eqa", "Eve Verifier")
    _, admin_email = world.person("admin", "Ada Granter")
    group = world.unique("EQA group ")
    group_id = world.group(group, tutor_id, [learner_id, assessor_id, iqa_id])
    attempt_id = world.assign("first-complaint", learner_id, group_id, tutor_id)
    world.do_model_answer_and_submit(attempt_id)

    def decide(session):
        from crm_sandbox.criteria import criteria_for_attempt
        from crm_sandbox.models import Attempt, User
        from crm_sandbox.services import assessment

        attempt = session.get(Attempt, attempt_id)
        assessor = session.get(User, assessor_id)
        for criterion in criteria_for_attempt(attempt):
            assessment.judge(attempt, assessor, criterion.id, "met", "Seen in the log.")
        assessment.decide(attempt, assessor, "met", "Acknowledged and resolved in time.")

    with world.session() as session:
        decide(session)

    admin = new_page()
    sign_in(admin, admin_email)
    admin.get_by_role("link", name="EQA access").first.click()
    check_accessible(admin, "the admin's EQA access page")
    admin.get_by_label("External quality assurer").select_option(
        label=f"Eve Verifier ({eqa_email})"
    )
    admin.get_by_label("Group").select_option(label=group)
    today = datetime.date.today()
    admin.get_by_label("From (first day)").fill(str(today))
    admin.get_by_label("Until (last day)").fill(str(today + datetime.timedelta(days=7)))
    admin.get_by_role("button", name="Grant read-only access").click()
    expect(flash(admin, f"Eve Verifier may read {group}")).to_be_visible()

    iqa = new_page()
    sign_in(iqa, iqa_email)
    iqa.get_by_role("link", name="Sampling plans").click()
    check_accessible(iqa, "the IQA's sampling plans page")
    iqa.get_by_role("link", name="Asa Decider").click()
    iqa.get_by_label("The sampling percentage").fill("100")
    iqa.get_by_role("button", name="Save the sampling plan").click()
    expect(flash(iqa, "Sampling plan for Asa Decider saved.")).to_be_visible()
    check_accessible(iqa, "an assessor's sampling plan and sample")
    iqa.get_by_label("Agree").first.check()
    iqa.get_by_role("button", name="Record review").first.click()
    expect(iqa.get_by_text("1 reviewed")).to_be_visible()

    eqa = new_page()
    sign_in(eqa, eqa_email)
    expect(eqa.get_by_role("heading", name=group)).to_be_visible()
    check_accessible(eqa, "the EQA's home page")
    eqa.get_by_role("link", name="Asa Decider").click()
    expect(eqa.get_by_text("Agrees")).to_be_visible()
    check_accessible(eqa, "the EQA's view of a sample")
    eqa.get_by_role("link", name="Granted groups").first.click()
    eqa.get_by_role("link", name="Open Lee Learner's").click()
    expect(eqa.get_by_text("Acknowledged and resolved in time.")).to_be_visible()
    check_accessible(eqa, "the EQA's view of a piece of work")
    with eqa.expect_download() as download:
        eqa.get_by_role("link", name="Download Lee Learner's evidence pack").click()
    saved = tmp_path / "pack.zip"
    download.value.save_as(saved)
    assert "report.pdf" in zipfile.ZipFile(saved).namelist()
