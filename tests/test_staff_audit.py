"""The staff audit log: every staff action writes exactly one row, in the same transaction as
the change (a refused or rolled-back action writes none); the database refuses any UPDATE or
DELETE of a row; admins read it on a filtered, paged page and with `crm-sandbox audit list`;
nobody else can open the page; and a learner's evidence pack shows what staff did to each
attempt."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from crm_sandbox.access import roles_allowed
from crm_sandbox.extensions import db
from crm_sandbox.models import Attempt, AuthoredScenario, Role, StaffAuditEntry, User
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import (
    accounts,
    assessment,
    evidence,
    staff_audit,
    tutoring,
)
from crm_sandbox.services.assessment.judgements import _criteria_ids
from crm_sandbox.services.errors import ServiceError

from .conftest import DEFAULT_PASSWORD
from .test_evidence import pdf_text

EXAMPLE = "first-complaint"
NEW_PASSWORD = "a much longer passphrase"


def rows() -> list[StaffAuditEntry]:
    """Every committed audit row, oldest first (as another connection would see them)."""
    db.session.rollback()
    return list(db.session.scalars(select(StaffAuditEntry).order_by(StaffAuditEntry.id)))


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(StaffAuditEntry))


class Watch:
    """The rows written since it was made: `watch.new()`."""

    def __init__(self):
        self.start = count()

    def new(self) -> list[StaffAuditEntry]:
        return rows()[self.start :]


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Ada Admin", email="admin@college.example.org")


@pytest.fixture
def tutor(create_user):
    return create_user(Role.TUTOR, name="Tara Tutor", email="tara@college.example.org")


@pytest.fixture
def learner(create_user):
    return create_user(Role.LEARNER, name="Bea Baker", email="bea@college.example.org")


@pytest.fixture
def group(create_group, tutor, learner):
    return create_group("Wednesday BA", tutor=tutor, learners=[learner])


@pytest.fixture
def attempt(group, tutor, learner):
    """Bea's attempt at the example scenario, set by the tutor with a due date."""
    tutoring.assign_to_group(tutor, group, EXAMPLE, [learner.id], date.today() + timedelta(7))
    db.session.commit()
    return db.session.scalar(select(Attempt).where(Attempt.learner_id == learner.id))


def only(new: list[StaffAuditEntry]) -> StaffAuditEntry:
    assert len(new) == 1, [(e.verb, e.object_type, e.object_id) for e in new]
    return new[0]


# ---------------------------------------------------------------- one row per staff action


def test_an_admin_disabling_and_enabling_an_account_writes_one_row_each(
    client, auth, admin, learner
):
    auth.login(admin.email)
    watch = Watch()
    client.post(f"/admin/users/{learner.id}/active")
    disabled = only(watch.new())
    assert (disabled.verb, disabled.object_type, disabled.object_id) == (
        "account.disabled",
        "user",
        learner.id,
    )
    assert (disabled.actor_id, disabled.actor_email, disabled.actor_role) == (
        admin.id,
        "admin@college.example.org",
        "admin",
    )
    assert disabled.learner_id == learner.id
    assert (disabled.before, disabled.after) == ({"active": True}, {"active": False})
    assert disabled.real_time.tzinfo is UTC
    assert abs(disabled.real_time - datetime.now(UTC)) < timedelta(minutes=1)

    watch = Watch()
    client.post(f"/admin/users/{learner.id}/active")
    assert only(watch.new()).verb == "account.enabled"


def test_a_tutor_changing_their_password_and_email_writes_one_row_each(client, auth, tutor):
    auth.login(tutor.email)
    watch = Watch()
    client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    changed = only(watch.new())
    assert (changed.verb, changed.actor_id, changed.actor_email) == (
        "account.password_changed",
        tutor.id,
        "tara@college.example.org",
    )
    assert changed.before is None and changed.after is None  # no hash is ever copied here

    watch = Watch()
    client.post(
        "/account/email",
        data={
            "email": "tara.t@college.example.org",
            "current_password": "a much longer passphrase",
        },
    )
    moved = only(watch.new())
    assert moved.verb == "account.email_changed"
    assert moved.before == {"role": "tutor", "email": "tara@college.example.org"}
    assert moved.after == {"role": "tutor", "email": "tara.t@college.example.org"}


