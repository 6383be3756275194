"""Sessions and headers: cookie flags, session timeouts, the Account page (the current password
guards a password or email change), security headers and a Content-Security-Policy that the
pages keep (no inline script or style), no `|safe` on user data, sanitised Markdown, local-only
`next`, and a configured maximum request size."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from crm_sandbox.cli import upgrade_database
from crm_sandbox.config import from_environment
from crm_sandbox.extensions import db
from crm_sandbox.models import Role, User, UserSession
from crm_sandbox.models.base import utcnow
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import tutoring
from crm_sandbox.web.filters import markdown

from .conftest import DEFAULT_PASSWORD, TEST_DATABASE_URL, dispose, make_app

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NEW_PASSWORD = "a brand new passphrase"


def _set_cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


# ---------------------------------------------------------------- cookies and sessions


def test_the_session_cookie_is_httponly_and_samesite_lax_and_no_remember_cookie_is_set(
    app, client, auth, create_user
):
    response = auth.login(create_user(Role.LEARNER).email)
    [cookie] = _set_cookie_headers(response, app.config["SESSION_COOKIE_NAME"])
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on a developer's machine
    assert not _set_cookie_headers(response, app.config.get("REMEMBER_COOKIE_NAME", "remember"))
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_cookies_are_marked_secure_when_configured_for_https(app_factory, create_user, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_SECURE_COOKIES", "1")
    secure_app = app_factory()
    assert secure_app.config["REMEMBER_COOKIE_SECURE"] is True
    user = create_user(Role.TUTOR)
    client = secure_app.test_client()
    response = client.post(
        "/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD},
        base_url="https://localhost",
    )
    [cookie] = _set_cookie_headers(response, secure_app.config["SESSION_COOKIE_NAME"])
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _age_session(user, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)):
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - idle, created_at=utcnow() - age)
    )
    db.session.commit()


def test_a_session_ends_after_the_configured_idle_time(app_factory, create_user, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_SESSION_IDLE_MINUTES", "5")
    short = app_factory()
    assert short.config["SESSION_IDLE_MINUTES"] == 5
    user = create_user(Role.LEARNER)
    client = short.test_client()
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    _age_session(user, idle=timedelta(minutes=4))
    assert client.get("/learner/").status_code == 200  # 4 idle minutes: still signed in
    _age_session(user, idle=timedelta(minutes=6))
    response = client.get("/learner/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_session_ends_after_the_maximum_age_even_when_active(
    app_factory, create_user, monkeypatch
):
    monkeypatch.setenv("CRM_SANDBOX_SESSION_MAX_HOURS", "2")
    short = app_factory()
    user = create_user(Role.LEARNER)
    client = short.test_client()
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    _age_session(user, age=timedelta(hours=1, minutes=59))
    assert client.get("/learner/").status_code == 200
    _age_session(user, age=timedelta(hours=2, minutes=1))  # seen just now, but too old
    assert client.get("/learner/").status_code == 302


def test_an_admin_disabling_a_user_signs_them_out_everywhere(app, create_user):
    admin, learner = create_user(Role.ADMIN), create_user(Role.LEARNER)
    laptop, phone, admins = app.test_client(), app.test_client(), app.test_client()
    for client, user in ((laptop, learner), (phone, learner), (admins, admin)):
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert laptop.get("/learner/").status_code == phone.get("/learner/").status_code == 200
    admins.post(f"/admin/users/{learner.id}/active")
    for client in (laptop, phone):
        assert client.get("/learner/").status_code == 302
    db.session.rollback()
    live = db.session.scalars(
        select(UserSession).where(
            UserSession.user_id == learner.id, UserSession.revoked_at.is_(None)
        )
    ).all()
    assert live == []


# ---------------------------------------------------------------- the Account page


def test_the_account_page_is_for_signed_in_users(client, auth, create_user):
    assert client.get("/account").status_code == 302
    auth.login(create_user(Role.ASSESSOR).email)
    page = client.get("/account")
    assert page.status_code == 200
    assert b"Change your password" in page.data and b"Current password" in page.data


def test_a_password_change_needs_the_current_password(app, client, auth, create_user):
    user = create_user(Role.LEARNER)
    auth.login(user.email)
    old_hash = user.password_hash
    refused = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 400
    assert b"current password is not right" in refused.data
    db.session.rollback()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_changing_the_password_signs_out_other_sessions_and_keeps_this_one(
    app, client, auth, create_user
):
    user = create_user(Role.TUTOR)
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    auth.login(user.email)
    changed = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert b"Your password is changed" in changed.data
    assert client.get("/tutor/").status_code == 200
    assert other_device.get("/tutor/").status_code == 302
    db.session.rollback()
    assert check_password_hash(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    auth.logout()
    assert auth.login(user.email, DEFAULT_PASSWORD).status_code == 200  # the old one fails
    assert auth.login(user.email, NEW_PASSWORD).status_code == 302


def test_a_new_password_must_be_long_enough_and_typed_twice_alike(client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    short = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert short.status_code == 400 and b"at least 8" in short.data
    mismatch = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD + "x",
        },
    )
    assert mismatch.status_code == 400 and b"not the same" in mismatch.data


def test_an_email_change_needs_the_current_password_and_a_free_address(
    app, client, auth, create_user
):
    user = create_user(Role.LEARNER, email="old@college.example.org")
    create_user(Role.LEARNER, email="taken@college.example.org")
    auth.login(user.email)
    wrong = client.post(
        "/account/email",
        data={"email": "new@college.example.org", "current_password": "wrong password"},
    )
    assert wrong.status_code == 400 and b"current password is not right" in wrong.data
    taken = client.post(
        "/account/email",
        data={"email": "Taken@college.example.org", "current_password": DEFAULT_PASSWORD},
    )
    assert taken.status_code == 400 and b"already exists" in taken.data
    db.session.rollback()
    assert db.session.get(User, user.id).email == "old@college.example.org"
    done = client.post(
        "/account/email",
        data={"email": "New@College.example.org", "current_password": DEFAULT_PASSWORD},
        follow_redirects=True,
    )
    assert b"You now sign in with new@college.example.org" in done.data
    auth.logout()
    assert auth.login("new@college.example.org").status_code == 302


def test_the_account_forms_ignore_fields_they_do_not_declare(app, client, auth, create_user):
    user = create_user(Role.LEARNER, name="Plain Learner")
    auth.login(user.email)
    extra = {"role": "admin", "active": "0", "id": "999", "name": "Renamed", "is_admin": "1"}
    client.post(
        "/account/email",
        data={"email": "moved@college.example.org", "current_password": DEFAULT_PASSWORD, **extra},
    )
    client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            **extra,
        },
    )
    db.session.rollback()
    after = db.session.get(User, user.id)
    assert after.email == "moved@college.example.org"  # the declared field was saved
    assert (after.role, after.active, after.name) == ("learner", True, "Plain Learner")
    assert client.get("/admin/").status_code == 403


# ---------------------------------------------------------------- headers and the CSP


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _assert_security_headers(response, where):
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (where, name)
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("form-action") == ["'self'"], where
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where


def test_every_kind_of_response_carries_the_security_headers(client, auth, create_user):
    for path in ("/login", "/healthz", "/static/app.css", "/no-such-page", "/tutor/"):
        with client.get(path) as response:
            _assert_security_headers(response, path)
    auth.login(create_user(Role.TUTOR).email)
    page = client.get("/tutor/")
    _assert_security_headers(page, "signed in")
    assert page.headers["Cache-Control"] == "no-store"
    _assert_security_headers(client.get("/admin/"), "a 403")


class _InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts, event-handler
    attributes, style attributes and <style> blocks, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}>")


def _inline_content(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def test_no_template_has_inline_script_or_style():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        for problem in _inline_content(path.read_text()):
            problems.append(f"{path.relative_to(TEMPLATES)}: {problem}")
    assert not problems, problems


def test_the_inline_finder_finds_what_the_policy_blocks():
    html = '<p style="x" onclick="y"><script>z</script><a href="javascript:1">a</a><style></style>'
    assert len(_inline_content(html)) == 5
    assert _inline_content('<script src="/static/app.js"></script><p class="x">') == []


def test_rendered_pages_of_every_role_keep_to_the_policy(app, client, auth, create_user):
    learner = create_user(Role.LEARNER)
    scenario, source = library_source("first-complaint")
    attempt = engine.start_attempt(learner, scenario, source)
    db.session.commit()
    pages = {}
    auth.login(learner.email)
    sid = attempt.sandbox_id
    for path in (
        "/learner/",
        f"/learner/scenarios/{attempt.id}",
        "/learner/criteria",
        "/account",
        f"/s/{sid}/",
        f"/s/{sid}/contacts",
        f"/s/{sid}/complaints",
        f"/s/{sid}/standards",
        f"/s/{sid}/feedback",
        f"/s/{sid}/improvements",
        f"/s/{sid}/organisation",
        f"/s/{sid}/log",
        f"/s/{sid}/contacts/new",
    ):
        pages[path] = client.get(path)
    auth.logout()
    auth.login(create_user(Role.ADMIN).email)
    for path in ("/admin/", "/tutor/", "/tutor/groups/new", "/tutor/import", "/assessor/"):
        pages[path] = client.get(path)
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert _inline_content(response.get_data(as_text=True)) == [], path
        _assert_security_headers(response, path)


# ---------------------------------------------------------------- escaping and Markdown

# Fields rendered with |safe, each sanitised before: (template, expression). Empty: the only
# HTML the app renders from text is Markdown, through the sanitising `markdown` filter.
SAFE_ALLOWED: set[tuple[str, str]] = set()
MARKDOWN_ALLOWED = {
    # the scenario's parts, shared by the learner's page and the tutor's library and preview
    ("learner/_scenario_parts.html", "scenario.brief"),
    ("learner/_scenario_parts.html", "task.instruction"),
    ("learner/_scenario_parts.html", "text"),  # a hint (the `hint` macro's argument)
}


def test_no_template_marks_user_data_safe():
    found, markdown_uses = set(), set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        name = str(path.relative_to(TEMPLATES))
        for expression in re.findall(r"\{\{\s*([^}|]+?)\s*\|\s*safe\b", text):
            found.add((name, expression))
        for expression in re.findall(r"\{\{\s*([^}|]+?)\s*\|\s*markdown\b", text):
            markdown_uses.add((name, expression))
        assert "autoescape false" not in text.replace(" ", " "), name
    assert found <= SAFE_ALLOWED, found - SAFE_ALLOWED
    assert markdown_uses <= MARKDOWN_ALLOWED, markdown_uses - MARKDOWN_ALLOWED


HOSTILE_MARKDOWN = (
    "Hello <script>alert(1)</script>\n\n"
    "[click me](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
    '<img src=x onerror="alert(3)"> <a href="https://example.org" onclick="alert(4)">x</a>\n\n'
    "**bold** and a [safe link](https://example.org/page)"
)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_markdown_is_sanitised():
    html = str(markdown(HOSTILE_MARKDOWN))
    tags = _tags(html)
    assert {tag for tag, _ in tags} <= {"p", "strong", "a"}, tags  # no script, no img
    for tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    assert [attrs["href"] for tag, attrs in tags if tag == "a"] == ["https://example.org/page"]
    assert "<strong>bold</strong>" in html
    # the refused markup is shown as text, escaped
    assert "&lt;script&gt;" in html and "<script" not in html


def test_a_tutors_scenario_brief_cannot_put_script_on_a_learners_page(
    app, client, auth, create_user
):
    tutor, learner = create_user(Role.TUTOR), create_user(Role.LEARNER)
    source = library_source("first-complaint")[1].replace("id: first-complaint", "id: hostile", 1)
    brief = "\n".join("  " + line for line in HOSTILE_MARKDOWN.splitlines())
    source = re.sub(r"^brief: \|\n", "brief: |\n" + brief + "\n", source, count=1, flags=re.M)
    authored = tutoring.save_authored(tutor, source, "hostile.yaml")
    tutoring.publish_authored(authored)
    tutoring.start_authored_attempts(authored, [learner], tutor)
    db.session.commit()
    attempt_id = engine_attempt_id(learner)
    auth.login(learner.email)
    page = client.get(f"/learner/scenarios/{attempt_id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in page  # the brief is shown, as Markdown
    assert "&lt;script&gt;alert(1)" in page and "<script>alert" not in page
    assert _inline_content(page) == []  # no handlers, no javascript: links
    assert "https://example.org/page" in page


def engine_attempt_id(learner) -> int:
    from crm_sandbox.services import assignments

    return assignments.attempts_of(learner)[0].id


# ---------------------------------------------------------------- where sign-in leads


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_follows_only_a_local_next_path(client, create_user, target):
    user = create_user(Role.LEARNER)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/", target


def test_sign_in_follows_a_local_next_path(client, create_user):
    user = create_user(Role.LEARNER)
    response = client.post(
        "/login",
        query_string={"next": "/learner/criteria"},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/learner/criteria"


# ---------------------------------------------------------------- request size


def test_the_maximum_request_size_comes_from_the_environment():
    assert from_environment({"CRM_SANDBOX_MAX_REQUEST_BYTES": "4096"}) == {
        "MAX_CONTENT_LENGTH": 4096
    }
    with pytest.raises(RuntimeError, match="MAX_REQUEST_BYTES"):
        from_environment({"CRM_SANDBOX_MAX_REQUEST_BYTES": "lots"})


def test_a_body_over_the_default_two_megabytes_gets_a_clear_413(app, client, auth, create_user):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    auth.login(create_user(Role.TUTOR).email)
    response = client.post("/tutor/groups/new", data={"name": "x" * (2 * 1024 * 1024 + 1)})
    assert response.status_code == 413
    assert b"larger than this site accepts (at most 2 MB)" in response.data
    assert b"Traceback" not in response.data


def test_a_smaller_configured_limit_refuses_an_upload_and_saves_nothing(
    app_factory, create_user, monkeypatch
):
    monkeypatch.setenv("CRM_SANDBOX_MAX_REQUEST_BYTES", "10000")
    small = app_factory()
    tutor = create_user(Role.TUTOR)
    client = small.test_client()
    client.post("/login", data={"email": tutor.email, "password": DEFAULT_PASSWORD})
    import io

    csv = b"name,email,role,group\n" + b"A Learner,a@college.example.org,learner,G\n" * 400
    response = client.post("/tutor/import", data={"file": (io.BytesIO(csv), "learners.csv")})
    assert response.status_code == 413 and b"at most 9.8 KB" in response.data
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "a@college.example.org")) is None


def test_the_sanitiser_cleans_even_markdown_that_lets_raw_html_through(monkeypatch):
    from markdown_it import MarkdownIt

    from crm_sandbox.web import filters

    # If the Markdown settings ever allowed raw HTML, nh3 would still remove what is unsafe.
    monkeypatch.setattr(filters, "_markdown", MarkdownIt("commonmark", {"html": True}))
    html = str(filters.markdown(HOSTILE_MARKDOWN))
    tags = _tags(html)
    assert {tag for tag, _ in tags} <= {"p", "strong", "a"}, tags
    assert all(not name.startswith("on") for _, attrs in tags for name in attrs)
    assert all(attrs.get("href", "").startswith("https:") for tag, attrs in tags if tag == "a")


def _wrong_current_password(client, form: str):
    if form == "password":
        data = {
            "current_password": "a guess",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        }
    else:
        data = {"current_password": "a guess", "email": "guesser@college.example.org"}
    return client.post(f"/account/{form}", data=data)


def test_guessing_the_current_password_on_the_account_page_is_rate_limited(
    app, client, auth, create_user
):
    """Both forms that check the current password share one allowance per account; when it is
    used up even the right password changes nothing until the limit has passed."""
    app.config["PASSWORD_CHECK_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    user = create_user(Role.LEARNER)
    auth.login(user.email)
    for form in ("password", "email", "password"):
        assert _wrong_current_password(client, form).status_code == 400
    for form in ("password", "email"):
        limited = _wrong_current_password(client, form)
        assert limited.status_code == 429
        assert b"Too many wrong current passwords" in limited.data
        assert b"Nothing was changed" in limited.data
    right = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert right.status_code == 429
    db.session.rollback()
    stored = db.session.get(User, user.id)
    assert check_password_hash(stored.password_hash, DEFAULT_PASSWORD)
    assert stored.email == user.email
    # another learner on the same machine has an allowance of their own
    other = app.test_client()
    other.post("/login", data={"email": create_user().email, "password": DEFAULT_PASSWORD})
    assert _wrong_current_password(other, "password").status_code == 400


def test_the_account_page_limit_counts_only_wrong_current_passwords(app, client, auth, create_user):
    app.config["PASSWORD_CHECK_RATE_LIMIT_ACCOUNT"] = "2 per minute"
    user = create_user(Role.TUTOR)
    auth.login(user.email)
    for n in range(4):  # right password each time: no allowance is used
        changed = client.post(
            "/account/email",
            data={"current_password": DEFAULT_PASSWORD, "email": f"me{n}@college.example.org"},
        )
        assert changed.status_code == 302
    short = client.post(  # refused for the new password, not the current one
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert short.status_code == 400
    for _ in range(2):
        assert _wrong_current_password(client, "email").status_code == 400
    assert _wrong_current_password(client, "email").status_code == 429


def test_the_account_page_limit_per_address_covers_every_account(app, create_user):
    app.config["PASSWORD_CHECK_RATE_LIMIT_ADDRESS"] = "2 per minute"
    clients = []
    for _ in range(3):
        c = app.test_client()
        c.post("/login", data={"email": create_user().email, "password": DEFAULT_PASSWORD})
        clients.append(c)
    assert _wrong_current_password(clients[0], "password").status_code == 400
    assert _wrong_current_password(clients[1], "email").status_code == 400
    assert _wrong_current_password(clients[2], "password").status_code == 429


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite files")
def test_a_new_sqlite_database_and_its_wal_files_are_readable_by_their_owner_only(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    old_umask = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        app = make_app(f"sqlite:///{path}", tmp_path / "instance")
        try:
            with app.app_context():
                upgrade_database()
                with db.engine.connect() as conn:  # the WAL files exist while it is open
                    conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
                    modes = {
                        p.name: stat.S_IMODE(p.stat().st_mode)
                        for p in tmp_path.glob("fresh.sqlite3*")
                    }
        finally:
            dispose(app)
    finally:
        os.umask(old_umask)
    assert set(modes) == {"fresh.sqlite3", "fresh.sqlite3-wal", "fresh.sqlite3-shm"}
    assert set(modes.values()) == {0o600}


def test_a_new_secret_key_signs_everyone_out_unless_the_old_one_is_a_fallback(
    app, client, auth, create_user
):
    auth.login(create_user(Role.LEARNER).email)
    assert client.get("/learner/").status_code == 200
    old_key = app.secret_key
    app.config["SECRET_KEY"] = "a-new-secret-key-for-this-test"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get("/learner/").status_code == 200  # the old key still reads the cookie
    app.config["SECRET_KEY_FALLBACKS"] = []
    response = client.get("/learner/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_frames_links_follow_the_script_root_the_app_is_mounted_at(client):
    assert 'href="/static/app.css"' in client.get("/login").get_data(as_text=True)
    mounted = client.get("/login", base_url="http://localhost/crm").get_data(as_text=True)
    assert 'href="/crm/static/app.css"' in mounted and 'href="/crm/"' in mounted
    assert 'href="/static/app.css"' in client.get("/login").get_data(as_text=True)
