"""The tutor's pages: groups and learners, CSV import, assigning with due dates, the progress
grid, a learner's attempt (results, log, reset, due date, read-only records) and scenario
authoring; and the boundaries: a tutor reaches only their own groups, learners, attempts and
scenarios, and other roles are refused."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Assignment,
    Attempt,
    AuthoredScenario,
    Group,
    Role,
    StaffAuditEntry,
    User,
)
from crm_sandbox.scenarios import engine, loader
from crm_sandbox.scenarios.loader import ScenarioError, library_source, parse
from crm_sandbox.services import action_log, groups, tutoring
from crm_sandbox.services.errors import ServiceError

EXAMPLE = "first-complaint"


def example_text() -> str:
    return library_source(EXAMPLE)[1]


def authored_text(scenario_id: str = "my-late-sofa", title: str = "My late sofa") -> str:
    return (
        example_text()
        .replace(f"id: {EXAMPLE}", f"id: {scenario_id}", 1)
        .replace('title: "A first complaint: stage 1, in time"', f'title: "{title}"', 1)
    )


def upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def reload(obj):
    db.session.rollback()
    return db.session.get(type(obj), obj.id)


@pytest.fixture
def tutor(create_user):
    return create_user(Role.TUTOR, name="Tara Tutor")


@pytest.fixture
def group(create_group, create_user, tutor):
    learners = [
        create_user(Role.LEARNER, name="Bea Baker", email="bea@college.example.org"),
        create_user(Role.LEARNER, name="Abe Archer", email="abe@college.example.org"),
    ]
    return create_group("Wednesday BA", tutor=tutor, learners=learners)


@pytest.fixture
def signed_in(auth, tutor):
    auth.login(tutor.email)
    return tutor


@pytest.fixture
def attempt(group, tutor):
    """Bea's attempt at the example scenario, set for the group by the tutor."""
    bea = next(u for u in group.learners if u.name == "Bea Baker")
    made = tutoring.assign_to_group(tutor, group, EXAMPLE, [bea.id], None)
    db.session.commit()
    assert made == 1
    return db.session.scalar(select(Attempt).where(Attempt.learner_id == bea.id))


# ---------------------------------------------------------------- groups


def test_a_tutor_creates_renames_and_archives_a_group_after_confirming(client, signed_in):
    page = client.get("/tutor/groups/new")
    assert b"Qualification" in page.data and b'value="focus"' in page.data
    response = client.post("/tutor/groups/new", data={"name": "Monday BA", "body_id": "focus"})
    made = db.session.scalar(select(Group).where(Group.name == "Monday BA"))
    assert response.status_code == 302 and made.tutor_id == signed_in.id
    assert made.body_id == "focus"

    duplicate = client.post("/tutor/groups/new", data={"name": "monday ba", "body_id": "vtct"})
    assert b"already exists" in duplicate.data

    client.post(f"/tutor/groups/{made.id}/rename", data={"name": "Monday BA (2026)"})
    assert reload(made).name == "Monday BA (2026)"

    confirm_page = client.get(f"/tutor/groups/{made.id}/archive")
    assert b"Archive Monday BA (2026)?" in confirm_page.data
    unconfirmed = client.post(f"/tutor/groups/{made.id}/archive", data={})
    assert b"Tick the box to confirm" in unconfirmed.data
    assert reload(made).archived is False
    client.post(f"/tutor/groups/{made.id}/archive", data={"confirm": "y"})
    assert reload(made).archived is True
    home = client.get("/tutor/").data.decode()
    assert "Archived groups (1)" in home


def test_a_group_is_created_in_one_place_with_its_qualification_and_one_audit_row(tutor):
    made = groups.create_group(name="Tuesday BA", tutor=tutor, body_id="focus")
    db.session.commit()
    assert (made.body_id, made.tutor_id) == ("focus", tutor.id)
    rows = db.session.scalars(
        select(StaffAuditEntry).where(
            StaffAuditEntry.verb == "group.created", StaffAuditEntry.object_id == made.id
        )
    ).all()
    assert len(rows) == 1
    untold = groups.create_group(name="Thursday BA", tutor=tutor)
    assert untold.body_id == "vtct"  # the model's default when no qualification is given