def test_a_learner_changing_their_email_is_recorded_without_copying_any_email(
    client, auth, learner
):
    auth.login(learner.email)
    watch = Watch()
    client.post(
        "/account/email",
        data={"email": "bea.b@college.example.org", "current_password": DEFAULT_PASSWORD},
    )
    moved = only(watch.new())
    assert (moved.verb, moved.actor_id, moved.actor_role) == (
        "account.email_changed",
        learner.id,
        "learner",
    )
    assert "@" not in json.dumps(staff_audit.entry_json(moved))


def test_a_tutor_creating_renaming_archiving_and_restoring_a_group_writes_one_row_each(
    client, auth, tutor
):
    auth.login(tutor.email)
    watch = Watch()
    client.post("/tutor/groups/new", data={"name": "Monday BA", "body_id": "vtct"})
    created = only(watch.new())
    assert (created.verb, created.actor_email) == ("group.created", tutor.email)
    assert created.after == {"name": "Monday BA", "tutor": tutor.email, "qualification": "vtct"}
    group_id = created.group_id
    assert created.object_id == group_id

    steps = [
        (f"/tutor/groups/{group_id}/rename", {"name": "Monday BA 2026"}, "group.renamed"),
        (f"/tutor/groups/{group_id}/archive", {"confirm": "y"}, "group.archived"),
        (f"/tutor/groups/{group_id}/restore", {}, "group.restored"),
    ]
    for url, data, verb in steps:
        watch = Watch()
        client.post(url, data=data)
        row = only(watch.new())
        assert (row.verb, row.group_id, row.actor_id) == (verb, group_id, tutor.id)
    renamed = next(e for e in rows() if e.verb == "group.renamed")
    assert (renamed.before, renamed.after) == ({"name": "Monday BA"}, {"name": "Monday BA 2026"})


def test_adding_an_existing_learner_or_assigning_an_assessor_writes_one_row(
    client, auth, tutor, group, create_user
):
    other = create_user(Role.LEARNER, email="dee@college.example.org")
    auth.login(tutor.email)
    watch = Watch()
    client.post(f"/tutor/groups/{group.id}/learners", data={"email": other.email})
    added = only(watch.new())
    assert (added.verb, added.group_id, added.learner_id, added.after) == (
        "group.learner_added",
        group.id,
        other.id,
        None,
    )

    from crm_sandbox.services import groups

    assessor = create_user(Role.ASSESSOR, email="asa@college.example.org")
    watch = Watch()
    groups.add_member(db.session.get(type(group), group.id), assessor, by=None)
    db.session.commit()
    assigned = only(watch.new())
    assert assigned.verb == "group.assessor_added"
    assert assigned.after == {"assessor": "asa@college.example.org"}


def test_a_new_learner_added_to_a_group_is_two_actions_an_account_and_a_membership(
    client, auth, tutor, group
):
    auth.login(tutor.email)
    watch = Watch()
    client.post(
        f"/tutor/groups/{group.id}/learners",
        data={"name": "Cal Cooper", "email": "cal@college.example.org"},
    )
    new = watch.new()
    assert [e.verb for e in new] == ["account.created", "group.learner_added"]
    assert new[0].after == {"role": "learner"}  # a learner's email is never copied
    assert {e.actor_id for e in new} == {tutor.id}


def test_assigning_a_scenario_with_a_due_date_writes_one_row(client, auth, tutor, group, learner):
    auth.login(tutor.email)
    due = date.today() + timedelta(days=7)
    watch = Watch()
    client.post(
        f"/tutor/groups/{group.id}/assign",
        data={"scenario": EXAMPLE, "who": "all", "due": due.isoformat()},
    )
    assigned = only(watch.new())
    assert (assigned.verb, assigned.object_type, assigned.group_id, assigned.actor_id) == (
        "assignment.created",
        "assignment",
        group.id,
        tutor.id,
    )
    assert assigned.after == {
        "scenario_id": EXAMPLE,
        "due_at": f"{due.isoformat()}T23:59:59+00:00",
        "learner_ids": [learner.id],
    }


def test_extending_a_due_date_and_a_tutors_reset_write_one_row_each(client, auth, tutor, attempt):
    auth.login(tutor.email)
    new_day = date.today() + timedelta(days=20)
    watch = Watch()
    client.post(f"/tutor/attempts/{attempt.id}/due", data={"due": new_day.isoformat()})
    due = only(watch.new())
    assert (due.verb, due.object_type, due.object_id, due.learner_id) == (
        "attempt.due_changed",
        "attempt",
        attempt.id,
        attempt.learner_id,
    )
    assert due.after == {"due_at": f"{new_day.isoformat()}T23:59:59+00:00"}
    assert due.before["due_at"].startswith((date.today() + timedelta(7)).isoformat())

    watch = Watch()
    client.post(
        f"/tutor/attempts/{attempt.id}/reset", data={"reason": "Wrong complaint", "confirm": "y"}
    )
    reset = only(watch.new())
    assert (reset.verb, reset.object_type, reset.object_id, reset.actor_id) == (
        "sandbox.reset",
        "sandbox",
        attempt.sandbox_id,
        tutor.id,
    )
    assert reset.after == {"reset_count": 1, "reason": "Wrong complaint"}
    assert reset.group_id == next(e for e in rows() if e.verb == "assignment.created").group_id


