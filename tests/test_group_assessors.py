"""Every group can reach an assessor: its tutor (or an admin) assigns and removes assessors on
the group's page, the assessor's queue then holds the group's submitted work, and work in a
group with no assessor is shown as such to the tutor and never promised a review."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Attempt, Role, StaffAuditEntry
from crm_sandbox.scenarios import engine
from crm_sandbox.services import assessment, groups, tutoring
from crm_sandbox.services.errors import ServiceError

SCENARIO = "first-complaint"


def reload(obj):
    db.session.rollback()
    return db.session.get(type(obj), obj.id)


@pytest.fixture
def tutor(create_user):
    return create_user(Role.TUTOR, name="Tara Tutor")


@pytest.fixture
def assessor(create_user):
    return create_user(Role.ASSESSOR, name="Asha Assessor", email="asha@college.example.org")


@pytest.fixture
def learner(create_user):
    return create_user(Role.LEARNER, name="Bea Baker", email="bea@college.example.org")


@pytest.fixture
def new_group(create_group, tutor, learner):
    """A tutor's new group: learners, no assessor."""
    return create_group("Thursday BA", tutor=tutor, learners=[learner])


def _submit(group, tutor, learner) -> Attempt:
    tutoring.assign_to_group(tutor, group, SCENARIO, [learner.id], None)
    db.session.commit()
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    engine.submit(attempt, learner, True)
    db.session.commit()
    return attempt


def _audit(verb: str) -> list[StaffAuditEntry]:
    return list(db.session.scalars(select(StaffAuditEntry).where(StaffAuditEntry.verb == verb)))


def test_new_group_then_assessor_then_submission_reaches_that_assessors_queue(
    client, auth, tutor, assessor, learner, new_group
):
    auth.login(tutor.email)
    page = client.get(f"/tutor/groups/{new_group.id}").get_data(as_text=True)
    assert "No assessor: add one so this work is reviewed." in page
    assert "Asha Assessor (asha@college.example.org)" in page  # offered in the form

    added = client.post(
        f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": str(assessor.id)}
    )
    assert added.status_code == 302
    assert assessor in reload(new_group).assessors
    row = _audit("group.assessor_added")[-1]
    assert (row.actor_id, row.group_id, row.object_id) == (tutor.id, new_group.id, assessor.id)
    assert "No assessor" not in client.get(f"/tutor/groups/{new_group.id}").get_data(as_text=True)

    attempt = _submit(reload(new_group), tutor, learner)
    assert [a.id for a in assessment.queue(assessor)] == [attempt.id]