def test_an_unknown_qualification_is_refused_before_the_name_and_nothing_is_made(tutor):
    groups.create_group(name="Taken", tutor=tutor)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        groups.create_group(name="taken", tutor=tutor, body_id="no-such-body")
    assert (refused.value.field, refused.value.message) == (
        "body_id",
        "Choose a qualification from the list.",
    )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Group)) == 1
    audit = select(func.count()).select_from(StaffAuditEntry)
    assert db.session.scalar(audit.where(StaffAuditEntry.verb == "group.created")) == 1


def test_adding_a_new_learner_shows_their_first_password_once(client, signed_in, group):
    response = client.post(
        f"/tutor/groups/{group.id}/learners",
        data={"name": "Cal Cooper", "email": "Cal@College.example.org"},
    )
    assert response.status_code == 200
    page = response.data.decode()
    assert "shown only this once" in page
    password = page.split("<code>")[1].split("</code>")[0]
    cal = db.session.scalar(select(User).where(User.email == "cal@college.example.org"))
    assert cal.role == "learner" and cal in reload(group).learners
    client.post("/logout")
    assert client.post("/login", data={"email": cal.email, "password": password}).status_code == 302


def test_an_existing_learner_is_added_by_email_and_staff_are_refused(
    client, signed_in, group, create_user
):
    other = create_user(Role.LEARNER, name="Dee Dunn", email="dee@college.example.org")
    create_user(Role.ASSESSOR, email="ass@college.example.org")
    response = client.post(
        f"/tutor/groups/{group.id}/learners", data={"email": "dee@college.example.org"}
    )
    assert response.status_code == 302
    assert other in reload(group).learners
    refused = client.post(
        f"/tutor/groups/{group.id}/learners", data={"email": "ass@college.example.org"}
    )
    assert b"not a learner" in refused.data


def test_a_tutor_cannot_add_another_tutors_learner_but_an_admin_can(
    client, auth, signed_in, group, create_user, create_group
):
    colleague = create_user(Role.TUTOR, name="Colin Colleague")
    theirs = create_user(Role.LEARNER, name="Dee Dunn", email="dee@college.example.org")
    create_group("Colin's Thursday", tutor=colleague, learners=[theirs])
    refused = client.post(
        f"/tutor/groups/{group.id}/learners", data={"email": "DEE@college.example.org"}
    )
    page = refused.data.decode()
    assert refused.status_code == 400
    assert "Dee Dunn is in another tutor&#39;s group" in page
    assert "ask Colin Colleague, or an admin, to add them to &#39;Wednesday BA&#39;" in page
    assert theirs not in reload(group).learners

    auth.logout()
    auth.login(create_user(Role.ADMIN).email)
    assert f"/tutor/groups/{group.id}".encode() in client.get("/admin/groups").data
    added = client.post(
        f"/tutor/groups/{group.id}/learners", data={"email": "dee@college.example.org"}
    )
    assert added.status_code == 302
    assert theirs in reload(group).learners  # now in both groups


def test_group_names_that_differ_only_by_unicode_case_or_form_are_refused(client, signed_in):
    client.post("/tutor/groups/new", data={"name": "Café Society", "body_id": "vtct"})
    for same in ("CAFÉ SOCIETY", "cafe\u0301 society", "Ｃａｆé Society"):
        response = client.post("/tutor/groups/new", data={"name": same, "body_id": "vtct"})
        page = response.data.decode()
        assert "A group called &#39;Café Society&#39; already exists" in page, same
        assert "compared ignoring capitals" in page
    different = client.post("/tutor/groups/new", data={"name": "Cafe Society", "body_id": "vtct"})
    assert different.status_code == 302  # no accent: another name
    renamed = db.session.scalar(select(Group).where(Group.name == "Cafe Society"))
    clash = client.post(f"/tutor/groups/{renamed.id}/rename", data={"name": "CAFÉ SOCIETY"})
    assert clash.status_code == 400 and reload(renamed).name == "Cafe Society"
    assert db.session.scalar(select(func.count()).select_from(Group)) == 2


