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

from .launching import ADMINISTRATOR, INSTRUCTOR, TEACHING_ASSISTANT, launch, register

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
    assert context.memberships_url == platform.memberships_url("course-101")
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
    assert link.lineitem_url == f"{platform.url}/lineitems/course-101/1"
    assert link.lineitems_url == platform.lineitems_url("course-101")
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in link.ags_scopes
    tie = db.session.get(LtiAttemptLink, attempt.id)
    assert tie.resource_link_pk == link.id
    assert db.session.get(LtiIdentity, tie.identity_id).subject == "learner-1"


def test_a_second_launch_reuses_the_account_the_group_and_the_attempt(client, platform):
    register(platform)
    _course(client, platform)
    first = launch(client, platform, sub="learner-1")
    client.post("/logout")
    counts = {m: _count(m) for m in (User, Group, Attempt, Sandbox, LtiIdentity, LtiAttemptLink)}
    second = launch(client, platform, sub="learner-1")
    assert second.location == first.location
    assert {m: _count(m) for m in counts} == counts
    assert _user("learner-1").must_change_password is False


def test_a_platform_email_never_matches_an_existing_account(client, platform, create_user):
    register(platform)
    _course(client, platform)
    existing = create_user(Role.LEARNER, email="lee.learner@college.example.org", name="Real Lee")
    done = launch(client, platform, sub="learner-1", email="LEE.learner@college.example.org")
    assert done.response.status_code == 302
    newcomer = _user("learner-1")
    assert newcomer.id != existing.id
    assert newcomer.email.endswith("@lti.example") and newcomer.email.startswith("lti-")
    assert (
        db.session.scalar(
            select(func.count()).select_from(Attempt).where(Attempt.learner_id == existing.id)
        )
        == 0
    )


def test_a_new_account_keeps_a_free_platform_email_as_its_contact_address(client, platform):
    register(platform)
    _course(client, platform)
    launch(client, platform, sub="learner-2", email="new.person@college.example.org")
    assert _user("learner-2").email == "new.person@college.example.org"


def test_the_same_sub_on_another_platform_is_another_person(client, platform):
    from .platform import Platform

    register(platform)
    _course(client, platform)
    launch(client, platform, sub="learner-1")
    client.post("/logout")
    with Platform("Other Moodle") as other:
        register(other)
        _course(client, other)
        launch(client, other, sub="learner-1")
    assert _count(LtiIdentity) == 4
    assert len({i.user_id for i in db.session.scalars(select(LtiIdentity))}) == 4


def test_a_learner_before_the_instructor_is_told_their_tutor_must_open_it_first(client, platform):
    register(platform)
    done = launch(client, platform, sub="learner-1")
    assert done.response.status_code == 403
    assert "Your tutor must open this activity first" in done.response.get_data(as_text=True)
    assert _count(User) == 0 and _count(Group) == 0
    assert "/learner" not in client.get("/").headers.get("Location", "")


def test_a_teaching_assistant_becomes_the_groups_assessor_and_lands_on_the_queue(client, platform):
    register(platform)
    _course(client, platform)
    done = launch(client, platform, sub="ta-1", roles=TEACHING_ASSISTANT, name="Ada Assessor")
    assessor = _user("ta-1")
    assert assessor.role == Role.ASSESSOR.value
    assert assessor in db.session.scalar(select(Group)).assessors
    assert done.location == "/assessor/"
    assert client.get(done.location).status_code == 200


def test_a_platform_administrator_is_not_an_admin_here(client, platform):
    register(platform)
    _course(client, platform)
    done = launch(client, platform, sub="admin-1", roles=ADMINISTRATOR)
    assert done.response.status_code == 403
    assert "Only learners, instructors and teaching assistants" in done.response.get_data(
        as_text=True
    )
    assert _user("admin-1") is None


def test_an_account_whose_role_differs_is_refused_not_changed(client, platform):
    register(platform)
    _course(client, platform)
    launch(client, platform, sub="learner-1")
    client.post("/logout")
    done = launch(client, platform, sub="learner-1", roles=INSTRUCTOR)
    assert done.response.status_code == 403
    assert "Nothing was changed" in done.response.get_data(as_text=True)
    assert _user("learner-1").role == Role.LEARNER.value


def test_another_instructor_is_signed_in_and_told_whose_group_it_is(client, platform):
    register(platform)
    _course(client, platform)
    done = launch(client, platform, sub="teacher-2", roles=INSTRUCTOR, name="Second Teacher")
    assert done.location == "/tutor/"
    page = client.get(done.location).get_data(as_text=True)
    assert "belongs to Tess Tutor" in page


