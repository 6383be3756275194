"""Personal data (UK GDPR): a learner downloads everything held about them; an admin erases a
learner, and the action logs still verify; the log allows no other change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Erasure, Role, User, UserSession
from crm_sandbox.services import action_log, contacts, interactions, personal_data

from .conftest import DEFAULT_PASSWORD


@pytest.fixture
def worked(provision, ctx_for, create_user):
    """A learner with a practice sandbox they have worked in."""
    learner = create_user(Role.LEARNER, name="Priya Shah", email="priya@college.example.org")
    sandbox = provision(learner)
    ctx = ctx_for(sandbox)
    contact = contacts.create_contact(
        ctx, {"first_name": "Ada", "last_name": "Lovelace", "notes": "Rang about a refund"}
    )
    interactions.log_interaction(
        ctx,
        contact,
        {
            "channel": "phone",
            "direction": "inbound",
            "initiative": "reactive",
            "summary": "Customer asked where her refund is",
        },
    )
    db.session.commit()
    return learner, sandbox


def payloads(sandbox_id: int) -> list:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(ActionLogEntry.payload)
            .where(ActionLogEntry.sandbox_id == sandbox_id)
            .order_by(ActionLogEntry.seq)
        )
    )


def test_a_learner_downloads_all_their_personal_data_as_json(client, auth, worked, provision):
    learner, sandbox = worked
    other = provision()  # another learner's work must not appear
    auth.login(learner.email)
    home = client.get("/learner/")
    assert b"/learner/my-data.json" in home.data
    response = client.get("/learner/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "priya@college.example.org"
    assert data["account"]["name"] == "Priya Shah"
    assert len(data["sessions"]) == 1
    assert [s["id"] for s in data["sandboxes"]] == [sandbox.id]
    log = data["sandboxes"][0]["action_log"]
    verbs = [e["verb"] for e in log]
    assert "contact.created" in verbs and "interaction.logged" in verbs
    logged = next(e for e in log if e["verb"] == "interaction.logged")
    assert logged["by_you"] is True
    assert "Customer asked where her refund is" in json.dumps(logged["payload"])
    assert other.id not in [s["id"] for s in data["sandboxes"]]


def test_the_personal_data_download_is_for_learners_only(client, auth, create_user):
    tutor = create_user(Role.TUTOR)
    auth.login(tutor.email)
    assert client.get("/learner/my-data.json").status_code == 403


def test_an_admin_erases_a_learner_and_the_logs_still_verify(
    app, client, auth, worked, create_user
):
    learner, sandbox = worked
    learner_id, sandbox_id = learner.id, sandbox.id
    # the learner is signed in elsewhere
    learner_client = app.test_client()
    learner_client.post("/login", data={"email": learner.email, "password": DEFAULT_PASSWORD})
    assert learner_client.get("/learner/").status_code == 200
    before = len(payloads(sandbox_id))

    admin = create_user(Role.ADMIN)
    auth.login(admin.email)
    page = client.get(f"/admin/users/{learner_id}/erase")
    assert page.status_code == 200 and b"cannot be undone" in page.data
    wrong = client.post(
        f"/admin/users/{learner_id}/erase", data={"confirm_email": "someone@else.org"}
    )
    assert wrong.status_code == 422 and b"nothing was erased" in wrong.data
    db.session.rollback()
    assert db.session.get(User, learner_id).name == "Priya Shah"

    done = client.post(
        f"/admin/users/{learner_id}/erase",
        data={"confirm_email": "PRIYA@college.example.org"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and b"personal data is erased" in done.data
    db.session.rollback()
    user = db.session.get(User, learner_id)
    assert user.name == "Erased user"
    assert user.email == f"erased-user-{learner_id}@invalid"
    assert user.password_hash == ""
    assert not user.active
    assert (
        db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == learner_id)
        )
        == 0
    )
    # their session has ended and no password signs them in any more
    assert learner_client.get("/learner/").status_code == 302

    entries = payloads(sandbox_id)
    assert len(entries) == before + 1
    assert all(p is None for p in entries[:-1])
    assert "Priya" not in json.dumps(entries[-1])
    last = action_log.entries(sandbox_id, limit=1)[0]
    assert last.verb == "personal_data_erased" and last.actor_id == admin.id
    assert action_log.verify(sandbox_id).ok
    erasure = db.session.scalar(select(Erasure).where(Erasure.user_id == learner_id))
    assert erasure.erased_by_id == admin.id and erasure.log_payloads_erased == before
    # erased once: the admin page says so instead of erasing again
    again = client.get(f"/admin/users/{learner_id}/erase", follow_redirects=True)
    assert b"already been erased" in again.data


def test_an_erased_learner_cannot_sign_in(client, auth, worked):
    learner, _ = worked
    email = learner.email
    personal_data.erase_learner(learner)
    db.session.commit()
    response = auth.login(email)
    assert response.status_code != 302
    response = auth.login(f"erased-user-{learner.id}@invalid")
    assert response.status_code != 302


def test_users_erase_command_erases_and_verifies(runner, worked):
    learner, sandbox = worked
    result = runner.invoke(args=["users", "erase", "--email", learner.email, "--yes"])
    assert result.exit_code == 0, result.output
    assert "still verify" in result.output
    db.session.rollback()
    assert db.session.get(User, learner.id).email == f"erased-user-{learner.id}@invalid"
    assert action_log.verify(sandbox.id).ok
    again = runner.invoke(args=["users", "erase", "--email", learner.email, "--yes"])
    assert again.exit_code == 1 and "already been erased" in again.output


def test_users_erase_refuses_staff_and_unknown_accounts(runner, create_user):
    tutor = create_user(Role.TUTOR)
    result = runner.invoke(args=["users", "erase", "--email", tutor.email, "--yes"])
    assert result.exit_code == 1 and "Only learners' accounts" in result.output
    db.session.rollback()
    assert db.session.get(User, tutor.id).email == tutor.email
    result = runner.invoke(args=["users", "erase", "--email", "nobody@x.org", "--yes"])
    assert result.exit_code == 1 and "No account" in result.output


def test_users_export_command_writes_the_learners_data(runner, worked, tmp_path):
    learner, _ = worked
    out = tmp_path / "data.json"
    result = runner.invoke(args=["users", "export", "--email", learner.email, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["account"]["email"] == learner.email


def raw(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE action_log SET verb = 'x' WHERE sandbox_id = :s",
        "UPDATE action_log SET payload = NULL, verb = 'x' WHERE sandbox_id = :s",
        "UPDATE action_log SET payload = NULL, entry_hash = 'x' WHERE sandbox_id = :s",
        "UPDATE action_log SET payload = NULL, actor_id = NULL WHERE sandbox_id = :s",
        'UPDATE action_log SET payload = \'{"actor": "x"}\' WHERE sandbox_id = :s',
        "DELETE FROM action_log WHERE sandbox_id = :s",
    ],
)
def test_the_log_allows_no_change_but_erasing_a_payload(worked, sql):
    _, sandbox = worked
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql, s=sandbox.id)
    db.session.rollback()
    raw("UPDATE action_log SET payload = NULL WHERE sandbox_id = :s", s=sandbox.id)
    assert all(p is None for p in payloads(sandbox.id))
    assert action_log.verify(sandbox.id).ok


def test_an_admin_downloads_a_learners_data_for_a_subject_access_request(
    client, auth, worked, create_user
):
    learner, _ = worked
    tutor = create_user(Role.TUTOR)
    auth.login(tutor.email)
    assert client.get(f"/admin/users/{learner.id}/data.json").status_code == 403
    auth.logout()
    admin = create_user(Role.ADMIN)
    auth.login(admin.email)
    response = client.get(f"/admin/users/{learner.id}/data.json")
    assert response.status_code == 200
    assert json.loads(response.data)["account"]["email"] == learner.email
    assert client.get(f"/admin/users/{tutor.id}/data.json").status_code == 404
    assert client.get(f"/admin/users/{tutor.id}/erase").status_code == 404
