"""The course's roster (NRPS): the tutor sees who the course's members would become here, then
adds them once; people are matched by the platform's user id, never by email."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Group, LtiIdentity, Role, StaffAuditEntry, User
from crm_sandbox.services.errors import ServiceError
from crm_sandbox.services.lti import roster

from .linked import linked
from .platform_services import GRADER, INSTRUCTOR, LEARNER, MENTOR, TEACHING_ASSISTANT


def member(user_id, name, roles, email="", status="Active"):
    found = {"user_id": user_id, "name": name, "roles": roles, "status": status}
    if email:
        found["email"] = email
    return found


@pytest.fixture
def course(app, platform, create_user):
    """Lola (already launched, so linked and in the group) and the rest of the course, two
    to a page: new learners with and without an email, a learner whose email an unlinked
    account here uses, a teaching assistant, a grader (a role a launch does not use either),
    the teacher, someone who left, an observer (Mentor)."""
    work = linked(platform, subject="moodle-user-7")
    create_user(Role.LEARNER, email="sam@college.example.org", name="Sam Elsewhere")
    platform.members["Course-101"] = [
        member("moodle-user-7", "Lola Learner", [LEARNER], "lola@college.example.org"),
        member("moodle-user-8", "Ned New", [LEARNER], "ned@college.example.org"),
        member("moodle-user-9", "Nia Noemail", [f"{LEARNER}"]),
        member("moodle-user-10", "Sam Claimed", [LEARNER], "SAM@college.example.org"),
        member("moodle-user-11", "Tia Assistant", [INSTRUCTOR, TEACHING_ASSISTANT]),
        member("moodle-user-12", "Gus Grader", [GRADER], "gus@college.example.org"),
        member("moodle-user-13", "Tom Teacher", [INSTRUCTOR], "tom@college.example.org"),
        member("moodle-user-14", "Lee Left", [LEARNER], status="Inactive"),
        member("moodle-user-15", "Pat Parent", [MENTOR]),
    ]
    return work


def names(people) -> list[str]:
    return [p.name for p in people]


def test_the_preview_says_who_joins_as_what_and_who_is_skipped_and_why(course, platform):
    members = roster.fetch_members(course.context)
    assert len(members) == 9  # five pages, the next page's address followed as given
    made = roster.plan(course.group, course.context, members, course.group.tutor)

    assert names(made.learners) == ["Ned New", "Nia Noemail", "Sam Claimed"]
    assert [p.email_taken for p in made.learners] == [False, False, True]
    assert names(made.assessors) == ["Tia Assistant"]
    assert names(made.present) == ["Lola Learner"]
    reasons = {p.name: p.reason for p in made.skipped}
    assert reasons["Gus Grader"].startswith("no role used here")
    assert "instructor" in reasons["Tom Teacher"] and "Tess Tutor" in reasons["Tom Teacher"]
    assert reasons["Lee Left"] == "inactive on the course"
    assert reasons["Pat Parent"].startswith("no role used here")
    assert not db.session.dirty and not db.session.new  # a preview changes nothing


def test_the_import_adds_them_once_matching_by_user_id_never_by_email(course, platform):
    tutor = course.group.tutor
    members = roster.fetch_members(course.context)
    roster.import_members(course.group, course.context, members, tutor)
    db.session.commit()

    group = db.session.get(Group, course.group.id)
    assert sorted(u.name for u in group.learners) == [
        "Lola Learner",
        "Ned New",
        "Nia Noemail",
        "Sam Claimed",
    ]
    assert sorted(u.name for u in group.assessors) == ["Tia Assistant"]
    ned = db.session.scalar(select(User).where(User.name == "Ned New"))
    assert ned.email == "ned@college.example.org" and ned.role == "learner"
    nia = db.session.scalar(select(User).where(User.name == "Nia Noemail"))
    assert nia.email.endswith("@lti.example")  # no email given: one that is never delivered
    # The claimed email matched nobody: Sam Claimed is a new account with a placeholder.
    sam = db.session.scalar(select(User).where(User.email == "sam@college.example.org"))
    assert sam.name == "Sam Elsewhere" and sam not in group.learners
    claimed = db.session.scalar(select(User).where(User.name == "Sam Claimed"))
    assert claimed.email.endswith("@lti.example")
    identities = dict(db.session.execute(select(LtiIdentity.subject, LtiIdentity.user_id)).all())
    assert identities["moodle-user-10"] == claimed.id and sam.id not in identities.values()
    assert {"moodle-user-8", "moodle-user-9", "moodle-user-11"} <= set(identities)
    audit = db.session.scalars(
        select(StaffAuditEntry.verb).where(StaffAuditEntry.group_id == group.id)
    ).all()
    assert audit.count("group.learner_added") == 3 + 1  # Lola's, from the launch
    assert audit.count("group.assessor_added") == 1
    assert audit.count("lti.roster_imported") == 1

    again = roster.import_members(
        group, course.context, roster.fetch_members(course.context), tutor
    )
    db.session.commit()
    assert again.to_add == []
    assert names(again.present) == [
        "Lola Learner",
        "Ned New",
        "Nia Noemail",
        "Sam Claimed",
        "Tia Assistant",
    ]
    assert len(db.session.get(Group, group.id).learners) == 4


def test_only_the_groups_tutor_or_an_admin_imports(course, create_user):
    other = create_user(Role.TUTOR)
    with pytest.raises(ServiceError, match="group's tutor or an admin"):
        roster.import_members(course.group, course.context, [], other)


def test_a_platform_that_is_down_or_refuses_says_so_in_words(course, platform):
    platform.down = True
    with pytest.raises(ServiceError, match="could not give the course's roster .503"):
        roster.fetch_members(course.context)
    platform.down = False
    platform.allowed_scopes = {TEACHING_ASSISTANT}  # not the memberships scope
    with pytest.raises(ServiceError, match="None of the requested scopes is allowed"):
        roster.fetch_members(course.context)


# ---------------------------------------------------------------- the tutor's page


def _preview(client, group):
    page = client.get(f"/tutor/groups/{group.id}/lti/roster")
    assert page.status_code == 200
    token = re.search(r'name="members" type="hidden" value="([^"]*)"', page.text)
    return page.text, token.group(1) if token else None


def test_the_tutor_previews_then_adds_these_people_once(client, auth, course):
    group = course.group
    auth.login(group.tutor.email)
    assert "Add the course's members" in client.get(f"/tutor/groups/{group.id}").text
    page, token = _preview(client, group)
    assert "3 learners to add" in page and "1 assessor to add" in page
    assert "Add these 4 people" in page
    assert "another account here uses their email and is not matched by it" in page
    assert "inactive on the course" in page

    response = client.post(f"/tutor/groups/{group.id}/lti/roster/add", data={"members": token})
    assert response.status_code == 302
    assert client.get(response.location).text.count("Added 3 learners and 1 assessor") == 1
    db.session.rollback()
    assert len(db.session.get(Group, group.id).learners) == 4

    page, _ = _preview(client, group)
    assert "Nobody to add" in page and "5 people already in the group" in page
    client.post(f"/tutor/groups/{group.id}/lti/roster/add", data={"members": token})
    db.session.rollback()
    assert len(db.session.get(Group, group.id).learners) == 4  # the old list adds nobody again


def test_an_altered_list_adds_nobody(client, auth, course):
    group = course.group
    auth.login(group.tutor.email)
    _, token = _preview(client, group)
    response = client.post(
        f"/tutor/groups/{group.id}/lti/roster/add", data={"members": token[:-3] + "abc"}
    )
    assert response.status_code == 302
    assert "out of date" in client.get(response.location).text
    db.session.rollback()
    assert len(db.session.get(Group, group.id).learners) == 1


def test_another_tutor_reaches_neither_the_preview_nor_the_import(
    client, auth, course, create_user
):
    group = course.group
    auth.login(group.tutor.email)
    _, token = _preview(client, group)
    auth.logout()
    auth.login(create_user(Role.TUTOR).email)
    assert client.get(f"/tutor/groups/{group.id}/lti/roster").status_code == 404
    response = client.post(f"/tutor/groups/{group.id}/lti/roster/add", data={"members": token})
    assert response.status_code == 404
    db.session.rollback()
    assert len(db.session.get(Group, group.id).learners) == 1


def test_the_page_explains_a_platform_that_is_down_and_a_group_without_a_course(
    client, auth, course, platform, create_group
):
    auth.login(course.group.tutor.email)
    platform.down = True
    page = client.get(f"/tutor/groups/{course.group.id}/lti/roster")
    assert page.status_code == 200 and "try again in a few minutes" in page.text
    plain = create_group("Evening class", tutor=course.group.tutor)
    page = client.get(f"/tutor/groups/{plain.id}/lti/roster")
    assert page.status_code == 200 and "no roster to pull" in page.text
