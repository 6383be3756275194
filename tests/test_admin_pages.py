"""The administrator's pages: a dashboard, users (paged, created with a first password shown
once, roles changed under rules), groups (created for a tutor), and a backup button."""

from __future__ import annotations

import re
import sqlite3
import subprocess  # nosec B404: pg_restore reads back a PostgreSQL backup
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Group, Role, StaffAuditEntry, User
from crm_sandbox.services import accounts, roles
from crm_sandbox.services.errors import ServiceError

ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/groups", "/admin/backup"]


def reload(obj):
    db.session.rollback()
    return db.session.get(type(obj), obj.id)


def _audit(verb: str) -> list[StaffAuditEntry]:
    return list(db.session.scalars(select(StaffAuditEntry).where(StaffAuditEntry.verb == verb)))


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN, name="Ada Admin", email="ada@college.example.org")


@pytest.fixture
def as_admin(auth, admin):
    auth.login(admin.email)
    return admin


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TUTOR, Role.ASSESSOR])
def test_admin_pages_are_refused_to_every_other_role(client, auth, create_user, role):
    auth.login(create_user(role).email)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path


def test_the_dashboard_counts_and_links_to_every_admin_task(
    client, as_admin, create_user, create_group
):
    create_group("No-assessor group")
    page = client.get("/admin/").get_data(as_text=True)
    for link in ("/admin/users", "/admin/groups", "/admin/audit", "/admin/backup"):
        assert f'href="{link}' in page
    assert 'href="/assessor/quality"' in page
    assert "1 group has no assessor" in page
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path


def test_the_user_list_is_paged_and_filtered(client, as_admin, create_user):
    for n in range(30):
        create_user(Role.LEARNER, name=f"Learner {n:02d}")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "page 1 of 2" in first and "Learner 00" in first and "Learner 29" not in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Learner 29" in second and "Learner 00" not in second
    assert "page 2 of 2" in client.get("/admin/users?page=99").get_data(as_text=True)
    only = client.get("/admin/users?q=learner 07").get_data(as_text=True)
    assert "Learner 07" in only and "Learner 08" not in only
    admins = client.get("/admin/users?role=admin").get_data(as_text=True)
    assert "Ada Admin" in admins and "Learner 01" not in admins
    assert client.get("/admin/users?page=abc&role=nonsense").status_code == 200


def test_an_admin_creates_an_account_and_sees_its_first_password_once(client, as_admin, admin):
    made = client.post(
        "/admin/users/new",
        data={"name": "Tom Tutor", "email": "Tom@College.example.org", "role": "tutor"},
    )
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "shown only this once" in page
    tom = accounts.find_user_by_email("tom@college.example.org")
    assert tom.role == "tutor"
    password = page.split("<code>")[1].split("</code>")[0]
    assert accounts.authenticate("tom@college.example.org", password) == tom
    assert tom.must_change_password  # the admin saw it: Tom chooses his own at sign-in
    row = _audit("account.created")[-1]
    assert row.actor_id == admin.id and row.object_id == tom.id

    typed = client.post(
        "/admin/users/new",
        data={
            "name": "Ann Assessor",
            "email": "ann@college.example.org",
            "role": "assessor",
            "password": "a typed first password",
        },
    )
    assert "a typed first password" in typed.get_data(as_text=True)
    assert accounts.authenticate("ann@college.example.org", "a typed first password")


def test_a_bad_new_account_is_refused_with_a_message_and_nothing_is_made(client, as_admin):
    before = db.session.scalar(select(func.count(User.id)))
    for data in (
        {"name": "X", "email": "ada@college.example.org", "role": "tutor"},
        {"name": "X", "email": "not an email", "role": "tutor"},
        {"name": "X", "email": "x@college.example.org", "role": "wizard"},
        {"name": "X", "email": "x@college.example.org", "role": "tutor", "password": "short"},
    ):
        refused = client.post("/admin/users/new", data=data)
        assert refused.status_code == 400, data
        assert "No account was created" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == before


def test_a_role_change_is_audited(client, as_admin, admin, create_user):
    someone = create_user(Role.ASSESSOR, name="Sam Staff")
    changed = client.post(f"/admin/users/{someone.id}/role", data={"role": "tutor"})
    assert changed.status_code == 302
    assert reload(someone).role == "tutor"
    row = _audit("account.role_changed")[-1]
    assert (row.actor_id, row.object_id) == (admin.id, someone.id)
    assert row.before["role"] == "assessor" and row.after["role"] == "tutor"


def test_the_last_enabled_admin_cannot_be_demoted(client, as_admin, admin, create_user):
    refused = client.post(f"/admin/users/{admin.id}/role", data={"role": "tutor"})
    assert refused.status_code == 400
    assert "the last enabled admin" in refused.get_data(as_text=True)
    assert reload(admin).role == "admin"
    assert _audit("account.role_changed") == []

    disabled = create_user(Role.ADMIN)
    accounts.set_active(disabled, False)
    db.session.commit()
    with pytest.raises(ServiceError, match="last enabled admin"):
        roles.change_role(reload(admin), "tutor", by=None)

    create_user(Role.ADMIN, name="Second Admin")
    demoted = client.post(f"/admin/users/{admin.id}/role", data={"role": "tutor"})
    assert demoted.status_code == 302 and reload(admin).role == "tutor"
    assert client.get("/admin/").status_code == 403  # no longer an admin