def test_an_assessor_added_later_finds_the_groups_waiting_work_in_their_queue(
    client, auth, tutor, assessor, learner, new_group
):
    attempt = _submit(new_group, tutor, learner)
    assert assessment.queue(assessor) == []
    auth.login(tutor.email)
    page = client.get(f"/tutor/groups/{new_group.id}").get_data(as_text=True)
    assert "No assessor: add one so this work is reviewed." in page
    assert "1 submission is waiting with nobody to review it." in page
    attempt_page = client.get(f"/tutor/attempts/{attempt.id}").get_data(as_text=True)
    assert "No assessor: add one so this work is reviewed." in attempt_page
    assert "No assessor" in client.get("/tutor/").get_data(as_text=True)

    client.post(f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": str(assessor.id)})
    assert [a.id for a in assessment.queue(assessor)] == [attempt.id]
    attempt_page = client.get(f"/tutor/attempts/{attempt.id}").get_data(as_text=True)
    assert "No assessor" not in attempt_page


def test_a_learner_is_not_promised_a_review_when_their_group_has_no_assessor(
    client, auth, tutor, assessor, learner, new_group
):
    tutoring.assign_to_group(tutor, new_group, SCENARIO, [learner.id], None)
    db.session.commit()
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    auth.login(learner.email)
    before = client.get(f"/learner/scenarios/{attempt.id}").get_data(as_text=True)
    assert "none is assigned to your group yet" in before
    submitted = client.post(
        f"/learner/scenarios/{attempt.id}/submit", data={"declaration": "y"}, follow_redirects=True
    )
    page = submitted.get_data(as_text=True)
    assert "your assessor will review it" not in page
    assert "no assessor is assigned to your group yet" in page
    feedback = client.get(f"/learner/scenarios/{attempt.id}/feedback").get_data(as_text=True)
    assert "No assessor is assigned to your group yet." in feedback
    assert "waiting for your assessor" not in feedback


def test_a_learner_whose_group_has_an_assessor_is_told_their_assessor_will_review_it(
    client, auth, create_group, tutor, assessor, learner
):
    group = create_group("Friday BA", tutor=tutor, learners=[learner], assessors=[assessor])
    tutoring.assign_to_group(tutor, group, SCENARIO, [learner.id], None)
    db.session.commit()
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    auth.login(learner.email)
    submitted = client.post(
        f"/learner/scenarios/{attempt.id}/submit", data={"declaration": "y"}, follow_redirects=True
    )
    assert "your assessor will review it" in submitted.get_data(as_text=True)


def test_removing_an_assessor_takes_the_groups_work_out_of_their_queue_and_is_audited(
    client, auth, create_group, tutor, assessor, learner
):
    group = create_group("Friday BA", tutor=tutor, learners=[learner], assessors=[assessor])
    attempt = _submit(group, tutor, learner)
    assert [a.id for a in assessment.queue(assessor)] == [attempt.id]
    auth.login(tutor.email)
    removed = client.post(f"/tutor/groups/{group.id}/assessors/{assessor.id}/remove")
    assert removed.status_code == 302
    assert reload(group).assessors == []
    assert assessment.queue(assessor) == []
    row = _audit("group.assessor_removed")[-1]
    assert (row.actor_id, row.group_id, row.before) == (
        tutor.id,
        group.id,
        {"assessor": "asha@college.example.org"},
    )


def test_another_tutors_group_is_refused_with_nothing_changed(
    client, auth, create_user, create_group, assessor, new_group
):
    other = create_user(Role.TUTOR, name="Olly Other")
    kept = create_user(Role.ASSESSOR, name="Kept Assessor")
    groups.assign_assessor(new_group, kept, by=None)
    db.session.commit()
    auth.login(other.email)
    assert (
        client.post(
            f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": str(assessor.id)}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/tutor/groups/{new_group.id}/assessors/{kept.id}/remove").status_code == 404
    )
    assert [a.id for a in reload(new_group).assessors] == [kept.id]
    with pytest.raises(ServiceError, match="Only the group's tutor or an admin"):
        groups.assign_assessor(new_group, assessor, by=other)


def test_only_enabled_assessor_accounts_can_be_assigned(
    client, auth, create_user, tutor, learner, new_group
):
    auth.login(tutor.email)
    for someone in (learner, tutor, create_user(Role.ADMIN)):
        refused = client.post(
            f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": str(someone.id)}
        )
        assert refused.status_code == 400
        assert "Choose an assessor from the list." in refused.get_data(as_text=True)
    for junk in ("", "abc", "99999999999999999999", "-1"):
        refused = client.post(f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": junk})
        assert refused.status_code == 400
    assert reload(new_group).assessors == []
    assert _audit("group.assessor_added") == []


def test_an_admin_assigns_an_assessor_to_any_group_and_gives_it_another_tutor(
    client, auth, create_user, tutor, assessor, new_group
):
    admin = create_user(Role.ADMIN)
    successor = create_user(Role.TUTOR, name="Sam Successor")
    auth.login(admin.email)
    page = client.get(f"/tutor/groups/{new_group.id}").get_data(as_text=True)
    assert "Tutor (admins only)" in page
    client.post(f"/tutor/groups/{new_group.id}/assessors", data={"assessor_id": str(assessor.id)})
    client.post(f"/admin/groups/{new_group.id}/tutor", data={"tutor_id": str(successor.id)})
    group = reload(new_group)
    assert group.assessors == [assessor] and group.tutor_id == successor.id
    row = _audit("group.tutor_changed")[-1]
    assert row.before == {"tutor": tutor.email} and row.after == {"tutor": successor.email}
    assert groups.groups_for(tutor) == []
    assert [g.id for g in groups.groups_for(successor)] == [group.id]


def test_a_tutor_cannot_see_the_change_tutor_form_and_cannot_post_it(
    client, auth, create_user, tutor, new_group
):
    auth.login(tutor.email)
    assert "Tutor (admins only)" not in client.get(f"/tutor/groups/{new_group.id}").get_data(
        as_text=True
    )
    other = create_user(Role.TUTOR)
    response = client.post(f"/admin/groups/{new_group.id}/tutor", data={"tutor_id": str(other.id)})
    assert response.status_code == 403
    assert reload(new_group).tutor_id == tutor.id
