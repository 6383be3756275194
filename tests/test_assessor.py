"""The assessor's area: the queue, judging each criterion against the recorded evidence,
signing off or returning the work, internal quality assurance, and the learner's feedback and
criteria pages, with every permission boundary between them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm_sandbox.criteria import criteria_for_body, ref_of
from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Judgement, Role
from crm_sandbox.models.base import utcnow
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.services import assessment, assignments
from crm_sandbox.services.errors import ServiceError

SCENARIO = "first-complaint"
# Group A studies Focus Awards: of the five criteria first-complaint names (generic.ac4,
# focus.ac2, focus.ac4, vtct.ac4, icq.ac2) its work is judged on Focus's two, in number order.
CRITERIA = ["focus.ac2", "focus.ac4"]


class World:
    """Two groups, each with a learner and an assessor; a second assessor on group A, which
    studies Focus Awards (group B the default, VTCT)."""

    def __init__(self, create_user, create_group):
        self.ann = create_user(Role.LEARNER, name="Ann Learner")
        self.bob = create_user(Role.LEARNER, name="Bob Learner")
        self.asa = create_user(Role.ASSESSOR, name="Asa Assessor")
        self.iqa = create_user(Role.ASSESSOR, name="Ida Verifier")
        self.bea = create_user(Role.ASSESSOR, name="Bea Assessor")
        self.admin = create_user(Role.ADMIN, name="Ada Admin")
        self.group_a = create_group("Group A", learners=[self.ann], assessors=[self.asa, self.iqa])
        self.group_b = create_group("Group B", learners=[self.bob], assessors=[self.bea])
        self.group_a.body_id = "focus"
        db.session.commit()

    def attempt(self, learner, group, scenario=SCENARIO, model_answer=False, submit=True):
        assignments.assign(scenario, [learner], None, group_id=group.id)
        attempt = [a for a in assignments.attempts_of(learner) if a.scenario_id == scenario][0]
        if model_answer:
            engine.replay(attempt, loader.scenario_of(attempt).model_answer)
        if submit:
            engine.submit(attempt, learner, True)
        db.session.commit()
        return attempt


@pytest.fixture
def world(app, create_user, create_group):
    return World(create_user, create_group)


@pytest.fixture
def ann_work(world):
    return world.attempt(world.ann, world.group_a, model_answer=True)


def judge_all(attempt, assessor, decision="met", skip=()):
    for criterion in CRITERIA:
        if criterion not in skip:
            assessment.judge(attempt, assessor, criterion, decision, "Seen in the log.")
    db.session.commit()


# ---------------------------------------------------------------- the queue


def test_the_queue_holds_submitted_work_of_the_assessors_groups_oldest_first(world):
    newer = world.attempt(world.ann, world.group_a)
    older = world.attempt(world.ann, world.group_a, scenario="internal-request")
    world.attempt(world.ann, world.group_a, scenario="needs-not-wants", submit=False)
    other_group = world.attempt(world.bob, world.group_b)
    older.submitted_at = utcnow() - timedelta(days=5)
    db.session.commit()

    assert assessment.queue(world.asa) == [older, newer]
    assert assessment.queue(world.bea) == [other_group]
    assert assessment.queue(world.admin) == [older, newer, other_group]
    assert assessment.queue(world.ann) == []


def test_the_queue_page_filters_by_group_scenario_and_age(client, auth, world):
    recent = world.attempt(world.ann, world.group_a)
    old = world.attempt(world.bob, world.group_b, scenario="internal-request")
    old.submitted_at = utcnow() - timedelta(days=10)
    db.session.commit()
    auth.login(world.admin.email)

    def listed(query=""):
        page = client.get("/assessor/" + query).data.decode()
        return {a.id for a in (recent, old) if f"/assessor/attempts/{a.id}" in page}

    assert listed() == {recent.id, old.id}
    assert listed(f"?group={world.group_a.id}") == {recent.id}
    assert listed(f"?group={world.group_b.id}") == {old.id}
    assert listed("?scenario=internal-request") == {old.id}
    assert listed("?older_than=7") == {old.id}
    assert listed(f"?group={world.group_a.id}&older_than=7") == set()
    assert "No submission matches these filters" in client.get("/assessor/?older_than=30").text
    assert "Between 1 and 365 days" in client.get("/assessor/?older_than=0").text


def test_an_assessor_cannot_filter_the_queue_to_another_groups_work(client, auth, world):
    world.attempt(world.bob, world.group_b)
    auth.login(world.asa.email)
    page = client.get(f"/assessor/?group={world.group_b.id}").text
    assert "Not a valid choice" in page
    assert "Bob Learner" not in page


def test_an_empty_queue_explains_itself(client, auth, world, create_user):
    auth.login(world.asa.email)
    page = client.get("/assessor/").text
    assert "Nothing is waiting for you" in page and "one of your groups submits" in page
    auth.logout()
    auth.login(create_user(Role.ASSESSOR).email)
    assert "not assigned to any group yet" in client.get("/assessor/").text


# ---------------------------------------------------------------- judging and deciding


def test_the_assessment_page_shows_the_timeline_beside_criteria_checks_and_evidence(
    client, auth, world, ann_work
):
    auth.login(world.asa.email)
    page = client.get(f"/assessor/attempts/{ann_work.id}").text
    entries = engine.action_log.entries(ann_work.sandbox_id, newest_first=False)
    assert 'id="entry-1"' in page and f'id="entry-{entries[-1].seq}"' in page
    assert page.index('id="entry-1"') < page.index('id="entry-2"')  # oldest first
    assert "Submitted the work for assessment" in page and "Ann Learner (learner)" in page
    for criterion in CRITERIA:
        assert f'id="criterion-{criterion}"' in page
    check = ann_work.latest_results["tasks"][0]["checks"][0]
    assert check["id"] in page
    seq = check["evidence"][0]
    assert f'href="#entry-{seq}"' in page
    assert "The record as it was" in page and "evidence for" in page


def test_the_timeline_reads_as_words_with_money_as_money_and_no_json(client, auth, world):
    work = world.attempt(world.ann, world.group_a, scenario="escalation-stage-2", model_answer=True)
    auth.login(world.asa.email)
    page = client.get(f"/assessor/attempts/{work.id}").text
    timeline = page[page.index('id="tl-h"') : page.index('id="cr-h"')]
    assert "Told Leanne Foster the outcome of complaint C-0011 by phone call: “" in timeline
    assert "£20 to her rent account" in timeline
    assert "Escalated complaint C-0011 to a supervisor" in timeline
    assert "\\u00a3" not in timeline and "&#34;" not in timeline and "{" not in timeline
    assert "complaint.escalated" not in timeline and "interaction.logged" not in timeline


def test_each_judgement_form_sends_its_own_criterion_as_a_browser_would(
    client, auth, world, ann_work
):
    """Post exactly the hidden fields each rendered form holds (a browser sends the first of
    two fields with one name, so a second, empty criterion field would break judging)."""
    import re

    auth.login(world.asa.email)
    page = client.get(f"/assessor/attempts/{ann_work.id}").text
    forms = re.findall(r'<form method="post" action="[^"]*/judge".*?</form>', page, re.S)
    assert len(forms) == len(CRITERIA)
    for form, criterion in zip(forms, CRITERIA, strict=True):
        fields = re.findall(r'<input[^>]*type="hidden"[^>]*>', form)
        criterion_fields = [f for f in fields if 'name="criterion_id"' in f]
        assert len(criterion_fields) == 1 and f'value="{criterion}"' in criterion_fields[0]
        response = client.post(
            f"/assessor/attempts/{ann_work.id}/judge",
            data={"criterion_id": criterion, "decision": "met", "comment": "Seen."},
            follow_redirects=True,
        )
        assert f"Judgement on {ref_of(criterion)} recorded".encode() in response.data


def test_judging_each_criterion_records_a_signed_row_and_logs_it(client, auth, world, ann_work):
    auth.login(world.asa.email)
    for criterion in CRITERIA:
        response = client.post(
            f"/assessor/attempts/{ann_work.id}/judge",
            data={"criterion_id": criterion, "decision": "met", "comment": f"ok {criterion}"},
        )
        assert response.status_code == 302
    rows = list(db.session.scalars(select(Judgement).where(Judgement.attempt_id == ann_work.id)))
    assert sorted(j.criterion_id for j in rows) == sorted(CRITERIA)
    assert {j.assessor_id for j in rows} == {world.asa.id}
    assert all(j.created_at is not None for j in rows)
    logged = db.session.scalars(
        select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == ann_work.sandbox_id,
            ActionLogEntry.verb == "assessment.judged",
        )
    ).all()
    assert len(logged) == len(CRITERIA)
    assert logged[0].payload["actor"] == "Asa Assessor (assessor)"
    assert engine.action_log.verify(ann_work.sandbox_id).ok
    assert "Asa Assessor" in client.get(f"/assessor/attempts/{ann_work.id}").text


def test_not_yet_met_needs_a_comment_and_unknown_criteria_are_refused(world, ann_work):
    with pytest.raises(ServiceError, match="still missing"):
        assessment.judge(ann_work, world.asa, "focus.ac2", "not_yet_met", "  ")
    with pytest.raises(ServiceError, match="does not evidence"):
        assessment.judge(ann_work, world.asa, "focus.ac1", "met", "")
    with pytest.raises(ServiceError, match="no assessment criterion 'focus.ac9'"):
        assessment.judge(ann_work, world.asa, "focus.ac9", "met", "")
    with pytest.raises(ServiceError, match="met or not yet met"):
        assessment.judge(ann_work, world.asa, "focus.ac2", "maybe", "")


def test_the_judgement_form_shows_only_the_groups_criteria_numbered_in_assessor_wording(
    client, auth, world
):
    bob_work = world.attempt(world.bob, world.group_b, model_answer=True)  # a VTCT group
    auth.login(world.bea.email)
    page = client.get(f"/assessor/attempts/{bob_work.id}").text

    assert 'id="criterion-vtct.ac4"' in page
    assert re.search(r"<h3[^>]*>4\.1 <span[^>]*>\(vtct\.ac4\)</span></h3>", page)  # id, small
    assert "Credit responses that link specific organisational policies" in page
    assert "VTCT Skills Level 2 Diploma" in page
    for other in ("generic.ac4", "focus.ac2", "focus.ac4", "icq.ac2"):
        assert other not in page
    forms = re.findall(r'<form method="post" action="[^"]*/judge".*?</form>', page, re.S)
    assert len(forms) == 1


def test_a_judgement_on_another_bodys_criterion_is_refused_with_a_clear_message(
    client, auth, world, ann_work
):
    with pytest.raises(ServiceError, match="vtct.ac4 is not a criterion of this group's"):
        assessment.judge(ann_work, world.asa, "vtct.ac4", "met", "")
    auth.login(world.asa.email)
    response = client.post(
        f"/assessor/attempts/{ann_work.id}/judge",
        data={"criterion_id": "generic.ac4", "decision": "met", "comment": ""},
    )
    assert response.status_code == 422
    assert "generic.ac4 is not a criterion of this group&#39;s qualification" in response.text
    assert "Focus Awards" in response.text
    count = db.session.scalar(
        select(func.count()).select_from(Judgement).where(Judgement.attempt_id == ann_work.id)
    )
    assert count == 0


def test_sign_off_needs_the_groups_criteria_only_and_ignores_judgements_on_others(world, ann_work):
    # A not-yet-met judgement on another body's criterion, as recorded before the group's
    # qualification decided the criteria, neither blocks nor completes the sign-off.
    db.session.add(
        Judgement(
            attempt_id=ann_work.id,
            criterion_id="vtct.ac4",
            decision="not_yet_met",
            comment="Judged under the old form.",
            assessor_id=world.asa.id,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    with pytest.raises(ServiceError, match=r"still to judge: 4\.1 \(focus\.ac2\), 4\.2"):
        assessment.decide(ann_work, world.asa, "met", "Well done.")

    judge_all(ann_work, world.asa)
    assessment.decide(ann_work, world.asa, "met", "Well done.")
    db.session.commit()

    assert ann_work.status == "assessed"


def test_judgements_are_never_edited_a_second_one_adds_a_row_and_the_latest_counts(world, ann_work):
    first = assessment.judge(ann_work, world.asa, "focus.ac2", "not_yet_met", "No root cause.")
    db.session.commit()
    second = assessment.judge(ann_work, world.asa, "focus.ac2", "met", "Found it in entry 12.")
    db.session.commit()
    db.session.refresh(first)
    assert (first.decision, first.comment) == ("not_yet_met", "No root cause.")
    count = db.session.scalar(
        select(func.count()).select_from(Judgement).where(Judgement.attempt_id == ann_work.id)
    )
    assert count == 2
    assert assessment.current_judgements(ann_work)["focus.ac2"].id == second.id
    view = {v.criterion.id: v for v in assessment.criteria_view(ann_work)}["focus.ac2"]
    assert [j.id for j in view.history] == [first.id, second.id]
    assert view.latest.id == second.id


def test_a_decision_is_refused_until_every_criterion_has_a_judgement(client, auth, world, ann_work):
    judge_all(ann_work, world.asa, skip=("focus.ac4",))
    with pytest.raises(ServiceError, match=r"still to judge: 4\.2 \(focus\.ac4\)\."):
        assessment.decide(ann_work, world.asa, "met", "Well done.")
    auth.login(world.asa.email)
    response = client.post(
        f"/assessor/attempts/{ann_work.id}/decide",
        data={"outcome": "met", "feedback": "Well done.", "confirm": "y"},
    )
    assert response.status_code == 422
    assert "Judge every criterion before deciding" in response.text
    assert "Well done." in response.text  # the typed feedback is kept
    db.session.refresh(ann_work)
    assert ann_work.status == "submitted"


def test_met_signs_the_work_off_as_assessed_and_logs_the_decision(client, auth, world, ann_work):
    judge_all(ann_work, world.asa)
    auth.login(world.asa.email)
    response = client.post(
        f"/assessor/attempts/{ann_work.id}/decide",
        data={"outcome": "met", "feedback": "A careful, complete stage 1.", "confirm": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(ann_work)
    assert ann_work.status == "assessed" and ann_work.sandbox.read_only
    last = engine.action_log.entries(ann_work.sandbox_id, limit=1)[0]
    assert last.verb == "assessment.decided" and last.payload["after"]["outcome"] == "met"
    assert assessment.queue(world.asa) == []
    with pytest.raises(ServiceError, match="not waiting for assessment"):
        assessment.judge(ann_work, world.asa, "focus.ac2", "met", "")
    page = client.get(f"/assessor/attempts/{ann_work.id}").text
    assert "A careful, complete stage 1." in page and "Record judgement" not in page


def test_met_overall_is_refused_while_a_criterion_is_judged_not_yet_met(world, ann_work):
    judge_all(ann_work, world.asa)
    assessment.judge(ann_work, world.asa, "focus.ac2", "not_yet_met", "Late resolution.")
    with pytest.raises(ServiceError, match="focus.ac2"):
        assessment.decide(ann_work, world.asa, "met", "Good.")
    with pytest.raises(ServiceError, match="Write feedback"):
        assessment.decide(ann_work, world.asa, "not_yet_met", " ")


def test_not_yet_met_returns_the_work_with_a_writable_sandbox_to_resubmit(world, ann_work):
    judge_all(ann_work, world.asa, decision="not_yet_met")
    assessment.decide(ann_work, world.asa, "not_yet_met", "Record the lesson learned.")
    db.session.commit()
    assert ann_work.status == "returned" and ann_work.sandbox.read_only is False

    engine.check_my_work(ann_work, world.ann)  # the learner can work again
    engine.submit(ann_work, world.ann, True)
    db.session.commit()
    assert ann_work.status == "submitted" and ann_work.sandbox.read_only
    assert assessment.queue(world.asa) == [ann_work]
    # the earlier round's judgements are history: the resubmission is judged afresh
    assert assessment.current_judgements(ann_work) == {}
    with pytest.raises(ServiceError, match="Judge every criterion"):
        assessment.decide(ann_work, world.asa, "met", "Now complete.")
    judge_all(ann_work, world.asa)
    assessment.decide(ann_work, world.asa, "met", "Now complete.")
    assert ann_work.status == "assessed"
    assert len(assessment.decisions_of(ann_work)) == 2


# ---------------------------------------------------------------- quality assurance


@pytest.fixture
def decided(world, ann_work):
    judge_all(ann_work, world.asa)
    made = assessment.decide(ann_work, world.asa, "met", "Complete and in time.")
    db.session.commit()
    return made


def test_a_second_assessor_records_agreement_or_disagreement(client, auth, world, decided):
    auth.login(world.iqa.email)
    page = client.get("/assessor/quality").text
    assert f'id="decision-{decided.id}"' in page and "Complete and in time." in page
    client.post(f"/assessor/quality/{decided.id}", data={"agrees": "agree", "comment": ""})
    refused = client.post(
        f"/assessor/quality/{decided.id}", data={"agrees": "disagree"}, follow_redirects=True
    )
    assert "Say why you disagree" in refused.text
    client.post(
        f"/assessor/quality/{decided.id}",
        data={"agrees": "disagree", "comment": "icq.ac2 is thin."},
    )
    reviews = assessment.reviews_of(decided)
    assert [(r.agrees, r.comment, r.reviewer_id) for r in reviews] == [
        (True, "", world.iqa.id),
        (False, "icq.ac2 is thin.", world.iqa.id),
    ]
    assert "icq.ac2 is thin." in client.get("/assessor/quality").text


def test_the_deciding_assessor_cannot_quality_assure_their_own_decision(
    client, auth, world, decided
):
    with pytest.raises(ServiceError, match="second assessor"):
        assessment.review(decided, world.asa, True, "")
    auth.login(world.asa.email)
    assert f'id="decision-{decided.id}"' not in client.get("/assessor/quality").text
    response = client.post(
        f"/assessor/quality/{decided.id}", data={"agrees": "agree"}, follow_redirects=True
    )
    assert "second assessor" in response.text
    assert assessment.reviews_of(decided) == []


def test_an_admin_may_sample_any_decision_but_another_groups_assessor_may_not(
    client, auth, world, decided
):
    assert assessment.quality_sample(world.admin) == [decided]
    assessment.review(decided, world.admin, True, "Sampled.")
    assert assessment.quality_sample(world.bea) == []
    auth.login(world.bea.email)
    assert (
        client.post(f"/assessor/quality/{decided.id}", data={"agrees": "agree"}).status_code == 404
    )


# ---------------------------------------------------------------- the learner's view


def test_the_learner_reads_the_decision_feedback_and_judgements(client, auth, world, ann_work):
    auth.login(world.ann.email)
    assert (
        "waiting for your assessor" in client.get(f"/learner/scenarios/{ann_work.id}/feedback").text
    )
    judge_all(ann_work, world.asa)
    assessment.judge(ann_work, world.asa, "focus.ac4", "not_yet_met", "Call back within 2 hours.")
    assessment.decide(ann_work, world.asa, "not_yet_met", "Nearly there: see focus.ac4.")
    db.session.commit()
    page = client.get(f"/learner/scenarios/{ann_work.id}/feedback").text
    assert "Nearly there: see focus.ac4." in page and "Asa Assessor" in page
    assert "Call back within 2 hours." in page and "Not yet met" in page
    assert "submit it again" in page
    for criterion in criteria_for_body("focus"):
        shown = criterion.id in CRITERIA
        assert (criterion.learner_text.replace("'", "&#39;") in page) == shown, criterion.id
    assert "4.1" in page and "4.2" in page
    assert "Award credit" not in page and "vtct.ac4" not in page


def test_a_learner_cannot_read_anyone_elses_feedback(client, auth, world, ann_work):
    auth.login(world.bob.email)
    assert client.get(f"/learner/scenarios/{ann_work.id}/feedback").status_code == 404


def test_the_criteria_page_shows_not_started_working_towards_and_met(client, auth, world, ann_work):
    def status_of(criterion_id):
        rows = assessment.criteria_progress(world.ann)[0].criteria
        return {r.criterion.id: r for r in rows}[criterion_id]

    assert assessment.criteria_progress(world.ann)[0].body_id == "focus"
    assert status_of("focus.ac2").status == "working_towards"
    assert (SCENARIO_TITLE := status_of("focus.ac2").passing[0][0])
    assert status_of("focus.ac1").status == "not_started"
    auth.login(world.ann.email)
    page = client.get("/learner/criteria").text
    assert "Working towards" in page and "Not started" in page and SCENARIO_TITLE in page

    judge_all(ann_work, world.asa)
    assessment.decide(ann_work, world.asa, "met", "Well done.")
    db.session.commit()
    assert status_of("focus.ac2").status == "met"
    page = client.get("/learner/criteria").text
    assert "Judged met in" in page and "Asa Assessor" in page


def test_a_learner_with_no_group_is_told_where_criteria_come_from(client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    assert "when your tutor adds you to a group" in client.get("/learner/criteria").text


# ---------------------------------------------------------------- permission boundaries


def test_another_groups_assessor_gets_404_even_for_submitted_work(client, auth, world, ann_work):
    auth.login(world.bea.email)
    assert client.get(f"/assessor/attempts/{ann_work.id}").status_code == 404
    judged = client.post(
        f"/assessor/attempts/{ann_work.id}/judge",
        data={"criterion_id": "focus.ac2", "decision": "met"},
    )
    assert judged.status_code == 404
    decided = client.post(
        f"/assessor/attempts/{ann_work.id}/decide",
        data={"outcome": "met", "feedback": "x", "confirm": "y"},
    )
    assert decided.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Judgement)) == 0


def test_work_still_in_progress_is_not_open_to_assessors(client, auth, world):
    draft = world.attempt(world.ann, world.group_a, submit=False)
    auth.login(world.asa.email)
    assert client.get(f"/assessor/attempts/{draft.id}").status_code == 404
    auth.logout()
    auth.login(world.admin.email)
    assert client.get(f"/assessor/attempts/{draft.id}").status_code == 404


def test_an_admin_can_open_any_groups_submitted_work(client, auth, world, ann_work):
    auth.login(world.admin.email)
    assert client.get(f"/assessor/attempts/{ann_work.id}").status_code == 200


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TUTOR])
def test_other_roles_are_refused_the_assessor_pages(client, auth, create_user, role):
    # refused by role before any attempt is looked up, so no real attempt is needed
    auth.login(create_user(role).email)
    for path in ("/assessor/", "/assessor/attempts/1", "/assessor/quality"):
        assert client.get(path).status_code == 403, path
    judged = client.post(
        "/assessor/attempts/1/judge",
        data={"criterion_id": "focus.ac2", "decision": "met"},
    )
    assert judged.status_code == 403


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.TUTOR, Role.ADMIN])
def test_staff_are_refused_the_learners_feedback_pages(client, auth, create_user, role):
    auth.login(create_user(role).email)
    assert client.get("/learner/scenarios/1/feedback").status_code == 403
    assert client.get("/learner/criteria").status_code == 403


def test_the_assessor_downloads_the_learners_evidence_pack_only_for_visible_work(
    client, auth, create_user, create_group, app
):
    import io
    import zipfile

    from crm_sandbox.models import Role
    from crm_sandbox.scenarios import engine
    from crm_sandbox.services import assignments

    learner, assessor = create_user(Role.LEARNER), create_user(Role.ASSESSOR)
    outsider = create_user(Role.ASSESSOR)
    group = create_group("Evidence group", learners=[learner], assessors=[assessor])
    assignments.assign("first-complaint", [learner], set_by=group.tutor, group_id=group.id)
    attempt = assignments.attempts_of(learner)[0]
    engine.submit(attempt, learner, True)
    from crm_sandbox.extensions import db

    db.session.commit()
    auth.login(assessor.email)
    response = client.get(f"/assessor/attempts/{attempt.id}/evidence.zip")
    assert response.status_code == 200
    assert "report.pdf" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    auth.logout()
    auth.login(outsider.email)
    assert client.get(f"/assessor/attempts/{attempt.id}/evidence.zip").status_code == 404


def pack_attempt_ids(data: bytes) -> list[int]:
    import io
    import json
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        return sorted(a["attempt_id"] for a in json.loads(pack.read("manifest.json"))["attempts"])


def test_an_assessors_pack_holds_only_their_groups_handed_in_work_the_learners_holds_all(
    client, auth, world
):
    """Ann is in group A and (an admin put her there) group B. Group B's assessor's pack of
    Ann holds group B's submitted work only: not group A's, not work still in progress."""
    from crm_sandbox.services import groups

    groups.add_member(world.group_b, world.ann, by=world.admin)
    in_a = world.attempt(world.ann, world.group_a)
    in_b = world.attempt(world.ann, world.group_b, scenario="internal-request")
    working_b = world.attempt(world.ann, world.group_b, scenario="needs-not-wants", submit=False)

    auth.login(world.bea.email)
    response = client.get(f"/assessor/attempts/{in_b.id}/evidence.zip")
    assert response.status_code == 200
    assert pack_attempt_ids(response.data) == [in_b.id]
    assert client.get(f"/assessor/attempts/{in_a.id}/evidence.zip").status_code == 404
    queue = client.get("/assessor/").data.decode()
    assert f"/assessor/attempts/{in_b.id}" in queue
    assert f"/assessor/attempts/{in_a.id}" not in queue and "Group A" not in queue
    auth.logout()

    auth.login(world.ann.email)
    own = client.get("/learner/evidence.zip")
    assert pack_attempt_ids(own.data) == sorted([in_a.id, in_b.id, working_b.id])


def test_work_set_to_a_learner_personally_names_only_a_group_the_assessor_sees(world):
    """Work set from the command line to one learner (no group) shows, as its group, the
    first of the learner's groups the assessor sees, never the other group's name."""
    from crm_sandbox.services import groups

    groups.add_member(world.group_b, world.ann, by=None)
    assignments.assign(SCENARIO, [world.ann], None)
    personal = assignments.attempts_of(world.ann)[0]
    engine.submit(personal, world.ann, True)
    db.session.commit()
    assert assessment.group_of(personal, world.bea).name == "Group B"
    assert assessment.group_of(personal, world.asa).name == "Group A"
