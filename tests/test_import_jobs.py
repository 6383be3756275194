"""Large CSV imports: checked at once, passwords hashed by a background job with no database
transaction open (so nobody else waits), then every account written in one short transaction;
the tutor watches the job's progress on a page any instance can serve."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import Group, ImportJob, Role, User
from crm_sandbox.models.base import utcnow
from crm_sandbox.services import accounts, tutoring, user_import


def learners_csv(count: int, group: str = "Big Group", stem: str = "learner") -> bytes:
    lines = ["name,email,role,group"]
    lines += [f"Learner {i},{stem}{i}@college.example.org,learner,{group}" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def upload(client, data: bytes, name: str = "learners.csv", **kwargs):
    return client.post(
        "/tutor/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        **kwargs,
    )


def learner_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "learner"))


@pytest.fixture
def tutor(create_user):
    return create_user(Role.TUTOR, name="Tara Tutor")


@pytest.fixture
def signed_in(auth, tutor):
    auth.login(tutor.email)
    return tutor


def test_the_largest_import_completes_and_each_password_signs_its_learner_in(app, tutor):
    key = b"k" * 32
    job, problems = tutoring.import_learners(learners_csv(user_import.MAX_ROWS), tutor, "big.csv")
    assert problems == []
    db.session.commit()
    user_import.run_job(job.id, key)
    db.session.rollback()
    job = db.session.get(ImportJob, job.id)
    assert user_import.job_state(job) == "done" and job.hashed == user_import.MAX_ROWS
    assert learner_count() == user_import.MAX_ROWS
    made = user_import.job_accounts(job, key)
    for user, password in (made[0], made[-1]):
        assert accounts.authenticate(user.email, password) is not None
    group = db.session.scalar(select(Group).where(Group.name == "Big Group"))
    assert group.tutor_id == tutor.id and len(group.learners) == user_import.MAX_ROWS
    # the job keeps no names or emails once they are saved as accounts
    assert all(set(row) == {"line", "user_id"} for row in job.rows)


def test_one_row_more_than_the_largest_import_is_refused_with_its_line(app, tutor):
    job, problems = tutoring.import_learners(learners_csv(user_import.MAX_ROWS + 1), tutor)
    assert job is None
    assert [str(p) for p in problems] == [
        f"line {user_import.MAX_ROWS + 2}: more than {user_import.MAX_ROWS} accounts: the "
        f"largest import is {user_import.MAX_ROWS} rows; split the file and import each part"
    ]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_no_transaction_is_open_and_other_writers_can_write_while_passwords_are_hashed(
    app, tutor, monkeypatch
):
    job, _ = tutoring.import_learners(learners_csv(5), tutor)
    db.session.commit()
    real_hash = accounts.hash_password
    other = create_engine(db.engine.url)
    seen = []

    def watching_hash(password: str) -> str:
        assert not db.session().in_transaction()
        # Another connection takes the write lock (and writes) at once, without waiting.
        with other.connect() as conn:
            if other.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                conn.exec_driver_sql("ROLLBACK")
            else:
                conn.exec_driver_sql("SET lock_timeout = 1")
                conn.exec_driver_sql("LOCK TABLE users IN EXCLUSIVE MODE")
                conn.rollback()
        seen.append(password)
        return real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", watching_hash)
    user_import.run_job(job.id, b"k" * 32)
    other.dispose()
    assert len(seen) == 5 and learner_count() == 5


def test_hashing_refuses_to_start_inside_a_transaction(app):
    db.session.execute(select(1))
    with pytest.raises(RuntimeError):
        user_import.hash_passwords(["a-password"])


def test_an_email_taken_while_the_passwords_were_hashed_fails_the_job_and_imports_nothing(
    app, tutor, create_user
):
    job, _ = tutoring.import_learners(learners_csv(3), tutor, "three.csv")
    db.session.commit()
    create_user(Role.LEARNER, email="learner1@college.example.org")  # someone got there first
    user_import.run_job(job.id, b"k" * 32)
    db.session.rollback()
    job = db.session.get(ImportJob, job.id)
    assert user_import.job_state(job) == "failed"
    assert job.problems == [[3, "an account with learner1@college.example.org already exists"]]
    assert job.rows == []
    assert learner_count() == 1
    assert db.session.scalar(select(Group).where(Group.name == "Big Group")) is None


def test_a_tutor_uploads_then_sees_the_accounts_with_passwords_shown_once(client, signed_in):
    response = upload(client, learners_csv(3))
    assert response.status_code == 302 and "/tutor/imports/" in response.location
    page = client.get(response.location).data.decode()
    assert "Accounts created" in page and "shown only this once" in page
    assert page.count("<code>") == 3
    again = client.get(response.location).data.decode()
    assert "<code>" not in again and "cannot be shown again" in again


def test_a_running_import_shows_its_progress_on_a_page_that_refreshes(client, signed_in, app):
    job, _ = tutoring.import_learners(learners_csv(10), signed_in, "ten.csv")
    job.hashed = 4
    db.session.commit()
    page = client.get(f"/tutor/imports/{job.id}").data.decode()
    assert 'http-equiv="refresh"' in page
    assert "Passwords prepared: 4 of 10 (40%)" in page
    assert '<progress id="import-progress" class="w-100" max="10" value="4">' in page


def test_an_import_whose_process_died_says_nothing_was_imported(client, signed_in, app):
    job, _ = tutoring.import_learners(learners_csv(2), signed_in, "two.csv")
    job.heartbeat_at = utcnow() - timedelta(seconds=user_import.STALE_AFTER_SECONDS + 1)
    db.session.commit()
    page = client.get(f"/tutor/imports/{job.id}").data.decode()
    assert "Nothing was imported" in page and 'http-equiv="refresh"' not in page


def test_a_tutor_cannot_see_another_tutors_import(client, auth, create_user, tutor, app):
    job, _ = tutoring.import_learners(learners_csv(2), tutor, "two.csv")
    db.session.commit()
    auth.login(create_user(Role.TUTOR).email)
    assert client.get(f"/tutor/imports/{job.id}").status_code == 404


@pytest.mark.parametrize("name", ["Nul\x00Byte", "Tab\there", "Bell\x07", "Esc\x1bape"])
def test_a_name_with_a_control_character_is_refused_by_line_and_nothing_is_imported(
    client, signed_in, name
):
    data = (
        "name,email,role,group\n"
        "Good Name,good@college.example.org,learner,G\n"
        f'"{name}",bad@college.example.org,learner,G\n'
    ).encode()
    page = upload(client, data).data.decode()
    assert "learners.csv: line 3: A name cannot contain control characters" in page
    assert "Nothing was imported" in page
    assert learner_count() == 0


def test_the_upload_page_runs_the_import_as_a_task_of_the_queue(app, client, create_user):
    from crm_sandbox.models import BackgroundJob

    email = create_user(Role.TUTOR).email
    client.post("/login", data={"email": email, "password": "correct horse battery"})
    response = upload(client, learners_csv(4))
    assert response.status_code == 302
    import_id = int(response.location.rsplit("/", 1)[1])
    db.session.rollback()
    task = db.session.scalar(
        select(BackgroundJob).where(BackgroundJob.key == f"import:{import_id}")
    )
    assert task.status == "done" and (task.done, task.total) == (4, 4)
    page = client.get(response.location).data.decode()
    assert "Accounts created" in page and page.count("<code>") == 4


def test_the_write_transaction_of_the_largest_import_is_a_handful_of_statements(app, tutor):
    from sqlalchemy import event

    rows, problems = user_import.check(learners_csv(user_import.MAX_ROWS), tutor)
    assert problems == []
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = user_import.write(rows, ["not-a-real-hash"] * len(rows), tutor)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert result.ok and len(result.created) == user_import.MAX_ROWS
    # the taken-email checks (a query per 500 rows), the group, the batched inserts: never a
    # statement per row while the write lock is held
    assert len(statements) <= 20, len(statements)
    db.session.rollback()
