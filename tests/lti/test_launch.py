"""A resource-link launch from the platform signs the person in without a password and takes
them where they work: learners into the linked scenario in their own sandbox, instructors to
the course's group, teaching assistants to the assessor's queue."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Attempt,
    Group,
    LtiAttemptLink,
    LtiContext,
    LtiIdentity,
    LtiResourceLink,
    Role,
    Sandbox,
    User,
)

from .launching import INSTRUCTOR, launch, register

SCENARIO = "closing-the-loop"


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _user(sub: str) -> User:
    db.session.rollback()
    return db.session.scalar(
        select(User)
        .join(LtiIdentity, LtiIdentity.user_id == User.id)
        .where(LtiIdentity.subject == sub)
    )


def _course(client, platform, **kwargs):
    """The instructor opens the activity first: the course becomes a group."""
    done = launch(
        client,
        platform,
        sub="teacher-1",
        roles=INSTRUCTOR,
        name="Tess Tutor",
        email="tess@college.example.org",
        **kwargs,
    )
    assert done.response.status_code == 302, done.response.get_data(as_text=True)
    client.post("/logout")
    return done


def test_an_instructors_first_launch_makes_the_course_a_group_they_tutor(client, platform):
    register(platform)
    done = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR, name="Tess Tutor")
    tutor = _user("teacher-1")
    assert tutor.role == Role.TUTOR.value
    group = db.session.scalar(select(Group).where(Group.tutor_id == tutor.id))
    assert group.name == "Business Admin Level 3"
    context = db.session.scalar(select(LtiContext))
    assert context.group_id == group.id
    assert context.memberships_url == f"{platform.url}/nrps/course-101/memberships"
    assert done.location == f"/tutor/groups/{group.id}"
    assert client.get(done.location).status_code == 200


def test_a_learner_launched_without_a_password_lands_in_the_scenario_in_their_own_sandbox(
    client, platform
):
    register(platform)
    _course(client, platform)
    done = launch(client, platform, sub="learner-1", name="Lee Learner")
    learner = _user("learner-1")
    assert learner.role == Role.LEARNER.value and learner.must_change_password is False
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))
    assert attempt.scenario_id == SCENARIO
    assert db.session.get(Sandbox, attempt.sandbox_id).owner_id == learner.id
    assert done.location == f"/learner/scenarios/{attempt.id}"
    page = client.get(done.location)
    assert page.status_code == 200 and "Lee Learner" in page.get_data(as_text=True)
    group = db.session.scalar(select(Group))
    assert learner in group.learners
    link = db.session.scalar(select(LtiResourceLink))
    assert link.scenario_slug == SCENARIO
    assert link.lineitem_url == f"{platform.url}/ags/course-101/lineitems/link-1"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
    tie = db.session.get(LtiAttemptLink, attempt.id)
    assert tie.resource_link_pk == link.id
    assert db.session.get(LtiIdentity, tie.identity_id).subject == "learner-1"