def test_a_csv_import_creates_learners_in_the_tutors_groups_and_shows_passwords(
    client, signed_in, group
):
    csv_text = (
        "name,email,role,group\n"
        "Eve Evans,eve@college.example.org,learner,Wednesday BA\n"
        "Fay Ford,fay@college.example.org,learner,Friday BA\n"
    )
    response = client.post(
        "/tutor/import",
        data={"file": upload(csv_text.encode(), "learners.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.data.decode()
    assert response.status_code == 200 and "shown only this once" in page
    assert "eve@college.example.org" in page and page.count("<code>") == 2
    db.session.rollback()
    friday = db.session.scalar(select(Group).where(Group.name == "Friday BA"))
    assert friday.tutor_id == signed_in.id
    assert [u.name for u in friday.learners] == ["Fay Ford"]
    assert "Eve Evans" in [u.name for u in reload(group).learners]


def test_a_bad_csv_lists_each_problem_by_line_and_imports_nothing(
    client, signed_in, group, create_user, create_group
):
    create_group("Someone Else's", tutor=create_user(Role.TUTOR))
    csv_text = (
        "name,email,role,group\n"
        "Gus Good,gus@college.example.org,learner,Wednesday BA\n"
        "Hal Bad,not-an-email,learner,Wednesday BA\n"
        "Ivy Staff,ivy@college.example.org,tutor,\n"
        "Jo Jones,jo@college.example.org,learner,Someone Else's\n"
        "Al Admin,al@college.example.org,admin,\n"
    )
    response = client.post(
        "/tutor/import",
        data={"file": upload(csv_text.encode(), "learners.csv")},
        content_type="multipart/form-data",
    )
    page = response.data.decode()
    assert "Nothing was imported" in page
    assert "learners.csv: line 3: &#39;not-an-email&#39; is not a valid email address" in page
    assert "learners.csv: line 4: tutors import learners only" in page
    assert "learners.csv: line 5: group " in page and "belongs to another tutor" in page
    assert "line 6: tutors import learners only; ask an admin to add an admin" in page
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "gus@college.example.org")) is None


def test_a_csv_over_one_mib_is_refused_with_a_clear_message(client, signed_in):
    # The multipart body is built here: the test client would spool a large one to a
    # temporary file that it never closes.
    boundary = "tutor-test-boundary"
    big = b"name,email,role,group\n" + b"x" * (1024 * 1024)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{client.csrf_token()}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/tutor/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        csrf=False,
    )
    assert b"The file is larger than 1 MiB" in response.data
    assert db.session.scalar(select(User).where(User.role == "learner")) is None


# ---------------------------------------------------------------- assigning and progress


def test_assigning_to_chosen_learners_with_a_due_date_provisions_their_sandboxes(
    client, signed_in, group
):
    page = client.get(f"/tutor/groups/{group.id}/assign").data.decode()
    assert "A first complaint: stage 1, in time" in page
    abe = next(u for u in group.learners if u.name == "Abe Archer")
    due = date.today() + timedelta(days=7)
    response = client.post(
        f"/tutor/groups/{group.id}/assign",
        data={
            "scenario": EXAMPLE,
            "who": "chosen",
            "learners": [str(abe.id)],
            "due": due.isoformat(),
        },
        follow_redirects=True,
    )
    assert "1 sandbox provisioned" in response.data.decode()
    db.session.rollback()
    assignment = db.session.scalar(select(Assignment))
    assert assignment.group_id == group.id and assignment.set_by_id == signed_in.id
    assert assignment.due_at == datetime(due.year, due.month, due.day, 23, 59, 59, tzinfo=UTC)
    assert [a.learner_id for a in db.session.scalars(select(Attempt))] == [abe.id]

    past = client.post(
        f"/tutor/groups/{group.id}/assign",
        data={"scenario": EXAMPLE, "who": "all", "due": "2020-01-01"},
    )
    assert b"The due date has passed" in past.data


def test_the_progress_grid_shows_status_score_and_overdue_and_sorts(
    client, signed_in, group, attempt
):
    abe = next(u for u in group.learners if u.name == "Abe Archer")
    tutoring.assign_to_group(signed_in, group, EXAMPLE, [abe.id], None)
    bea_attempt = db.session.get(Attempt, attempt.id)
    engine.replay(bea_attempt, loader.scenario_of(bea_attempt).model_answer)
    engine.check_my_work(bea_attempt, bea_attempt.learner)
    abe_attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == abe.id))
    abe_attempt.due_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()

    grid = client.get(f"/tutor/groups/{group.id}/progress").data.decode()
    assert grid.index("Abe Archer") < grid.index("Bea Baker")  # by name
    assert 'data-status="in_progress"' in grid and "100%" in grid
    assert 'data-status="not_started"' in grid and "overdue" in grid
    assert f"/tutor/attempts/{bea_attempt.id}" in grid

    column = db.session.scalar(select(Assignment).order_by(Assignment.id)).id
    by_score = client.get(f"/tutor/groups/{group.id}/progress?sort=score-{column}").data.decode()
    assert by_score.index("Bea Baker") < by_score.index("Abe Archer")
    assert "sorted by score" in by_score


