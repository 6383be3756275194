"""Signing in and out: one message for every failure, rate limits, server-side sessions, CSRF."""

from __future__ import annotations

import re

from sqlalchemy import event
from werkzeug.security import check_password_hash

from crm_sandbox.access import public
from crm_sandbox.extensions import db, limiter
from crm_sandbox.models import Role, User, UserSession
from crm_sandbox.services import accounts
from crm_sandbox.web.auth.routes import BAD_SIGN_IN


def test_sign_in_page_shows_a_form_with_a_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data
    assert b'<label class="form-label" for="email">Email</label>' in page.data


def test_a_learner_signs_in_and_lands_on_their_home_page(client, auth, create_user):
    user = create_user(Role.LEARNER, name="Priya Shah")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/learner/"
    assert b"Hello, Priya Shah" in home.data


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(client, auth, create_user):
    user = create_user(Role.TUTOR)
    wrong = auth.login(user.email, "not the password")
    unknown = auth.login("nobody@college.example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert BAD_SIGN_IN.encode() in wrong.data
    assert BAD_SIGN_IN.encode() in unknown.data
    assert client.get("/tutor/").status_code == 302  # still signed out


def test_email_case_does_not_matter_for_sign_in(client, auth, create_user):
    user = create_user(Role.LEARNER, email="Mixed.Case@college.example.org")
    assert user.email == "mixed.case@college.example.org"
    assert auth.login("MIXED.case@College.Example.org").status_code == 302


def test_a_disabled_account_cannot_sign_in(client, auth, create_user):
    user = create_user(Role.LEARNER)
    accounts.set_active(user, False)
    db.session.commit()
    response = auth.login(user.email)
    assert BAD_SIGN_IN.encode() in response.data


def test_the_account_rate_limit_answers_429_after_too_many_attempts(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT_ACCOUNT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": "a@b.org", "password": "x"}).status_code == 200
    blocked = client.post("/login", data={"email": "a@b.org", "password": "x"})
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    # another account from the same address is not blocked by this account's limit
    other = client.post("/login", data={"email": "c@d.org", "password": "x"})
    assert other.status_code == 200


def test_the_address_rate_limit_covers_every_account_from_one_address(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT_ADDRESS="4 per minute")
    client = app.test_client()
    for n in range(4):
        response = client.post("/login", data={"email": f"u{n}@b.org", "password": "x"})
        assert response.status_code == 200
    assert client.post("/login", data={"email": "u9@b.org", "password": "x"}).status_code == 429
    assert client.get("/login").status_code == 200  # only attempts are limited


def test_sign_out_is_post_only(client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    assert client.get("/logout").status_code == 405
    assert client.get("/learner/").status_code == 200  # still signed in
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/learner/").status_code == 302


def test_a_cookie_copied_before_sign_out_no_longer_works(app, client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    auth.logout()

    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = thief.get("/learner/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_starts_a_new_session(app, client, auth, create_user):
    user = create_user(Role.LEARNER)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before sign-in"
    auth.login(user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
    db.session.rollback()
    rows = db.session.query(UserSession).filter_by(user_id=user.id).all()
    assert len(rows) == 1 and rows[0].revoked_at is None
    # the cookie carries a random token, not the user's id
    assert sess["_user_id"] != str(user.id)


def test_signing_in_twice_makes_two_sessions_and_signing_out_ends_only_one(app, create_user):
    user = create_user(Role.LEARNER)
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/login", data={"email": user.email, "password": "correct horse battery"})
    laptop.post("/logout")
    assert laptop.get("/learner/").status_code == 302
    assert phone.get("/learner/").status_code == 200


def test_a_form_post_without_its_csrf_token_is_refused_with_400(client, create_user):
    user = create_user(Role.LEARNER)
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}, csrf=False
    )
    assert response.status_code == 400
    assert b"security token" in response.data
    assert client.get("/learner/").status_code == 302


def test_sign_out_without_a_csrf_token_keeps_the_session(client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/learner/").status_code == 200


def test_after_sign_in_only_local_next_paths_are_followed(client, auth, create_user):
    user = create_user(Role.TUTOR)
    for target in ("https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com"):
        response = client.post(
            f"/login?next={target}",
            data={"email": user.email, "password": "correct horse battery"},
        )
        assert response.headers["Location"] == "/", target
        auth.logout()
    response = client.post(
        "/login?next=/tutor/", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.headers["Location"] == "/tutor/"


def test_passwords_are_hashed_with_scrypt_at_n_2_16_by_default(app_factory):
    app = app_factory(PASSWORD_HASH_METHOD=None)
    app.config.pop("PASSWORD_HASH_METHOD")
    with app.app_context():
        hashed = accounts.hash_password("a long enough password")
    assert hashed.startswith("scrypt:65536:8:1$")
    assert check_password_hash(hashed, "a long enough password")


def test_passwords_need_eight_characters_and_may_be_long(app):
    for short in ("", "1234567"):
        try:
            accounts.check_password(short)
        except accounts.ServiceError as exc:
            assert "at least 8" in exc.message
        else:
            raise AssertionError(f"{short!r} was accepted")
    long_password = "x" * 100
    user = accounts.create_user(
        name="Long", email="long@college.example.org", role="tutor", password=long_password
    )
    assert accounts.authenticate("long@college.example.org", long_password) == user


def test_disabling_an_account_ends_its_sessions(app, client, auth, create_user):
    user = create_user(Role.LEARNER)
    auth.login(user.email)
    assert client.get("/learner/").status_code == 200
    accounts.set_active(user, False)
    db.session.commit()
    assert client.get("/learner/").status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_failed_attempt_limit(app, create_user):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per minute"
    user = create_user(Role.LEARNER)
    for _ in range(5):  # a learner signing in on several machines in one minute
        signed = app.test_client().post(
            "/login", data={"email": user.email, "password": "correct horse battery"}
        )
        assert signed.status_code == 302
    guesser = app.test_client()
    for _ in range(3):
        assert (
            guesser.post("/login", data={"email": user.email, "password": "x"}).status_code == 200
        )
    assert guesser.post("/login", data={"email": user.email, "password": "x"}).status_code == 429


def test_a_sign_in_form_refused_before_any_password_check_does_not_count(app):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "2 per minute"
    client = app.test_client()
    for _ in range(4):  # no password: the form is refused before anything is checked
        assert client.post("/login", data={"email": "a@b.org"}).status_code == 200
    for _ in range(2):
        assert client.post("/login", data={"email": "a@b.org", "password": "x"}).status_code == 200
    assert client.post("/login", data={"email": "a@b.org", "password": "x"}).status_code == 429


def test_the_sign_out_button_carries_a_token_that_signs_out(client, auth, create_user):
    auth.login(create_user(Role.LEARNER).email)
    page = client.get("/learner/").get_data(as_text=True)
    button = re.search(
        r'<form method="post" action="/logout"[^>]*>\s*'
        r'<input type="hidden" name="csrf_token" value="([^"]+)">',
        page,
    )
    response = client.post("/logout", data={"csrf_token": button.group(1)}, csrf=False)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/learner/").status_code == 302


def test_a_route_limited_with_limiter_limit_needs_no_other_registration(app_factory):
    app = app_factory()

    @public
    @limiter.limit("2 per minute")
    def limited_probe():
        return "ok"

    app.add_url_rule("/limited-probe", "limited_probe", limited_probe)
    client = app.test_client()
    assert [client.get("/limited-probe").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/login").status_code == 200  # other routes carry no limit


def test_a_live_session_loads_its_user_row_in_one_query(app, create_user):
    user = create_user(Role.LEARNER)
    user_id = user.id
    token = accounts.start_session(user)
    db.session.commit()
    db.session.close()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's transaction start is not a query
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        loaded, stale = accounts.load_session_user(token)
        # everything a page or a service asks of the user is already loaded
        assert isinstance(loaded, User) and loaded.id == user_id and not stale
        assert loaded.get_id() == token and loaded.is_active and loaded.role == "learner"
        assert db.session.get(User, user_id) is loaded
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