def test_a_tutor_who_owns_groups_keeps_the_role_until_the_groups_have_another_tutor(
    client, as_admin, create_user, create_group
):
    tutor = create_user(Role.TUTOR, name="Tara Tutor")
    group = create_group("Taras group", tutor=tutor)
    refused = client.post(f"/admin/users/{tutor.id}/role", data={"role": "assessor"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "is the tutor of 1 group (&#39;Taras group&#39;)" in page
    assert "Give each group another tutor first" in page
    assert reload(tutor).role == "tutor"

    other = create_user(Role.TUTOR)
    client.post(f"/admin/groups/{group.id}/tutor", data={"tutor_id": str(other.id)})
    assert (
        client.post(f"/admin/users/{tutor.id}/role", data={"role": "assessor"}).status_code == 302
    )
    assert reload(tutor).role == "assessor"


def test_an_assessor_who_changes_role_stops_assessing_their_groups(
    client, as_admin, create_user, create_group
):
    assessor = create_user(Role.ASSESSOR, name="Asha")
    group = create_group("Assessed group", assessors=[assessor])
    changed = client.post(
        f"/admin/users/{assessor.id}/role", data={"role": "tutor"}, follow_redirects=True
    )
    assert "They no longer assess: Assessed group." in changed.get_data(as_text=True)
    assert reload(group).assessors == []
    assert _audit("group.assessor_removed")[-1].object_id == assessor.id


def test_a_learner_with_groups_stays_a_learner(client, as_admin, create_user, create_group):
    learner = create_user(Role.LEARNER)
    create_group("Learners' group", learners=[learner])
    refused = client.post(f"/admin/users/{learner.id}/role", data={"role": "tutor"})
    assert refused.status_code == 400 and reload(learner).role == "learner"
    assert client.post(f"/admin/users/{learner.id}/role", data={"role": "x"}).status_code == 400


def test_an_admin_creates_a_group_for_a_tutor_with_its_qualification(
    client, as_admin, admin, create_user
):
    tutor = create_user(Role.TUTOR, name="Tara Tutor")
    made = client.post(
        "/admin/groups/new",
        data={"name": "Monday VTCT", "tutor_id": str(tutor.id), "body_id": "vtct"},
    )
    assert made.status_code == 302
    group = db.session.scalar(select(Group).where(Group.name == "Monday VTCT"))
    assert group.tutor_id == tutor.id and group.body_id == "vtct"
    assert _audit("group.created")[-1].actor_id == admin.id
    listing = client.get("/admin/groups").get_data(as_text=True)
    assert "Monday VTCT" in listing and "No assessor" in listing

    for data in (
        {"name": "Other", "tutor_id": str(admin.id), "body_id": "vtct"},
        {"name": "Other", "tutor_id": str(tutor.id), "body_id": "nonsense"},
        {"name": "monday vtct", "tutor_id": str(tutor.id), "body_id": "vtct"},
    ):
        assert client.post("/admin/groups/new", data=data).status_code == 400, data
    db.session.rollback()
    assert db.session.scalar(select(func.count(Group.id))) == 1


def _emails_in_backup(path: Path) -> set[str]:
    """The users' emails in a backup the page wrote: a SQLite copy, or (PostgreSQL) a pg_dump
    archive, read back through pg_restore as plain SQL."""
    if path.suffix == ".dump":
        sql = subprocess.run(  # nosec B603 B607: pg_restore with fixed arguments
            ["pg_restore", "--data-only", "--table=users", "--file=-", str(path)],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        return set(re.findall(r"[\w.+-]+@[\w.-]+\.\w+", sql))
    copy = sqlite3.connect(path)
    try:
        return {row[0] for row in copy.execute("SELECT email FROM users")}
    finally:
        copy.close()


def test_a_backup_is_written_to_the_backup_folder_audited_and_offered_for_download(
    app, client, as_admin, admin
):
    folder = Path(app.config["BACKUP_DIR"])
    taken = client.post("/admin/backup", follow_redirects=True)
    page = taken.get_data(as_text=True)
    assert "Backup written to" in page and str(folder) in page
    files = list(folder.glob("crm-sandbox-*.*"))
    assert len(files) == 1
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"
    assert admin.email in _emails_in_backup(files[0])
    row = _audit("backup.taken")[-1]
    assert row.actor_id == admin.id and row.after["file"] == str(files[0])

    download = client.get(f"/admin/backup/download?name={files[0].name}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == files[0].read_bytes()
    download.close()
    assert _audit("backup.downloaded")[-1].actor_id == admin.id
    for name in ("../crm_sandbox.sqlite3", "secret_key", "crm-sandbox-1.sqlite3", ""):
        assert client.get(f"/admin/backup/download?name={name}").status_code == 404