def test_a_launch_in_a_browser_someone_else_is_signed_in_to_ends_their_session(
    client, platform, auth, create_user
):
    from crm_sandbox.models import UserSession

    register(platform)
    _course(client, platform)
    other = create_user(Role.LEARNER)
    auth.login(other.email)
    done = launch(client, platform, sub="learner-1")
    assert done.location.startswith("/learner/scenarios/")
    db.session.rollback()
    sessions = list(db.session.scalars(select(UserSession).where(UserSession.user_id == other.id)))
    assert [s.revoked_at is not None for s in sessions] == [True]
    assert "Lee Learner" in client.get(done.location).get_data(as_text=True)


def test_on_https_the_state_cookie_is_sent_cross_site_and_no_session_id_cookie_is_set(
    client, platform
):
    from .launching import login_params

    register(platform)
    claims = platform.launch_claims(sub="learner-1")
    hint = platform.prepare_launch(claims)
    login = client.post(
        "/lti/login",
        data=login_params(platform, claims, hint),
        base_url="https://localhost",
        csrf=False,
    )
    assert login.status_code == 302
    assert "redirect_uri=https%3A%2F%2Flocalhost%2Flti%2Flaunch" in login.headers["Location"]
    cookies = login.headers.getlist("Set-Cookie")
    (state,) = [c for c in cookies if c.startswith("lti1p3-state-")]
    assert "SameSite=None" in state and "Secure" in state and "HttpOnly" in state
    assert not [c for c in cookies if "session-id" in c]


def test_a_launch_that_meets_another_making_the_same_account_runs_again_and_finds_it(
    client, platform, monkeypatch
):
    """Two first launches at once (a double click): the loser's insert conflicts; it is rolled
    back, nonce included, and runs again."""
    from sqlalchemy.exc import IntegrityError

    from crm_sandbox.services.lti import identities

    register(platform)
    _course(client, platform)
    real, calls = identities.person, []

    def collide_once(launch, role):
        calls.append(role)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO lti_identities", {}, Exception("unique"))
        return real(launch, role)

    monkeypatch.setattr(identities, "person", collide_once)
    done = launch(client, platform, sub="learner-1")
    assert len(calls) == 2
    assert done.location.startswith("/learner/scenarios/")
    assert _count(LtiIdentity) == 2


def test_a_course_title_with_line_breaks_makes_a_plain_group_name(client, platform):
    register(platform)
    launch(client, platform, sub="teacher-1", roles=INSTRUCTOR, context_title="Business\nAdmin\t3")
    assert db.session.scalar(select(Group.name)) == "Business Admin 3"


def test_a_launched_learners_check_my_work_reaches_the_platform_as_pending_manual(client, platform):
    """The launch's rows are what the grades read: the score goes to the link's line item for
    the platform's user id."""
    from crm_sandbox.scenarios import engine
    from crm_sandbox.services import outbox

    register(platform)
    _course(client, platform)
    launch(client, platform, sub="learner-1")
    attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == _user("learner-1").id))
    engine.check_my_work(attempt, attempt.learner)
    db.session.commit()
    assert outbox.deliver_due().sent == 1
    (score,) = platform.scores
    assert score["userId"] == "learner-1"
    assert score["lineitem"] == f"{platform.url}/lineitems/course-101/1"
    assert score["gradingProgress"] == "PendingManual"


def test_an_account_made_by_a_launch_has_no_password_to_sign_in_with(client, platform, auth):
    """Its way in is the platform: no password, the empty one or the placeholder included,
    signs it in on our own page."""
    register(platform)
    _course(client, platform)
    launch(client, platform, sub="learner-1", email="lee@college.example.org")
    client.post("/logout")
    for password in ("!", "", "correct horse battery"):
        response = auth.login("lee@college.example.org", password)
        assert response.status_code in (200, 400), response.status_code
        assert "/learner" not in response.headers.get("Location", "")
    assert client.get("/learner/").status_code in (302, 401)


def test_a_login_started_with_a_link_launches_as_one_started_with_a_form(client, platform):
    """A platform may start the OIDC login with a GET: it writes the login's state and nonce,
    so it must work where read-only pages run without a transaction (PostgreSQL)."""
    register(platform)
    _course(client, platform)
    done = launch(client, platform, sub="learner-1", login_method="GET")
    assert done.login.status_code == 302
    assert done.location.startswith("/learner/scenarios/")