def test_a_learner_restarting_their_own_scenario_is_not_a_staff_action(attempt, learner):
    from crm_sandbox.scenarios import engine

    watch = Watch()
    engine.reset_attempt(db.session.get(Attempt, attempt.id), learner, "restarted by the learner")
    db.session.commit()
    assert watch.new() == []


def test_uploading_editing_and_publishing_a_scenario_write_one_row_each(tutor):
    source = library_source(EXAMPLE)[1].replace(f"id: {EXAMPLE}", "id: my-sofa", 1)
    watch = Watch()
    made = tutoring.save_authored(tutor, source, "my-sofa.yaml")
    db.session.commit()
    assert only(watch.new()).verb == "scenario.uploaded"

    watch = Watch()
    tutoring.save_authored(tutor, source, "my-sofa.yaml", existing=made)
    db.session.commit()
    edited = only(watch.new())
    assert (edited.verb, edited.before) == ("scenario.edited", {"scenario_id": "my-sofa"})

    watch = Watch()
    tutoring.publish_authored(db.session.get(AuthoredScenario, made.id))
    db.session.commit()
    published = only(watch.new())
    assert (published.verb, published.object_type, published.after["status"]) == (
        "scenario.published",
        "authored_scenario",
        "published",
    )
    assert published.actor_role == "command-line"  # no one signed in: the service alone


def test_a_quality_review_of_a_decision_writes_one_row(create_user, attempt):
    from crm_sandbox.scenarios import engine

    assessor = create_user(Role.ASSESSOR)
    second = create_user(Role.ASSESSOR)
    found = db.session.get(Attempt, attempt.id)
    engine.replay(found, engine.scenario_of(found).model_answer)
    engine.submit(found, found.learner, True)
    for criterion in _criteria_ids(found):
        assessment.judge(found, assessor, criterion, "met", "Seen.")
    decision = assessment.decide(found, assessor, "met", "Complete.")
    db.session.commit()

    watch = Watch()
    assessment.review(decision, second, False, "Thin on 2.1.")
    db.session.commit()
    reviewed = only(watch.new())
    assert (reviewed.verb, reviewed.object_id, reviewed.actor_id, reviewed.learner_id) == (
        "assessment.reviewed",
        decision.id,
        second.id,
        found.learner_id,
    )


def test_erasing_a_learner_is_one_row_and_leaves_no_email_of_theirs_in_the_log(
    client, auth, admin, group, learner
):
    auth.login(admin.email)
    watch = Watch()
    client.post(f"/admin/users/{learner.id}/erase", data={"confirm_email": learner.email})
    erased = only(watch.new())
    assert (erased.verb, erased.learner_id, erased.actor_email) == (
        "account.erased",
        learner.id,
        admin.email,
    )
    everything = json.dumps([staff_audit.entry_json(e) for e in rows()])
    assert "bea@college.example.org" not in everything and "Bea Baker" not in everything
    assert any(e.learner_id == learner.id and e.verb == "group.learner_added" for e in rows())


def test_command_line_actions_are_recorded_as_the_command_line(runner, attempt):
    watch = Watch()
    result = runner.invoke(
        args=["users", "create", "--name", "Ian IT", "--email", "ian@college.example.org"]
        + ["--role", "admin", "--password", "a long enough password"]
    )
    assert result.exit_code == 0, result.output
    created = only(watch.new())
    assert (created.verb, created.actor_id, created.actor_role) == (
        "account.created",
        None,
        "command-line",
    )
    assert created.after == {"role": "admin", "email": "ian@college.example.org"}

    watch = Watch()
    learner = db.session.get(User, attempt.learner_id)
    result = runner.invoke(
        args=["sandbox", "reset", "--learner", learner.email, "--sandbox", str(attempt.sandbox_id)]
    )
    assert result.exit_code == 0, result.output
    reset = only(watch.new())
    assert (reset.verb, reset.actor_role, reset.learner_id) == (
        "sandbox.reset",
        "command-line",
        attempt.learner_id,
    )


