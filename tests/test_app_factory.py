"""The app factory: settings, the instance secret key, the production check, the database."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from crm_sandbox import create_app
from crm_sandbox.config import from_environment
from crm_sandbox.database import write_transactions
from crm_sandbox.deploy_checks import deploy_problems
from crm_sandbox.extensions import db
from crm_sandbox.models import Role, User
from crm_sandbox.wsgi_check import create_production_app

from .conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite engine behaviour")


def test_each_test_gets_its_own_empty_database(app, create_user):
    assert db.session.scalar(select(User)) is None
    create_user(Role.ADMIN)
    assert db.session.scalar(select(User)).role == "admin"


def test_and_the_next_test_does_not_see_the_previous_ones_rows(app):
    assert db.session.scalar(select(User)) is None


def test_settings_come_from_crm_sandbox_environment_variables():
    found = from_environment(
        {
            "CRM_SANDBOX_DATABASE_URL": "postgresql+psycopg://db/crm",
            "CRM_SANDBOX_SECRET_KEY": "k" * 40,
            "CRM_SANDBOX_SECURE_COOKIES": "yes",
            "OTHER_SECRET_KEY": "ignored",
        }
    )
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/crm"
    assert found["SECRET_KEY"] == "k" * 40
    assert found["SESSION_COOKIE_SECURE"] is True and found["REMEMBER_COOKIE_SECURE"] is True


def test_a_bad_environment_value_is_named_clearly():
    with pytest.raises(RuntimeError, match="CRM_SANDBOX_SECURE_COOKIES"):
        from_environment({"CRM_SANDBOX_SECURE_COOKIES": "perhaps"})


def test_without_a_secret_key_one_is_generated_into_the_instance_folder_and_reused(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CRM_SANDBOX_SECRET_KEY", raising=False)
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"}
    first = create_app(config)
    second = create_app(config)
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert first.secret_key == second.secret_key == key_file.read_text()
    assert len(first.secret_key) >= 64
    assert first.secret_key != "testing-only-secret-key"


def test_the_fixed_secret_key_is_only_used_under_testing(app):
    assert app.config["TESTING"] is True
    assert app.secret_key == "testing-only-secret-key"


def test_a_production_start_refuses_debug_and_insecure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_SANDBOX_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("CRM_SANDBOX_DEBUG", "1")
    monkeypatch.setenv("CRM_SANDBOX_SECURE_COOKIES", "0")
    with pytest.raises(SystemExit) as refused:
        create_production_app()
    message = str(refused.value)
    assert "debug is on" in message and "Secure" in message

    monkeypatch.setenv("CRM_SANDBOX_DEBUG", "0")
    monkeypatch.setenv("CRM_SANDBOX_SECURE_COOKIES", "1")
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = create_production_app()
    assert deploy_problems(app.config) == []
    assert app.config["SESSION_COOKIE_SECURE"] is True


@sqlite_only
def test_sqlite_is_opened_with_wal_foreign_keys_busy_timeout_and_normal_sync(app):
    conn = db.session.connection()
    assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def _other_writer_can_take_the_lock(database_path: str) -> bool:
    other = sqlite3.connect(database_path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


@sqlite_only
def test_write_transactions_take_the_sqlite_write_lock_before_their_first_read(app):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    db.session.rollback()
    with write_transactions():
        db.session.execute(text("SELECT 1"))  # only a read so far
        assert not _other_writer_can_take_the_lock(path)
        db.session.rollback()
    assert _other_writer_can_take_the_lock(path)


@sqlite_only
def test_read_only_requests_do_not_hold_the_write_lock(app):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    db.session.rollback()
    db.session.execute(text("SELECT 1"))  # the test session reads like a GET request
    assert _other_writer_can_take_the_lock(path)
    db.session.rollback()


def test_error_pages_show_no_traceback(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    from crm_sandbox.access import public

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("internal detail that must not leak")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"internal detail" not in response.data and b"Traceback" not in response.data
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and b"Not found" in missing.data


def test_bootstrap_is_served_by_the_app_not_a_cdn(client):
    page = client.get("/login").data.decode()
    assert "cdn" not in page.lower()
    assert "/bootstrap/static/css/bootstrap.min.css" in page
    css = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert css.status_code == 200 and css.content_type.startswith("text/css")
    css.close()


def test_health_check_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
