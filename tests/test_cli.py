"""The `crm-sandbox` commands, run through Flask's CLI runner."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Group, Role, User
from crm_sandbox.services import accounts

GOOD_CSV = """name,email,role,group
Tara Tutor,tara@college.example.org,tutor,BA Level 2 Mon
Sam Okafor,sam@college.example.org,learner,BA Level 2 Mon
Jo Wright,jo@college.example.org,learner,BA Level 2 Mon
Asha Assessor,asha@college.example.org,assessor,BA Level 2 Mon
"""


def user_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def write(tmp_path, text: str, name="users.csv", bom=False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def test_users_import_creates_users_and_their_group(runner, tmp_path):
    result = runner.invoke(args=["users", "import", write(tmp_path, GOOD_CSV)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 users" in result.output
    assert user_count() == 4
    group = db.session.scalar(select(Group))
    assert group.name == "BA Level 2 Mon"
    assert group.tutor.email == "tara@college.example.org"
    assert [u.name for u in group.learners] == ["Jo Wright", "Sam Okafor"]
    assert [u.email for u in group.assessors] == ["asha@college.example.org"]
    # each printed password signs its user in
    line = next(line for line in result.output.splitlines() if "sam@college" in line)
    password = line.split("password: ")[1].strip()
    assert accounts.authenticate("sam@college.example.org", password) is not None


def test_users_import_reads_the_byte_order_mark_excel_writes(runner, tmp_path):
    result = runner.invoke(args=["users", "import", write(tmp_path, GOOD_CSV, bom=True)])
    assert result.exit_code == 0, result.output
    assert user_count() == 4


def test_users_import_with_a_missing_column_imports_nothing(runner, tmp_path):
    csv = "name,email,role\nSam,sam@college.example.org,learner\n"
    result = runner.invoke(args=["users", "import", write(tmp_path, csv)])
    assert result.exit_code == 1
    assert "line 1: missing column(s): group" in result.output
    assert "Nothing was imported" in result.output
    assert user_count() == 0


def test_users_import_reports_every_bad_row_with_its_line_and_imports_nothing(runner, tmp_path):
    csv = (
        "name,email,role,group\n"
        "Tara Tutor,tara@college.example.org,tutor,G1\n"  # line 2: fine
        "Sam Okafor,sam@college.example.org,learner,G1\n"  # line 3: fine
        "Sam Again,SAM@college.example.org,learner,G1\n"  # line 4: duplicate email
        "No At,not-an-email,learner,G1\n"  # line 5: invalid email
        "Wiz Ard,wiz@college.example.org,wizard,G1\n"  # line 6: unknown role
        ",blank@college.example.org,learner,G1\n"  # line 7: no name
    )
    result = runner.invoke(args=["users", "import", write(tmp_path, csv)])
    assert result.exit_code == 1
    out = result.output
    assert "line 4: duplicate email sam@college.example.org (first on line 3)" in out
    assert "line 5: 'not-an-email' is not a valid email address" in out
    assert "line 6: unknown role 'wizard'" in out
    assert "line 7: Enter a name." in out
    assert "line 2" not in out and "line 3:" not in out
    assert "4 problems" in out
    assert user_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_users_import_refuses_an_email_that_already_has_an_account(runner, tmp_path, create_user):
    create_user(Role.LEARNER, email="sam@college.example.org")
    result = runner.invoke(args=["users", "import", write(tmp_path, GOOD_CSV)])
    assert result.exit_code == 1
    assert "line 3: an account with sam@college.example.org already exists" in result.output
    assert user_count() == 1


def test_users_import_needs_a_tutor_for_a_new_group(runner, tmp_path, create_user):
    csv = "name,email,role,group\nSam,sam@college.example.org,learner,New Group\n"
    path = write(tmp_path, csv)
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 1 and "group 'New Group' does not exist" in result.output
    tutor = create_user(Role.TUTOR)
    result = runner.invoke(args=["users", "import", path, "--tutor", tutor.email])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(select(Group)).tutor_id == tutor.id


def test_users_import_refuses_a_file_that_is_not_utf8(runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "name,email,role,group\nZoë,zoe@college.example.org,learner,\n".encode("latin-1")
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output
    assert user_count() == 0


def test_users_create_makes_one_account(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--name",
            "Ola Admin",
            "--email",
            "ola@college.example.org",
            "--role",
            "admin",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("ola@college.example.org", "long enough pw").role == "admin"


def test_users_create_refuses_a_short_password_with_a_clear_message(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--name",
            "Ola",
            "--email",
            "ola@college.example.org",
            "--role",
            "tutor",
            "--password",
            "short",
        ]
    )
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert "Traceback" not in result.output
    assert user_count() == 0


def test_init_migrates_and_creates_the_first_admin_once(runner):
    args = ["init", "--admin-email", "it@college.example.org", "--admin-password", "s3cret-enough"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "Created admin it@college.example.org" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0 and "exists already" in second.output
    assert user_count() == 1


def test_init_asks_for_the_admin_when_not_given(runner):
    result = runner.invoke(args=["init"], input="it@college.example.org\npassword1\npassword1\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate("it@college.example.org", "password1") is not None


def test_demo_no_serve_twice_reuses_the_cohort(runner):
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "tutor@demo-college.ac.uk" in first.output
    assert user_count() == 9
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert user_count() == 9
    group = db.session.scalar(select(Group))
    assert len(group.learners) == 6 and len(group.assessors) == 1
    assert group.tutor.role == "tutor"
    # each demo learner has the demo scenario once, however often the demo starts
    from crm_sandbox.models import Attempt

    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 6


def test_demo_accounts_sign_in_with_the_printed_passwords(runner, client, auth):
    runner.invoke(args=["demo", "--no-serve"])
    for role, path in (
        ("tutor", "/tutor/"),
        ("assessor", "/assessor/"),
        ("learner1", "/learner/"),
        ("admin", "/admin/"),
    ):
        password = "demo-learner-pass" if role.startswith("learner") else f"demo-{role}-pass"
        assert auth.login(f"{role}@demo-college.ac.uk", password).status_code == 302
        assert client.get(path).status_code == 200
        auth.logout()


def test_db_upgrade_runs_on_an_up_to_date_database(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_check_deploy_fails_under_testing_settings(runner):
    result = runner.invoke(args=["check-deploy"])
    assert result.exit_code == 1
    assert "Secure" in result.output