def test_the_grid_shows_a_shared_learners_work_in_another_group_as_set_there_without_a_link(
    client, signed_in, group, create_user, create_group
):
    """Bea is also in a colleague's group (an admin put her there) and did the example
    scenario for it: this group's grid says so and links to none of that work."""
    bea = next(u for u in group.learners if u.name == "Bea Baker")
    abe = next(u for u in group.learners if u.name == "Abe Archer")
    theirs = create_group("Colleague's group", tutor=create_user(Role.TUTOR), learners=[bea])
    tutoring.assign_to_group(theirs.tutor, theirs, EXAMPLE, None, None)
    elsewhere = db.session.scalar(select(Attempt).where(Attempt.learner_id == bea.id))
    assert tutoring.assign_to_group(signed_in, group, EXAMPLE, None, None) == 1  # Abe only
    db.session.commit()

    grid = client.get(f"/tutor/groups/{group.id}/progress").data.decode()
    assert 'data-status="other_group"' in grid and "Set in another group" in grid
    assert f"/tutor/attempts/{elsewhere.id}" not in grid
    abe_attempt = db.session.scalar(select(Attempt).where(Attempt.learner_id == abe.id))
    assert f"/tutor/attempts/{abe_attempt.id}" in grid
    assert client.get(f"/tutor/attempts/{elsewhere.id}").status_code == 404


# ---------------------------------------------------------------- a learner's attempt


def test_the_attempt_view_shows_results_hints_and_the_log_newest_first(client, signed_in, attempt):
    learner = attempt.learner
    engine.use_hint(attempt, learner, loader.scenario_of(attempt).tasks[0].id, 0)
    engine.check_my_work(attempt, learner)
    db.session.commit()
    page = client.get(f"/tutor/attempts/{attempt.id}").data.decode()
    assert "A first complaint: stage 1, in time" in page and "In progress" in page
    assert "Latest check results" in page and "not yet" in page
    assert "Hints used (1)" in page
    assert page.index("Checked the work") < page.index("Read hint 1 for the task")
    assert page.index("Read hint 1 for the task") < page.index("Started the scenario")
    assert "scenario.checked" not in page
    assert "Sandbox time" in page and "real time" in page and "Bea Baker (learner)" in page


def test_a_reset_needs_a_reason_and_a_confirmation_and_is_logged(client, signed_in, attempt):
    assert b"Reset Bea Baker" in client.get(f"/tutor/attempts/{attempt.id}/reset").data
    refused = client.post(f"/tutor/attempts/{attempt.id}/reset", data={"confirm": "y"})
    assert b"Give the reason for the reset" in refused.data
    seq_before = reload(attempt).sandbox.log_seq
    response = client.post(
        f"/tutor/attempts/{attempt.id}/reset",
        data={"reason": "Started the wrong complaint by mistake", "confirm": "y"},
    )
    assert response.status_code == 302
    db.session.rollback()
    entries = action_log.entries(attempt.sandbox_id, newest_first=False)
    reset = next(e for e in entries if e.verb == "sandbox.reset" and e.seq > seq_before)
    assert reset.payload["after"]["reason"] == "Started the wrong complaint by mistake"
    assert reset.payload["actor"] == "Tara Tutor (tutor)" and reset.actor_id == signed_in.id


