"""The writing report: every message a learner sent, with its spelling, what the customer
asked and whether it was answered, its promise and whether it was kept, and anything it
discloses; on the assessor's, tutor's and EQA's attempt pages and in the evidence pack, never
for the learner; pending checks read "not judged yet" everywhere."""

from __future__ import annotations

import io
import zipfile

from crm_sandbox.extensions import db
from crm_sandbox.models import Role
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.services import assignments, evidence
from crm_sandbox.services.writing import report as writing_report

SCENARIO = "careful-reply"


def _attempt(create_user, create_group, steps=None, submit=True):
    learner = create_user(Role.LEARNER, name="Lee Learner")
    assessor = create_user(Role.ASSESSOR, name="Asa Assessor")
    tutor = create_user(Role.TUTOR, name="Tia Tutor")
    group = create_group("Writers", tutor=tutor, learners=[learner], assessors=[assessor])
    assignments.assign(SCENARIO, [learner], None, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    scenario = loader.scenario_of(attempt)
    engine.replay(attempt, scenario.model_answer if steps is None else steps)
    if submit:
        engine.submit(attempt, learner, True)
    db.session.commit()
    return attempt, learner, assessor, tutor


def test_the_report_judges_each_message_of_the_model_answer(app, create_user, create_group):
    attempt, *_ = _attempt(create_user, create_group)
    report = writing_report.for_attempt(attempt)
    first, second = report.messages
    assert first.spelling.checked and first.spelling.errors == []
    assert first.replies_to is not None
    assert {a.kind: a.status for a in first.answers} == {
        "complaint_progress": "answered",
        "next_contact": "answered",
        "other_person": "for you to judge",
    }
    assert first.promise.status == "kept" and first.disclosures == []
    assert second.promise is None
    lines = report.lines()[0]
    labels = [label for label, _ in lines.findings]
    assert labels[0] == "Spelling" and "Tone and empathy" in labels and lines.flags == 0


def test_misspellings_disclosures_and_unanswered_questions_are_flagged(
    app, create_user, create_group
):
    scenario = loader.library()[SCENARIO]
    walk = next(w for w in scenario.walkthroughs if w.id == "discloses-neighbour")
    attempt, *_ = _attempt(create_user, create_group, walk.steps)
    first = writing_report.for_attempt(attempt).lines()[0]
    assert (
        "Discloses",
        "Asha Patel: health or other special-category information about them and their complaint",
    ) in first.findings
    assert first.flags >= 1


def test_the_assessor_tutor_and_evidence_pack_show_it(app, client, auth, create_user, create_group):
    attempt, learner, assessor, tutor = _attempt(create_user, create_group)
    auth.login(assessor.email)
    page = client.get(f"/assessor/attempts/{attempt.id}").get_data(as_text=True)
    assert "Writing report" in page and "no spelling errors in" in page
    assert "they asked how their complaint is progressing: answered" in page
    auth.logout()
    auth.login(tutor.email)
    page = client.get(f"/tutor/attempts/{attempt.id}").get_data(as_text=True)
    assert "Writing report" in page
    auth.logout()
    auth.login(learner.email)
    page = client.get(f"/learner/scenarios/{attempt.id}").get_data(as_text=True)
    assert "Writing report" not in page
    pack = evidence.build_pack(learner)
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        assert any(n.endswith(".pdf") for n in z.namelist())
    gathered = evidence.gather(learner)
    assert gathered.attempts[0].writing and gathered.attempts[0].writing[0].findings


def test_a_pending_check_reads_not_judged_yet_on_every_page(
    app, client, auth, create_user, create_group
):
    attempt, learner, assessor, tutor = _attempt(create_user, create_group, steps=[], submit=False)
    engine.check_my_work(attempt, learner)
    db.session.commit()
    results = attempt.latest_results
    checks = {c["id"]: c for t in results["tasks"] for c in t["checks"]}
    assert not any(c["passed"] for c in checks.values())
    assert checks["reply-proofread"]["pending"] and checks["no-disclosure"]["pending"]
    auth.login(learner.email)
    page = client.get(f"/learner/scenarios/{attempt.id}").get_data(as_text=True)
    assert "not judged yet" in page and ">passed<" not in page
    auth.logout()
    auth.login(tutor.email)
    page = client.get(f"/tutor/attempts/{attempt.id}").get_data(as_text=True)
    assert "not judged yet" in page and ">passed<" not in page
    words = evidence.gather(learner).attempts[0].tasks()
    statuses = {status for task in words for status, _ in task.checks}
    assert "Not judged yet" in statuses and "Passed" not in statuses