# ---------------------------------------------------------------- same transaction


def test_a_refused_action_writes_no_row(tutor, group, create_group):
    create_group("Taken name", tutor=tutor)
    watch = Watch()
    with pytest.raises(ServiceError, match="already exists"):
        tutoring.rename_group(group, "taken NAME")
    db.session.rollback()
    with pytest.raises(ServiceError):
        accounts.create_user(name="X", email=tutor.email, role="tutor", password="long enough pw")
    db.session.rollback()
    assert watch.new() == []


def test_a_rolled_back_action_takes_its_row_with_it(group, learner):
    watch = Watch()
    tutoring.archive_group(group)
    accounts.set_active(learner, False)
    assert db.session.scalar(select(func.count()).select_from(StaffAuditEntry)) == watch.start + 2
    db.session.rollback()
    assert watch.new() == []
    assert db.session.get(User, learner.id).active is True


def test_an_import_records_each_account_and_membership_and_a_bad_file_records_nothing(
    client, auth, tutor, group
):
    auth.login(tutor.email)

    def send(csv_text: str):
        return client.post(
            "/tutor/import",
            data={"file": (io.BytesIO(csv_text.encode()), "learners.csv")},
            content_type="multipart/form-data",
        )

    watch = Watch()
    send(
        "name,email,role,group\n"
        "Gus Good,gus@college.example.org,learner,Wednesday BA\n"
        "Hal Bad,not-an-email,learner,Wednesday BA\n"
    )
    assert watch.new() == []  # the whole import was refused: no account, no row
    send("name,email,role,group\nGus Good,gus@college.example.org,learner,Friday BA\n")
    new = watch.new()
    # the batched write records the new group as it makes it, then the accounts and memberships
    assert sorted(e.verb for e in new) == [
        "account.created",
        "group.created",
        "group.learner_added",
    ]
    assert {e.actor_id for e in new} == {tutor.id}


# ---------------------------------------------------------------- append-only


def raw(sql: str) -> None:
    db.session.execute(text(sql))
    db.session.commit()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE staff_audit SET verb = 'group.created'",
        "UPDATE staff_audit SET actor_email = NULL",
        "UPDATE staff_audit SET after = NULL",
        "DELETE FROM staff_audit",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_audit_row(group, sql):
    before = [staff_audit.entry_json(e) for e in rows()]
    assert before
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql)
    db.session.rollback()
    assert [staff_audit.entry_json(e) for e in rows()] == before


def test_postgresql_also_refuses_to_truncate_the_audit_log(app, group):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    with pytest.raises(DatabaseError, match="append-only"):
        raw("TRUNCATE staff_audit")
    db.session.rollback()
    assert rows()


# ---------------------------------------------------------------- the admin page


def test_the_audit_page_is_for_admins_only(app, client, auth, create_user, group):
    assert roles_allowed(app.view_functions["admin.audit"]) == frozenset({Role.ADMIN})
    for role in (Role.TUTOR, Role.ASSESSOR, Role.LEARNER):
        person = create_user(role)
        auth.login(person.email)
        assert client.get("/admin/audit").status_code == 403
        auth.logout()
    assert client.get("/admin/audit").status_code == 302  # signed out: to the sign-in page


def test_the_audit_page_lists_newest_first_and_filters_by_actor_action_group_and_date(
    client, auth, admin, tutor, group, learner, create_group
):
    other = create_group("Friday BA", tutor=tutor)
    auth.login(admin.email)
    client.post(f"/admin/users/{learner.id}/active")  # by the admin: account.disabled

    page = client.get("/admin/audit").text
    assert page.index("Account disabled") < page.index("Group created")
    assert "admin@college.example.org (admin)" in page and "Bea Baker" in page

    def verbs(query: str) -> list[str]:
        shown = client.get("/admin/audit" + query).text
        return [label for label in staff_audit.VERBS.values() if f"<td>{label}</td>" in shown]

    assert verbs("?actor=ADMIN@college.example.org") == ["Account disabled"]
    assert verbs("?action=group.created") == ["Group created"]
    assert verbs(f"?group={other.id}") == ["Group created"]
    assert "Friday BA" in client.get(f"/admin/audit?group={other.id}").text
    assert (
        "Wednesday BA"
        not in client.get(f"/admin/audit?group={other.id}&action=").text.split("<tbody>")[1]
    )
    today = date.today()
    assert "Account disabled" in verbs(f"?since={today}&until={today}")
    assert verbs(f"?since={today + timedelta(1)}") == []
    assert "No staff actions match" in client.get(f"/admin/audit?until={today - timedelta(1)}").text