def test_extending_the_due_date_sets_the_learners_date_and_is_logged(client, signed_in, attempt):
    new_day = date.today() + timedelta(days=10)
    client.post(f"/tutor/attempts/{attempt.id}/due", data={"due": new_day.isoformat()})
    fresh = reload(attempt)
    assert fresh.due_at == datetime.combine(new_day, datetime.max.time(), UTC).replace(
        microsecond=0
    )
    entry = action_log.entries(attempt.sandbox_id, limit=1)[0]
    assert entry.verb == "assignment.due_extended" and entry.actor_id == signed_in.id
    assert entry.payload["before"] == {"due_at": None}
    earlier = client.post(
        f"/tutor/attempts/{attempt.id}/due",
        data={"due": (new_day - timedelta(days=1)).isoformat()},
        follow_redirects=True,
    )
    assert b"after the current due date" in earlier.data


def test_the_tutor_reads_the_learners_contacts_and_complaints(client, signed_in, attempt):
    contacts = client.get(f"/tutor/attempts/{attempt.id}/contacts").data.decode()
    assert "Grace Okafor" in contacts
    complaints = client.get(f"/tutor/attempts/{attempt.id}/complaints").data.decode()
    assert "Late or missed delivery" in complaints and "Grace Okafor" in complaints


# ---------------------------------------------------------------- authoring


def test_an_invalid_scenario_shows_each_problem_line_numbered_like_the_cli(client, signed_in):
    broken = authored_text().replace("estimated_minutes: 40", "estimated_minutes: many")
    with pytest.raises(ScenarioError) as expected:
        parse(broken, "mine.yaml")
    response = client.post(
        "/tutor/scenarios/new",
        data={"file": upload(broken.encode(), "mine.yaml"), "text": ""},
        content_type="multipart/form-data",
    )
    page = response.data.decode()
    assert "Nothing was saved" in page
    for problem in expected.value.problems:
        assert str(problem).replace("'", "&#39;") in page
    assert "mine.yaml:4: estimated_minutes: Input should be a valid integer" in page
    assert db.session.scalar(select(AuthoredScenario)) is None


def test_a_valid_scenario_is_saved_as_a_draft_edited_published_and_assigned(
    client, signed_in, group
):
    response = client.post("/tutor/scenarios/new", data={"text": authored_text()})
    db.session.rollback()
    draft = db.session.scalar(select(AuthoredScenario))
    assert response.status_code == 302 and draft.status == "draft"
    assert draft.scenario_id == "my-late-sofa" and draft.author_id == signed_in.id
    assign_page = client.get(f"/tutor/groups/{group.id}/assign").data.decode()
    assert "my-late-sofa" not in assign_page  # drafts are not assignable

    edited = authored_text(title="My late sofa, edited")
    client.post(f"/tutor/scenarios/{draft.id}", data={"text": edited})
    assert reload(draft).title == "My late sofa, edited"
    bad_edit = client.post(
        f"/tutor/scenarios/{draft.id}", data={"text": edited.replace("level: 2", "level: x")}
    )
    assert b"my-late-sofa.yaml:3: level:" in bad_edit.data

    client.post(f"/tutor/scenarios/{draft.id}/publish")
    assert reload(draft).status == "published"
    assert (
        "My late sofa, edited (written by a tutor)"
        in client.get(f"/tutor/groups/{group.id}/assign").data.decode()
    )
    response = client.post(
        f"/tutor/groups/{group.id}/assign",
        data={"scenario": "my-late-sofa", "who": "all"},
        follow_redirects=True,
    )
    assert "2 sandboxes provisioned" in response.data.decode()
    db.session.rollback()
    attempts = list(db.session.scalars(select(Attempt)))
    assert {a.scenario_id for a in attempts} == {"my-late-sofa"}
    assert all(a.scenario_yaml == edited for a in attempts)


def test_a_scenario_id_of_the_library_or_another_tutor_is_refused(client, signed_in, create_user):
    library_clash = client.post("/tutor/scenarios/new", data={"text": example_text()})
    assert b"belongs to a library scenario" in library_clash.data
    other = create_user(Role.TUTOR)
    tutoring.save_authored(other, authored_text(), "theirs.yaml")
    db.session.commit()
    clash = client.post("/tutor/scenarios/new", data={"text": authored_text()})
    assert b"taken by another tutor" in clash.data


# ---------------------------------------------------------------- boundaries


