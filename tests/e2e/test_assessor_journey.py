"""An assessor works the queue: judges each criterion of a learner's submitted scenario, returns
one as not yet met, signs the decision off, and downloads the learner's evidence pack."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm_sandbox.models import Attempt

from .helpers import check_accessible, flash, sign_in

pytestmark = pytest.mark.e2e

# A VTCT group (the default): of the criteria this scenario names, it is judged on VTCT's two.
SCENARIO = "needs-not-wants"
SCENARIO_TITLE = "Needs, not wants: a sofa for a new flat"


def test_an_assessor_judges_returns_and_downloads_the_evidence_pack(new_page, world, tmp_path):
    page = new_page()
    tutor_id, _ = world.person("tutor", "Tess Tutor")
    assessor_id, assessor_email = world.person("assessor", "Asha Assessor")
    learner_id, learner_email = world.person("learner", "Leo Learner")
    group = world.unique("Friday BA ")
    group_id = world.group(group, tutor_id, [learner_id, assessor_id])
    attempt_id = world.assign(SCENARIO, learner_id, group_id, tutor_id)
    world.do_model_answer_and_submit(attempt_id)

    sign_in(page, assessor_email)
    queue = page.get_by_role("table", name=re.compile("submissions? waiting"))
    expect(queue.get_by_role("row", name=re.compile("Leo Learner"))).to_contain_text(SCENARIO_TITLE)
    check_accessible(page, "the assessor's queue")
    page.get_by_label("Group").select_option(label=group)
    page.get_by_role("button", name="Filter").click()
    expect(queue).to_contain_text("1 submission waiting (filtered)")

    queue.get_by_role("link", name=f"Assess Leo Learner's {SCENARIO_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SCENARIO_TITLE)
    expect(page.get_by_text("Learner's declaration:")).to_be_visible()
    check_accessible(page, "the assessment page")

    criteria = page.get_by_role("region", name="Criteria this scenario evidences")
    cards = criteria.get_by_role("article")
    count = cards.count()
    ids = [cards.nth(i).get_by_role("heading", level=3).inner_text() for i in range(count)]
    assert ids == ["3.1 (vtct.ac3)", "4.1 (vtct.ac4)"]  # only the group's, numbered
    expect(criteria).not_to_contain_text("focus.")

    # The first criterion: "not yet met" needs a comment; without one nothing is saved.
    returned = ids[0]
    card = criteria.get_by_role("article", name=returned, exact=True)
    card.get_by_role("radio", name="Not yet met").check()
    card.get_by_role("button", name=f"Record judgement on {returned}").click()
    expect(flash(page, "Say what is still missing, so the learner knows.")).to_be_visible()
    expect(card.get_by_text("Not judged yet")).to_be_visible()
    card.get_by_role("radio", name="Not yet met").check()
    card.get_by_label("Comment (needed when not yet met)").fill(
        "Explain in the booking email why the customer's need comes before her preference."
    )
    card.get_by_role("button", name=f"Record judgement on {returned}").click()
    expect(flash(page, f"Judgement on {returned} recorded.")).to_be_visible()
    expect(card.get_by_text("Not yet met", exact=True).first).to_be_visible()

    # The others are met.
    for criterion in ids[1:]:
        card = criteria.get_by_role("article", name=criterion, exact=True)
        card.get_by_role("radio", name="Met", exact=True).check()
        card.get_by_role("button", name=f"Record judgement on {criterion}").click()
        expect(flash(page, f"Judgement on {criterion} recorded.")).to_be_visible()
    expect(criteria.get_by_text("Not judged yet")).to_have_count(0)

    # The learner's evidence pack: a ZIP with a manifest whose hashes match its files.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Leo Learner's evidence pack (ZIP)").click()
    pack = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(pack)
    assert pack.suffix == ".zip"
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["learner"]["name"] == "Leo Learner"
        assert set(manifest["files"]) == {
            "report.pdf",
            "action_log.csv",
            "action_log.json",
            "xapi.jsonl",
        }
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == entry["sha256"], name
        assert zf.read("report.pdf").startswith(b"%PDF")
    verify = subprocess.run(
        [
            str(Path(sys.executable).parent / "crm-sandbox"),
            "evidence",
            "verify",
            str(pack),
            "--key-file",
            str(world.server.instance_path / "log_key"),
        ],
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # Met overall is refused while a criterion is not yet met; the work goes back instead.
    decision = page.get_by_role("region", name="Overall decision")
    decision.get_by_role("radio", name="Met", exact=True).check()
    decision.get_by_label("Feedback to the learner").fill("Nearly there.")
    decision.get_by_label("I sign this decision with my name").check()
    decision.get_by_role("button", name="Sign off decision").click()
    expect(
        page.get_by_text(
            f"cannot be met overall while a criterion is judged not yet met: {returned}"
        )
    ).to_be_visible()
    decision.get_by_role("radio", name="Not yet met").check()
    decision.get_by_label("Feedback to the learner").fill(
        "The needs you recorded are right. Say why the customer's need comes first."
    )
    decision.get_by_label("I sign this decision with my name").check()
    decision.get_by_role("button", name="Sign off decision").click()
    expect(
        flash(
            page,
            re.compile(
                rf"Leo Learner's '{re.escape(SCENARIO_TITLE)}' returned to the learner "
                "as not yet met"
            ),
        )
    ).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("submissions? waiting"))).to_have_count(0)

    assert world.read(lambda s: s.get(Attempt, attempt_id).status) == "returned"

    # Leo reads the feedback: the decision, and the comment on the criterion not yet met.
    learner = new_page()
    sign_in(learner, learner_email)
    learner.get_by_role("link", name="Read your assessor's feedback").click()
    decision_box = learner.get_by_role("region", name=re.compile("^Your assessor's decision"))
    expect(decision_box).to_contain_text("Not yet met")
    expect(decision_box).to_contain_text("Say why the customer's need comes first.")
    returned_number = returned.split()[0]  # learners read the number and what to show
    expect(learner.get_by_role("listitem").filter(has_text=returned_number)).to_contain_text(
        "Explain in the booking email why the customer's need comes before her preference."
    )
    check_accessible(learner, "the learner's feedback page")
