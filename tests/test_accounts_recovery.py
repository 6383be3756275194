"""Accounts that recover: a tutor's or an admin's reset gives a one-time password, a one-time
or first password must be replaced at the next sign-in, `users set-password` on the command
line, and the sign-in page says what to do about a forgotten password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import Role, StaffAuditEntry, User
from crm_sandbox.services import accounts, tutoring
from crm_sandbox.services.errors import NotFound, ServiceError
from crm_sandbox.web.auth.routes import BAD_SIGN_IN

from .conftest import DEFAULT_PASSWORD

NEW_PASSWORD = "my own long passphrase"


@pytest.fixture
def tutor(create_user):
    return create_user(Role.TUTOR, name="Tara Tutor")


@pytest.fixture
def learner(create_user):
    return create_user(Role.LEARNER, name="Lena Learner")


@pytest.fixture
def group(create_group, tutor, learner):
    return create_group("Tuesday group", tutor=tutor, learners=[learner])


def signed_in(app, user, password=DEFAULT_PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data
    return client


def one_time_password(page) -> str:
    found = re.search(
        r'<code class="one-time-password">([^<]+)</code>', page.get_data(as_text=True)
    )
    assert found, page.get_data(as_text=True)
    return found.group(1)


def tutor_resets(app, tutor, group, learner) -> str:
    page = signed_in(app, tutor).post(
        f"/tutor/groups/{group.id}/learners/{learner.id}/reset-password"
    )
    assert page.status_code == 200
    return one_time_password(page)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def resets() -> list[StaffAuditEntry]:
    query = select(StaffAuditEntry).where(StaffAuditEntry.verb.like("account.password_%"))
    return list(db.session.scalars(query.order_by(StaffAuditEntry.id)))


# ---------------------------------------------------------------- the whole journey


def test_a_locked_out_learner_gets_back_in_through_their_tutor(app, tutor, group, learner):
    locked_out = app.test_client()
    forgotten = locked_out.post("/login", data={"email": learner.email, "password": "I forget"})
    assert BAD_SIGN_IN.encode() in forgotten.data

    # The tutor finds the learner on the group's page and resets the password.
    tutor_client = signed_in(app, tutor)
    group_page = tutor_client.get(f"/tutor/groups/{group.id}").get_data(as_text=True)
    assert f"/tutor/groups/{group.id}/learners/{learner.id}/reset-password" in group_page
    shown = tutor_client.post(f"/tutor/groups/{group.id}/learners/{learner.id}/reset-password")
    assert b"shown only this once" in shown.data
    one_time = one_time_password(shown)
    assert re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", one_time)

    # The learner signs in with it and is sent to choose their own before anything else.
    signed = locked_out.post("/login", data={"email": learner.email, "password": one_time})
    assert signed.headers["Location"] == "/account/new-password"
    assert locked_out.get("/learner/").headers["Location"] == "/account/new-password"
    chosen = locked_out.post(
        "/account/new-password",
        data={
            "current_password": one_time,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert chosen.headers["Location"] == "/"
    home = locked_out.get("/", follow_redirects=True)
    assert home.request.path == "/learner/"
    assert b"Hello, Lena Learner" in home.data

    # Afterwards only the password they chose works.
    locked_out.post("/logout")
    again = app.test_client()
    refused = again.post("/login", data={"email": learner.email, "password": one_time})
    assert BAD_SIGN_IN.encode() in refused.data
    refused = again.post("/login", data={"email": learner.email, "password": DEFAULT_PASSWORD})
    assert BAD_SIGN_IN.encode() in refused.data
    assert again.post("/login", data={"email": learner.email, "password": NEW_PASSWORD}).headers[
        "Location"
    ] == ("/")


# ---------------------------------------------------------------- resets by staff


def test_a_reset_signs_the_learner_out_everywhere(app, tutor, group, learner):
    learners_browser = signed_in(app, learner)
    assert learners_browser.get("/learner/").status_code == 200
    tutor_resets(app, tutor, group, learner)
    assert learners_browser.get("/learner/").headers["Location"].startswith("/login")


def test_a_reset_is_staff_audited_without_the_password(app, tutor, group, learner):
    one_time = tutor_resets(app, tutor, group, learner)
    (row,) = resets()
    assert (row.verb, row.actor_id, row.object_id, row.learner_id, row.group_id) == (
        "account.password_reset",
        tutor.id,
        learner.id,
        learner.id,
        group.id,
    )
    assert one_time not in repr((row.before, row.after))
    assert reload(learner).must_change_password


def test_a_tutor_cannot_reset_a_learner_outside_their_own_groups(
    app, create_user, create_group, tutor, group
):
    other_learner = create_user(Role.LEARNER)
    other_group = create_group("Other group", learners=[other_learner])
    hash_before = other_learner.password_hash
    client = signed_in(app, tutor)
    for path in (
        f"/tutor/groups/{other_group.id}/learners/{other_learner.id}/reset-password",
        f"/tutor/groups/{group.id}/learners/{other_learner.id}/reset-password",
    ):
        assert client.post(path).status_code == 404
    assert reload(other_learner).password_hash == hash_before
    assert resets() == []


def test_only_an_admin_resets_staff_and_nobody_resets_their_own(create_user, tutor):
    colleague = create_user(Role.TUTOR)
    admin = create_user(Role.ADMIN)
    with pytest.raises(NotFound):
        accounts.reset_password(colleague, tutor)
    with pytest.raises(ServiceError, match="your Account page"):
        accounts.reset_password(admin, admin)
    db.session.rollback()
    assert accounts.reset_password(colleague, admin)
    assert reload(colleague).must_change_password


def test_an_admin_resets_a_tutor_from_the_users_list(app, create_user, tutor):
    admin = create_user(Role.ADMIN)
    client = signed_in(app, admin)
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{tutor.id}/reset-password" in users_page
    assert f"/admin/users/{admin.id}/reset-password" not in users_page
    one_time = one_time_password(client.post(f"/admin/users/{tutor.id}/reset-password"))
    assert accounts.authenticate(tutor.email, one_time).id == tutor.id
    assert accounts.authenticate(tutor.email, DEFAULT_PASSWORD) is None
    assert [(r.verb, r.actor_id) for r in resets()] == [("account.password_reset", admin.id)]


def test_a_reset_without_its_csrf_token_changes_nothing(app, tutor, group, learner):
    client = signed_in(app, tutor)
    response = client.post(
        f"/tutor/groups/{group.id}/learners/{learner.id}/reset-password", csrf=False
    )
    assert response.status_code in (302, 400)
    assert accounts.authenticate(learner.email, DEFAULT_PASSWORD) is not None
    assert resets() == []


# ---------------------------------------------------------------- the forced change


def test_a_user_who_must_change_reaches_only_the_change_page_and_sign_out(
    app, create_user, tutor, group, learner
):
    client = signed_in(app, learner, tutor_resets(app, tutor, group, learner))
    for path in ("/learner/", "/account", "/tutor/", "/learner/scenarios/1", "/s/1/contacts"):
        assert client.get(path).headers["Location"] == "/account/new-password", path
    assert client.get("/", follow_redirects=True).request.path == "/account/new-password"
    assert client.post("/account/email", data={"email": "x@y.org"}).status_code == 302
    page = client.get("/account/new-password")
    assert page.status_code == 200 and b"Choose your own password" in page.data
    signed_out = client.post("/logout")
    assert signed_out.headers["Location"] == "/login"
    assert client.get("/learner/").headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", b"at least 8 characters"),
        (None, b"different from the one you signed in with"),  # the one-time password again
    ],
)
def test_the_new_password_meets_the_rules_and_is_not_the_one_time_one(
    app, tutor, group, learner, new, message
):
    one_time = tutor_resets(app, tutor, group, learner)
    client = signed_in(app, learner, one_time)
    new = new or one_time
    refused = client.post(
        "/account/new-password",
        data={"current_password": one_time, "new_password": new, "confirm": new},
    )
    assert refused.status_code == 400 and message in refused.data
    assert reload(learner).must_change_password
    assert client.get("/learner/").headers["Location"] == "/account/new-password"


def test_the_change_needs_the_password_they_were_given(app, tutor, group, learner):
    client = signed_in(app, learner, tutor_resets(app, tutor, group, learner))
    refused = client.post(
        "/account/new-password",
        data={"current_password": "a guess", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert refused.status_code == 400
    assert b"current password is not right" in refused.data
    assert reload(learner).must_change_password


def test_the_change_page_sends_anyone_else_to_their_account_page(client, auth, learner):
    auth.login(learner.email)
    assert client.get("/account/new-password").headers["Location"] == "/account"
    assert client.get("/learner/").status_code == 200


def test_a_first_password_a_tutor_saw_must_be_changed(app, tutor, group):
    made, first = tutoring.add_learner(group, "Nia New", "nia@college.example.org", by=tutor)
    db.session.commit()
    assert first and made.must_change_password
    client = app.test_client()
    signed = client.post("/login", data={"email": made.email, "password": first})
    assert signed.headers["Location"] == "/account/new-password"


def test_imported_accounts_must_change_their_first_password(runner, tmp_path, tutor):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("name,email,role,group\nIzzy Import,izzy@college.example.org,learner,\n")
    result = runner.invoke(args=["users", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert accounts.find_user_by_email("izzy@college.example.org").must_change_password


# ---------------------------------------------------------------- the command line


def test_set_password_from_stdin_ends_sessions_and_is_audited(app, runner, learner):
    browser = signed_in(app, learner)
    result = runner.invoke(
        args=["users", "set-password", learner.email.upper(), "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    assert accounts.authenticate(learner.email, NEW_PASSWORD).id == learner.id
    assert not reload(learner).must_change_password
    assert browser.get("/learner/").headers["Location"].startswith("/login")
    (row,) = resets()
    assert (row.verb, row.actor_id, row.actor_role) == (
        "account.password_set",
        None,
        "command-line",
    )
    assert NEW_PASSWORD not in repr((row.before, row.after))


def test_set_password_asks_twice_and_temporary_forces_a_change(app, runner, learner):
    result = runner.invoke(
        args=["users", "set-password", learner.email, "--temporary"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # hidden input is not echoed
    assert reload(learner).must_change_password
    client = app.test_client()
    signed = client.post("/login", data={"email": learner.email, "password": NEW_PASSWORD})
    assert signed.headers["Location"] == "/account/new-password"


def test_set_password_refuses_an_unknown_email_and_a_short_password(runner, learner):
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@college.example.org", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
    )
    assert unknown.exit_code == 1
    assert "No account has the email nobody@college.example.org" in unknown.output
    short = runner.invoke(
        args=["users", "set-password", learner.email, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert "Traceback" not in unknown.output + short.output
    assert accounts.authenticate(learner.email, DEFAULT_PASSWORD) is not None
    assert resets() == []


def test_set_password_takes_no_password_argument(runner, learner):
    result = runner.invoke(args=["users", "set-password", learner.email, "--password", "x"])
    assert result.exit_code == 2 and "No such option" in result.output


@pytest.mark.parametrize(
    ("extra", "must_change"),
    [([], False), (["--temporary"], True), (["--generate-password"], True)],
)
def test_users_create_forces_a_change_when_temporary_or_generated(runner, extra, must_change):
    args = ["users", "create", "--name", "Sam", "--email", "sam@college.example.org"]
    args += ["--role", "tutor"]
    if "--generate-password" not in extra:
        args += ["--password", NEW_PASSWORD]
    result = runner.invoke(args=args + extra)
    assert result.exit_code == 0, result.output
    made = accounts.find_user_by_email("sam@college.example.org")
    assert made.must_change_password is must_change


# ---------------------------------------------------------------- a forgotten password


def test_the_sign_in_page_says_who_resets_a_forgotten_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Forgot password?" in page
    assert "Ask your tutor (learners) or the administrator (staff) to reset it" in page
    assert "one-time password" in page


def test_sign_ins_in_a_row_leave_sign_in_open_and_failures_are_still_limited(app, learner):
    app.config["LOGIN_RATE_LIMIT_ACCOUNT"] = "3 per minute"
    for _ in range(6):
        assert signed_in(app, learner)  # each a success; none uses up the allowance
    guesser = app.test_client()
    wrong = {"email": learner.email, "password": "wrong password"}
    assert [guesser.post("/login", data=wrong).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