def test_another_tutors_group_attempt_and_scenario_are_not_found(
    client, auth, group, attempt, create_user
):
    authored = tutoring.save_authored(group.tutor, authored_text(), "mine.yaml")
    db.session.commit()
    auth.login(create_user(Role.TUTOR).email)
    for path in (
        f"/tutor/groups/{group.id}",
        f"/tutor/groups/{group.id}/progress",
        f"/tutor/groups/{group.id}/assign",
        f"/tutor/groups/{group.id}/archive",
        f"/tutor/attempts/{attempt.id}",
        f"/tutor/attempts/{attempt.id}/reset",
        f"/tutor/attempts/{attempt.id}/contacts",
        f"/tutor/attempts/{attempt.id}/complaints",
        f"/tutor/scenarios/{authored.id}",
    ):
        assert client.get(path).status_code == 404, path
    for path, data in (
        (f"/tutor/groups/{group.id}/rename", {"name": "Mine now"}),
        (f"/tutor/groups/{group.id}/learners", {"email": "x@college.example.org"}),
        (f"/tutor/attempts/{attempt.id}/reset", {"reason": "x", "confirm": "y"}),
        (f"/tutor/attempts/{attempt.id}/due", {"due": "2099-01-01"}),
        (f"/tutor/scenarios/{authored.id}/publish", {}),
    ):
        assert client.post(path, data=data).status_code == 404, path
    assert reload(group).name == "Wednesday BA"


def test_an_admin_sees_any_group_and_attempt(client, auth, group, attempt, create_user):
    auth.login(create_user(Role.ADMIN).email)
    assert client.get(f"/tutor/groups/{group.id}/progress").status_code == 200
    assert client.get(f"/tutor/attempts/{attempt.id}").status_code == 200


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ASSESSOR])
def test_learners_and_assessors_are_refused_the_tutor_pages(client, auth, create_user, group, role):
    auth.login(create_user(role).email)
    for path in (
        "/tutor/",
        "/tutor/groups/new",
        "/tutor/import",
        "/tutor/scenarios",
        f"/tutor/groups/{group.id}/progress",
    ):
        assert client.get(path).status_code == 403, path
    assert (
        client.post("/tutor/groups/new", data={"name": "X", "body_id": "vtct"}).status_code == 403
    )


def test_tutor_forms_need_their_csrf_token(client, signed_in, group):
    response = client.post(
        f"/tutor/groups/{group.id}/rename", data={"name": "No token"}, csrf=False
    )
    assert response.status_code == 400
    assert reload(group).name == "Wednesday BA"


JUNK = [
    "",
    "x" * 5000,
    "<script>alert(1)</script>",
    "-1",
    "99999999999",
    "2026-02-30",
    "\u0000",
    "🙂",
]


def test_junk_input_never_reaches_a_server_error(client, signed_in, group, attempt):
    authored = tutoring.save_authored(signed_in, authored_text(), "mine.yaml")
    db.session.commit()
    posts = {
        "/tutor/groups/new": ("name", "body_id"),
        f"/tutor/groups/{group.id}/rename": ("name",),
        f"/tutor/groups/{group.id}/learners": ("name", "email"),
        f"/tutor/groups/{group.id}/assign": ("scenario", "who", "learners", "due"),
        f"/tutor/attempts/{attempt.id}/reset": ("reason", "confirm"),
        f"/tutor/attempts/{attempt.id}/due": ("due",),
        "/tutor/scenarios/new": ("text",),
        f"/tutor/scenarios/{authored.id}": ("text",),
    }
    for path, fields in posts.items():
        for value in JUNK:
            response = client.post(path, data=dict.fromkeys(fields, value))
            assert response.status_code < 500, (path, value)
    for value in JUNK:
        for path in (
            f"/tutor/groups/{group.id}/progress?sort=",
            f"/tutor/attempts/{attempt.id}/contacts?page=",
        ):
            assert client.get(path + value).status_code < 500, (path, value)


def test_a_refused_learner_leaves_the_rename_form_showing_the_groups_own_name(
    client, signed_in, group, create_user
):
    create_user(Role.ASSESSOR, email="ass@college.example.org")
    refused = client.post(
        f"/tutor/groups/{group.id}/learners",
        data={"name": "Cal Cooper", "email": "ass@college.example.org"},
    )
    assert refused.status_code == 400
    page = refused.data.decode()
    rename = page.split(f'action="/tutor/groups/{group.id}/rename"')[1].split("</form>")[0]
    assert f'value="{group.name}"' in rename and "Cal Cooper" not in rename
