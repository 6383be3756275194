"""Shared fixtures: an app with its own database per test, a client that sends CSRF tokens,
an `auth` helper and `create_*` factories.

The database is SQLite (a copy of a migrated template file, per test) unless
CRM_SANDBOX_TEST_DATABASE_URL names a PostgreSQL database; then the schema is migrated once and
every table is emptied before each test.
"""

from __future__ import annotations

import contextvars
import os
import secrets
import shutil
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

from crm_sandbox import create_app
from crm_sandbox.cli import upgrade_database
from crm_sandbox.database import reset_transaction_mode, set_read_only_transactions
from crm_sandbox.extensions import db
from crm_sandbox.models import Base, Role
from crm_sandbox.services import accounts

TEST_DATABASE_URL = os.environ.get("CRM_SANDBOX_TEST_DATABASE_URL", "")
FAST_HASH = "scrypt:1024:8:1"  # the production cost is tested on its own; tests hash faster
DEFAULT_PASSWORD = "correct horse battery"


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "LOGIN_RATE_LIMIT_ADDRESS": "1000 per minute",
        "LOGIN_RATE_LIMIT_ACCOUNT": "1000 per minute",
        "PASSWORD_CHECK_RATE_LIMIT_ADDRESS": "1000 per minute",
        "PASSWORD_CHECK_RATE_LIMIT_ACCOUNT": "1000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def make_app(database_url: str, instance_path: Path, **extra):
    os.environ["CRM_SANDBOX_INSTANCE_PATH"] = str(instance_path)
    try:
        return create_app({**base_config(database_url), **extra})
    finally:
        del os.environ["CRM_SANDBOX_INSTANCE_PATH"]


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once: a template SQLite file to copy, or the PostgreSQL schema to reuse."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        url = TEST_DATABASE_URL
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{path}"
    app = make_app(url, tmp_path_factory.mktemp("template-instance"))
    with app.app_context():
        upgrade_database()
    dispose(app)
    return url


def fresh_database_url(template_url: str, tmp_path: Path) -> str:
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            # replica role: the action log's guard triggers do not fire for this clean-up
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # a test that disabled the log's guards (to simulate tampering) must not leave
            # them off for the tests after it
            conn.execute(text("ALTER TABLE action_log ENABLE TRIGGER USER"))
        engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_factory(database_template, tmp_path):
    """Build apps on this test's own database, with config overrides; disposed afterwards."""
    made = []
    url = fresh_database_url(database_template, tmp_path)

    def build(**extra):
        app = make_app(url, tmp_path / "instance", **extra)
        app.test_client_class = CSRFClient
        made.append(app)
        return app

    yield build
    for app in made:
        dispose(app)


@pytest.fixture
def app(app_factory):
    """The app, with an app context for the test's own queries.

    The test's own session reads in deferred transactions, so a read in the test never holds the
    SQLite write lock that a request under test needs; call `db.session.rollback()` to see what a
    request has written since.
    """
    app = app_factory()
    app.test_client_class = CSRFClient
    token = set_read_only_transactions(True)
    try:
        with app.app_context():
            yield app
    finally:
        reset_transaction_mode(token)


def _end_test_transaction() -> None:
    if has_app_context():
        db.session.commit()


class CSRFClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts (pass csrf=False to omit it).

    Each request runs in an empty context, so it gets its own app context, `g` and database
    session as in production, rather than sharing the test's. The test's own session commits
    around each request, so the request sees what the test wrote and the test then reads what
    the request wrote (objects reload on next access).
    """

    def open(self, *args, **kwargs):
        _end_test_transaction()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            _end_test_transaction()

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            if "csrf_token" not in sess:
                sess["csrf_token"] = os.urandom(20).hex()
            raw = sess["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf:
            data = dict(kwargs.get("data") or {})
            data.setdefault("csrf_token", self.csrf_token())
            # as a freshly shown create form carries (ignored by other forms)
            data.setdefault("form_token", secrets.token_urlsafe(24))
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_user(app):
    """Factory: a committed user with a role; the password is DEFAULT_PASSWORD unless given."""
    counter = {"n": 0}

    def make(
        role: Role | str = Role.LEARNER,
        email: str | None = None,
        name: str | None = None,
        password: str = DEFAULT_PASSWORD,
    ):
        counter["n"] += 1
        role = Role(role)
        user = accounts.create_user(
            name=name or f"{role.label} {counter['n']}",
            email=email or f"{role.value}{counter['n']}@college.example.org",
            role=role,
            password=password,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def create_group(app, create_user):
    from crm_sandbox.services import groups

    def make(name: str = "Group A", tutor=None, learners=(), assessors=()):
        group = groups.create_group(name=name, tutor=tutor or create_user(Role.TUTOR))
        for person in (*learners, *assessors):
            groups.add_member(group, person, by=None)
        db.session.commit()
        return group

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD, follow_redirects=False):
        return self.client.post(
            "/login",
            data={"email": email, "password": password},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def provision(app, create_user):
    """Factory: a learner (made if not given) with a committed small practice sandbox."""
    from crm_sandbox.services import provisioning

    def make(learner=None, size: str = "small", seed: int = 1, profile: str = "retail"):
        learner = learner or create_user(Role.LEARNER)
        sandbox = provisioning.provision(learner, profile=profile, seed=seed, size=size)
        db.session.commit()
        return sandbox

    return make


@pytest.fixture
def ctx_for():
    """A SandboxContext acting as the sandbox's owner."""
    from crm_sandbox.services.context import SandboxContext

    def make(sandbox, actor=None):
        return SandboxContext(sandbox, actor if actor is not None else sandbox.owner)

    return make


@pytest.fixture
def frozen(monkeypatch):
    """Freeze real time for the business clock, and set a sandbox's time exactly:
    `frozen(sandbox, "2026-03-06 15:00")`."""
    from datetime import UTC, datetime

    from crm_sandbox.services import clock
    from crm_sandbox.services.provisioning import batch, copying, templates

    # Both the clock and provisioning (which anchors a new sandbox's clock) read the frozen
    # time: a sandbox provisioned inside the test starts exactly at its start time.
    real_now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: real_now)
    for module in (templates, copying, batch):
        monkeypatch.setattr(module, "utcnow", lambda: real_now)

    def at(sandbox, when: str):
        clock.set_sandbox_time(sandbox, datetime.fromisoformat(when))
        db.session.flush()

    return at


# ---------------------------------------------------------------- lines for the end of the run
# A test adds a line with the `summary_line` fixture (e.g. how many access-matrix cases ran);
# pytest prints them after its own summary, so they show even with `pytest -q`.
_SUMMARY_LINES = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(_SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("security summary")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def summary_line(request):
    def add(line: str) -> None:
        request.config.stash.setdefault(_SUMMARY_LINES, []).append(line)

    return add