@pytest.mark.parametrize(
    "query, message",
    [
        ("?since=31/12/2026", "give a date as YYYY-MM-DD"),
        ("?since=2026-12-05&until=2026-12-01", "after the"),
        ("?action=drop.tables", "Choose an action from the list"),
        ("?group=abc", "not a number"),
        ("?before=-1", "not a number"),
        ("?group=99999999999", "No group or page has that number"),
        ("?before=99999999999", "No group or page has that number"),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error_page(client, auth, admin, query, message):
    auth.login(admin.email)
    response = client.get("/admin/audit" + query)
    assert response.status_code == 400
    assert message in response.text


def test_the_audit_page_pages_through_every_row_by_keyset(client, auth, admin, tutor):
    from crm_sandbox.services import groups

    for n in range(staff_audit.PAGE_SIZE + 5):
        groups.create_group(name=f"G{n:03d}", tutor=tutor)
    db.session.commit()
    auth.login(admin.email)
    first = client.get("/admin/audit?action=group.created").text
    table = first.split("<tbody>")[1]  # the group filter lists every group's name
    assert "G054" in table and "G005" in table and "G004" not in table and "Older" in first
    older_link = first.split('href="')[-1].split('"')[0].replace("&amp;", "&")
    assert "before=" in older_link and "action=group.created" in older_link
    second = client.get(older_link).text
    table = second.split("<tbody>")[1]
    assert all(f"G{n:03d}" in table for n in range(5)) and "G005" not in table
    assert "Older" not in second and "Newest" in second


# ---------------------------------------------------------------- the command line


def test_audit_list_prints_and_filters_rows_and_json(runner, admin, tutor, group, learner):
    accounts.set_active(learner, False)
    db.session.commit()
    result = runner.invoke(args=["audit", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "account.disabled" in lines[0] and "group.created" in result.output

    result = runner.invoke(args=["audit", "list", "--json", "--action", "group.created"])
    found = [json.loads(line) for line in result.output.splitlines()]
    assert [(f["verb"], f["group_id"]) for f in found] == [("group.created", group.id)]

    result = runner.invoke(args=["audit", "list", "--group", "Wednesday BA", "--json"])
    assert {json.loads(line)["verb"] for line in result.output.splitlines()} == {
        "group.created",
        "group.learner_added",
    }
    result = runner.invoke(args=["audit", "list", "--since", date.today().isoformat()])
    assert "account.disabled" in result.output
    result = runner.invoke(args=["audit", "list", "--actor", "nobody@college.example.org"])
    assert result.output.strip() == "No staff actions match."


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "yesterday"], "give a date as YYYY-MM-DD"),
        (["--group", "No such group"], "No group called"),
    ],
)
def test_audit_list_refuses_bad_filters_clearly(runner, args, message):
    result = runner.invoke(args=["audit", "list", *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- the evidence pack


def test_the_evidence_pack_shows_the_staff_actions_on_each_attempt(client, auth, tutor, attempt):
    auth.login(tutor.email)
    new_day = date.today() + timedelta(days=30)
    client.post(f"/tutor/attempts/{attempt.id}/due", data={"due": new_day.isoformat()})
    client.post(
        f"/tutor/attempts/{attempt.id}/reset", data={"reason": "Wrong complaint", "confirm": "y"}
    )
    learner = db.session.get(User, attempt.learner_id)
    with zipfile.ZipFile(io.BytesIO(evidence.build_pack(learner))) as zf:
        log = json.loads(zf.read("action_log.json"))
        report = pdf_text(zf.read("report.pdf"))
    (sandbox,) = log["sandboxes"]
    staff = sandbox["staff_actions"]
    assert [s["verb"] for s in staff] == [
        "assignment.created",
        "attempt.due_changed",
        "sandbox.reset",
    ]
    assert staff[0]["after"]["due_at"].startswith((date.today() + timedelta(7)).isoformat())
    assert "learner_ids" not in staff[0]["after"]  # other learners stay out of this pack
    assert all(s["actor_email"] == tutor.email for s in staff)
    assert datetime.fromisoformat(staff[2]["real_time"]).tzinfo is not None
    assert "Staff actions" in report and "Due date changed" in report
    assert "Sandbox reset by staff" in report and tutor.email in report
    assert evidence.verify_pack(io.BytesIO(evidence.build_pack(learner))) == [], (
        "the extra section keeps the pack verifiable"
    )
