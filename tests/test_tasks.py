"""The task queue: jobs run once, are retried and shown as failed, run again from the admin's
page; the settings; outbox messages delivered by the queue after their transaction commits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_sandbox import create_app
from crm_sandbox.config import SettingsError
from crm_sandbox.extensions import db
from crm_sandbox.models import (
    BackgroundJob,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
    Role,
    StaffAuditEntry,
)
from crm_sandbox.services import accounts, background_jobs, outbox
from crm_sandbox.tasks import huey_of

done_work: list[int] = []
failing = {"on": True}


@background_jobs.work("test-count", "Counting, for the tests")
def _count(job, progress, secret):
    done_work.append(job.params["n"])
    progress(1, 1)
    return {"counted": job.params["n"]}


@background_jobs.work("test-flaky", "Failing while told to, for the tests")
def _flaky(job, progress, secret):
    if failing["on"]:
        raise RuntimeError("the other end is down")
    done_work.append(-1)
    return {"ok": True}


@pytest.fixture(autouse=True)
def _reset():
    done_work.clear()
    failing["on"] = True


def job(key: str) -> BackgroundJob:
    db.session.rollback()
    return db.session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))


def test_asking_twice_for_the_same_work_before_it_runs_makes_one_job_and_runs_it_once(app):
    first = background_jobs.start("test-count", "count:1", params={"n": 1}, total=1)
    second = background_jobs.start("test-count", "count:1", params={"n": 1}, total=1)
    assert first.id == second.id
    db.session.commit()  # the queue hears of it now (immediately, in tests)
    assert done_work == [1]
    found = job("count:1")
    assert found.status == JobStatus.DONE.value and found.tries == 1
    assert found.result == {"counted": 1} and (found.done, found.total) == (1, 1)


def test_a_task_delivered_twice_does_its_work_once(app):
    made = background_jobs.start("test-count", "count:2", params={"n": 2})
    db.session.commit()
    run_job = app.extensions["crm_tasks_run_job"]
    run_job(made.id)  # the same job's task again (a duplicate delivery)
    run_job(made.id)
    assert done_work == [2]
    assert job("count:2").tries == 1


def test_work_asked_for_in_a_transaction_that_rolls_back_never_runs(app):
    background_jobs.start("test-count", "count:3", params={"n": 3})
    db.session.rollback()
    db.session.commit()
    assert done_work == []
    assert job("count:3") is None


def test_a_failing_task_is_retried_then_shown_failed_and_run_again_works(app_factory, create_user):
    app = app_factory(TASK_RETRIES=2, TASK_RETRY_DELAY=0)
    with app.app_context():
        admin = create_user(Role.ADMIN)
        background_jobs.start("test-flaky", "flaky:1", summary="A flaky thing")
        db.session.commit()
        failed = job("flaky:1")
        assert failed.status == JobStatus.FAILED.value
        assert failed.tries == 3  # the first try and two retries
        assert failed.last_error == "the other end is down"

        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
        page = client.get("/admin/tasks").data.decode()
        assert "A flaky thing" in page and "failed" in page and "the other end is down" in page
        assert "Run again" in page

        assert client.post(f"/admin/tasks/{failed.id}/run-again", csrf=False).status_code == 400
        failing["on"] = False
        response = client.post(f"/admin/tasks/{failed.id}/run-again")
        assert response.status_code == 302
        assert job("flaky:1").status == JobStatus.DONE.value
        assert done_work == [-1]
        audit = db.session.scalar(
            select(StaffAuditEntry).where(StaffAuditEntry.verb == "background_job.run_again")
        )
        assert audit is not None and audit.actor_id == admin.id
        # a job that is not failed cannot be run again
        client.post(f"/admin/tasks/{failed.id}/run-again")
        assert job("flaky:1").tries == 4


def test_only_an_admin_opens_the_tasks_page(client, auth, create_user):
    for role in (Role.TUTOR, Role.ASSESSOR, Role.LEARNER):
        auth.login(create_user(role).email)
        assert client.get("/admin/tasks").status_code == 403
        auth.logout()
    auth.login(create_user(Role.ADMIN).email)
    page = client.get("/admin/tasks").data.decode()
    assert "No task has been queued yet." in page and 'href="/admin/tasks"' in page


@pytest.mark.parametrize(
    "url",
    ["http://example.org/0", "redis://", "redis://host/notanumber", "sqlite:///relative", "x"],
)
def test_a_bad_task_queue_address_is_a_settings_message(monkeypatch, tmp_path, url):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_SANDBOX_TASK_QUEUE_URL", url)
    with pytest.raises(SettingsError, match="CRM_SANDBOX_TASK_QUEUE_URL: expected"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_by_default_and_redis_by_url(
    app_factory, tmp_path
):
    app = app_factory(TASK_QUEUE_IMMEDIATE=False)
    huey = huey_of(app)
    assert type(huey).__name__ == "SqliteHuey" and not huey.immediate
    queue = tmp_path / "instance" / "tasks.sqlite3"
    assert queue.exists() and queue.stat().st_mode & 0o077 == 0
    redis_app = app_factory(TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL="redis://127.0.0.1:6379/5")
    assert type(huey_of(redis_app)).__name__ == "PriorityRedisHuey"


# --- the outbox, delivered by the queue ----------------------------------------------------

sent: list[dict] = []
answer = {"raise": None}


@outbox.handler("test.queued")
def _send(payload: dict) -> None:
    if answer["raise"] is not None:
        raise answer["raise"]
    sent.append(payload)


@pytest.fixture
def outbox_app(app_factory):
    sent.clear()
    answer["raise"] = None
    app = app_factory(TASK_OUTBOX_ON_COMMIT=True, TASK_RETRY_DELAY=0)
    with app.app_context():
        yield app


def test_an_outbox_message_is_delivered_by_the_queue_once_its_transaction_commits(outbox_app):
    outbox.enqueue("test.queued", "q:1", {"n": 1}, summary="Score for Lola")
    assert sent == []  # nothing leaves before the work is saved
    db.session.commit()
    assert sent == [{"n": 1}]
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "q:1"))
    assert message.status == OutboxStatus.SENT.value
    delivery = job(f"outbox:{message.id}")
    assert delivery.status == JobStatus.DONE.value and delivery.summary == "Score for Lola"
    assert outbox.deliver_due().tried == 0  # the fallback sender finds nothing left to send


def test_an_outbox_message_enqueued_in_a_rolled_back_transaction_makes_no_task(outbox_app):
    outbox.enqueue("test.queued", "q:2", {"n": 2})
    db.session.rollback()
    db.session.commit()
    assert sent == [] and job("outbox:1") is None


def test_an_unreachable_system_leaves_the_delivery_waiting_with_the_outbox_back_off(outbox_app):
    answer["raise"] = outbox.Retry("LRS answered 503")
    outbox.enqueue("test.queued", "q:3", {"n": 3})
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "q:3"))
    assert message.status == OutboxStatus.PENDING.value and message.tries == 1
    delivery = job(f"outbox:{message.id}")
    assert delivery.status == JobStatus.RETRYING.value
    assert delivery.last_error == "LRS answered 503"
    assert delivery.next_try_at is not None


def test_a_refused_message_fails_its_task_and_run_again_sends_it(outbox_app):
    admin = accounts.create_user(
        name="Admin", email="admin@college.example.org", role=Role.ADMIN, password="x" * 12
    )
    answer["raise"] = outbox.Refused("400: bad verb")
    outbox.enqueue("test.queued", "q:4", {"n": 4})
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == "q:4"))
    delivery = job(f"outbox:{message.id}")
    assert delivery.status == JobStatus.FAILED.value and "400: bad verb" in delivery.last_error
    assert delivery.tries == 1  # a refusal is not tried again by itself
    answer["raise"] = None
    background_jobs.run_again(delivery, admin)
    db.session.commit()
    assert sent == [{"n": 4}]
    assert job(f"outbox:{message.id}").status == JobStatus.DONE.value
