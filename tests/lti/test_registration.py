"""The admin registers a platform (validated, audited), sees what the platform needs from us and
the refused launches; nobody else reaches these pages. Also the key set, the command line and
the launch data's expiry."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import LtiLaunchValue, LtiRegistration, Role, StaffAuditEntry
from crm_sandbox.models.base import utcnow
from crm_sandbox.services.lti import keys, storage

from .launching import launch, register

FORM = {
    "name": "College Moodle",
    "issuer": "https://moodle.college.example.org",
    "client_id": "abc123",
    "deployment_ids": "1\n2, 3",
    "auth_login_url": "https://moodle.college.example.org/mod/lti/auth.php",
    "auth_token_url": "https://moodle.college.example.org/mod/lti/token.php",
    "key_set_url": "https://moodle.college.example.org/mod/lti/certs.php",
    "auth_audience": "",
}


@pytest.fixture
def admin(client, auth, create_user):
    user = create_user(Role.ADMIN, email="admin@college.example.org")
    auth.login(user.email)
    return user


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_admin_page_shows_the_urls_the_platform_needs_from_us(client, admin):
    page = _page(client.get("/admin/lti"))
    for url in (
        "http://localhost/lti/login",
        "http://localhost/lti/launch",
        "http://localhost/lti/jwks",
    ):
        assert url in page
    assert "No platform is registered yet." in page
    assert "LTI platforms" in _page(client.get("/admin/"))


def test_an_admin_registers_a_platform_and_the_change_is_audited(client, admin):
    response = client.post("/admin/lti/new", data=FORM)
    assert response.status_code == 302
    db.session.rollback()
    row = db.session.scalar(select(LtiRegistration))
    assert row.deployment_ids == ["1", "2", "3"] and row.active
    entry = db.session.scalar(
        select(StaffAuditEntry).where(StaffAuditEntry.verb == "lti.registration_created")
    )
    assert entry.actor_id == admin.id and entry.after["client_id"] == "abc123"
    assert "College Moodle" in _page(client.get("/admin/lti"))


def test_editing_and_deactivating_a_platform_are_audited(client, admin):
    client.post("/admin/lti/new", data=FORM)
    db.session.rollback()
    row = db.session.scalar(select(LtiRegistration))
    assert FORM["key_set_url"] in _page(client.get(f"/admin/lti/{row.id}"))
    changed = dict(FORM, deployment_ids="1\n4")
    assert client.post(f"/admin/lti/{row.id}", data=changed).status_code == 302
    assert client.post(f"/admin/lti/{row.id}/deactivate").status_code == 302
    db.session.rollback()
    assert row.deployment_ids == ["1", "4"] and row.active is False
    verbs = list(db.session.scalars(select(StaffAuditEntry.verb).order_by(StaffAuditEntry.id)))
    assert verbs[-2:] == ["lti.registration_changed", "lti.registration_deactivated"]
    change = db.session.scalar(
        select(StaffAuditEntry).where(StaffAuditEntry.verb == "lti.registration_changed")
    )
    assert change.before == {"deployment_ids": ["1", "2", "3"]}
    assert change.after == {"deployment_ids": ["1", "4"]}
    assert client.post(f"/admin/lti/{row.id}/activate").status_code == 302
    db.session.rollback()
    assert row.active is True


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("auth_login_url", "http://moodle.college.example.org/auth", "must start https://"),
        ("key_set_url", "not a url", "cannot contain spaces"),
        ("key_set_url", "moodle.college.example.org/certs", "full web address"),
        ("client_id", "", "is needed"),
        ("deployment_ids", " \n ", "at least one deployment id"),
        ("name", "", "is needed"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(client, admin, field, value, message):
    response = client.post("/admin/lti/new", data=dict(FORM, **{field: value}))
    assert response.status_code == 422
    assert message in _page(response)
    db.session.rollback()
    assert db.session.scalar(select(LtiRegistration)) is None


def test_local_http_urls_are_accepted_for_testing(client, admin):
    local = {
        k: v.replace("https://moodle.college.example.org", "http://127.0.0.1:8080")
        for k, v in FORM.items()
    }
    assert client.post("/admin/lti/new", data=local).status_code == 302


def test_an_issuer_and_client_id_are_registered_once(client, admin):
    client.post("/admin/lti/new", data=FORM)
    again = client.post("/admin/lti/new", data=dict(FORM, name="Again"))
    assert again.status_code == 422
    assert "already registers this issuer with this client id" in _page(again)
    other_client = client.post("/admin/lti/new", data=dict(FORM, name="Second", client_id="x"))
    assert other_client.status_code == 302


def test_the_admin_page_lists_refused_launches(client, platform, app, admin):
    register(platform)
    stranger = app.test_client()
    launch(stranger, platform, sub="learner-1", signing={"lifetime": -120})
    page = _page(client.get("/admin/lti"))
    assert "expired token" in page and platform.issuer in page


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TUTOR, Role.ASSESSOR, Role.EQA])
def test_nobody_but_an_admin_reaches_the_registration_pages(client, auth, create_user, role):
    client.post("/logout")
    user = create_user(role)
    auth.login(user.email)
    assert client.get("/admin/lti").status_code == 403
    assert client.get("/admin/lti/new").status_code == 403
    assert client.post("/admin/lti/new", data=FORM).status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(LtiRegistration)) is None


def test_the_key_set_is_public_and_rotation_keeps_the_old_key_published(app, client, runner):
    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kid"] == keys.current().kid
    assert "d" not in first[0]  # the public half only
    result = runner.invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    after = client.get("/lti/jwks").get_json()["keys"]
    assert [k["kid"] for k in after] == [keys.current().kid, first[0]["kid"]]


def test_the_command_line_lists_the_registrations(runner, platform):
    assert "No platform is registered" in runner.invoke(args=["lti", "registrations"]).output
    register(platform)
    output = runner.invoke(args=["lti", "registrations"]).output
    assert platform.name in output and platform.key_set_url in output


def test_expired_launch_data_is_ignored_and_purged(app):
    stored = storage.DatabaseLaunchDataStorage()
    stored.set_value("lti1p3-nonce-old", True, exp=60)
    stored.set_value("lti1p3-nonce-new", True, exp=60)
    db.session.get(LtiLaunchValue, "lti1p3-nonce-old").expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert stored.check_value("lti1p3-nonce-old") is False
    assert stored.consume_value("lti1p3-nonce-old") is False
    assert storage.purge_expired() == 1
    assert storage.stored_keys() == ["lti1p3-nonce-new"]
    assert stored.consume_value("lti1p3-nonce-new") is True
    assert stored.consume_value("lti1p3-nonce-new") is False  # single use
    db.session.rollback()
