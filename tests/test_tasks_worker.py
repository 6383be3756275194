"""A real worker (`crm-sandbox worker`, Huey's consumer in a process of its own) runs tasks
queued before it started, on the SQLite file queue and on Redis (DB 5), and stops cleanly on
SIGTERM; a CSV import's first passwords reach the tutor through it."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_sandbox.extensions import db
from crm_sandbox.models import BackgroundJob, JobStatus, Role, Sandbox, SandboxKind
from crm_sandbox.services import background_jobs
from crm_sandbox.tasks import huey_of, unseal

REDIS_URL = "redis://127.0.0.1:6379/5"  # the queue engineer's Redis database
CRM_SANDBOX = str(Path(sys.executable).parent / "crm-sandbox")


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - no Redis here: the test skips
        return False


@contextlib.contextmanager
def worker(app, queue_url: str = ""):
    """`crm-sandbox worker` on the app's database, instance folder and queue; stopped with
    SIGTERM at the end, which it must obey cleanly."""
    env = {
        **os.environ,
        "CRM_SANDBOX_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CRM_SANDBOX_INSTANCE_PATH": app.instance_path,
        "CRM_SANDBOX_SECRET_KEY": app.config["SECRET_KEY"],
        "CRM_SANDBOX_TASK_QUEUE_URL": queue_url,
        "CRM_SANDBOX_TASK_RETRY_DELAY": "1",
    }
    proc = subprocess.Popen(
        [CRM_SANDBOX, "worker", "--workers", "2", "--shutdown-timeout", "20"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
            pytest.fail(f"the worker did not stop on SIGTERM:\n{output}")
    assert proc.returncode == 0, output


def wait_for(job_id: int, status: str, seconds: float = 90) -> BackgroundJob:
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        job = db.session.get(BackgroundJob, job_id)
        if job.status == status or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def queue_provisioning(tutor, group) -> int:
    job = background_jobs.start(
        "provision-group",
        f"provision-group:{group.id}",
        summary=f"Practice sandboxes for {group.name}",
        started_by=tutor,
        group_id=group.id,
        total=len(group.learners),
        params={"size": "small"},
    )
    db.session.commit()
    return job.id


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_worker_started_after_a_task_was_queued_runs_it(
    app_factory, create_user, create_group, queue
):
    if queue == "redis" and not redis_answers():
        pytest.skip(f"no Redis at {REDIS_URL}")
    url = REDIS_URL if queue == "redis" else ""
    app = app_factory(TASK_QUEUE_IMMEDIATE=False, TASK_QUEUE_URL=url)
    with app.app_context():
        if queue == "redis":
            huey_of(app).flush()  # this queue's keys only
        tutor = create_user(Role.TUTOR)
        learners = [create_user(Role.LEARNER) for _ in range(2)]
        group = create_group("Queued", tutor=tutor, learners=learners)
        job_id = queue_provisioning(tutor, group)
        time.sleep(0.5)
        assert wait_for(job_id, "never", seconds=0).status == JobStatus.PENDING.value
        assert len(huey_of(app)) == 1  # waiting in the queue's storage, no worker yet

        with worker(app, url):
            job = wait_for(job_id, JobStatus.DONE.value)
        assert job.status == JobStatus.DONE.value, job.last_error
        assert job.result == {"made": 2, "had": 0} and job.tries == 1
        made = db.session.scalars(
            select(Sandbox).where(
                Sandbox.owner_id.in_([u.id for u in learners]),
                Sandbox.kind == SandboxKind.PRACTICE.value,
            )
        ).all()
        assert len(made) == 2 and {s.size for s in made} == {"small"}
        assert len(huey_of(app)) == 0


def test_a_csv_import_queued_for_the_worker_shows_waiting_then_the_first_passwords(
    app_factory, create_user
):
    app = app_factory(TASK_QUEUE_IMMEDIATE=False)
    with app.app_context():
        email = create_user(Role.TUTOR).email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "correct horse battery"})
    csv = (
        b"name,email,role,group\n"
        b"Ann Able,ann@college.example.org,learner,Tuesday\n"
        b"Ben Bold,ben@college.example.org,learner,Tuesday\n"
    )
    response = client.post("/tutor/import", data={"file": (io.BytesIO(csv), "learners.csv")})
    status_url = response.location
    page = client.get(status_url).data.decode()
    assert "Waiting for the background worker" in page
    with client.session_transaction() as session:
        (secret,) = session["import_keys"].values()
    with app.app_context():
        job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.kind == "import"))
        assert secret not in str(job.params) and job.total == 2
        # the secret waits in the queue sealed with the app's key, never in the clear
        (queued,) = huey_of(app).pending()
        assert queued.args[0] == job.id and secret not in repr(queued.args)
        assert unseal(app, queued.args[1]) == secret
        with worker(app):
            wait_for(job.id, JobStatus.DONE.value)
    page = client.get(status_url).data.decode()
    assert "Accounts created" in page and page.count("<code>") == 2
    # the passwords are shown once: the secret left the session with them
    assert client.get(status_url).data.decode().count("<code>") == 0


def test_the_demo_starts_a_worker_with_the_app_and_stops_it_after(runner, monkeypatch):
    from crm_sandbox.cli import deploy

    happened = []
    monkeypatch.setattr(
        deploy, "start_worker_process", lambda app: happened.append("worker started") or "w"
    )
    monkeypatch.setattr(deploy, "stop_worker_process", lambda w: happened.append(("stop", w)))
    monkeypatch.setattr(deploy, "run_simple", lambda *a, **k: happened.append("serving"))
    result = runner.invoke(args=["demo", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert happened == ["worker started", "serving", ("stop", "w")]
    assert "A background worker runs the tasks" in result.output


def test_the_demos_worker_process_runs_the_apps_tasks_and_stops_on_sigterm(
    app_factory, create_user, create_group, monkeypatch
):
    from crm_sandbox.cli.worker import start_worker_process, stop_worker_process

    app = app_factory(TASK_QUEUE_IMMEDIATE=False)
    monkeypatch.setenv("CRM_SANDBOX_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        tutor = create_user(Role.TUTOR)
        group = create_group("Demo", tutor=tutor, learners=[create_user(Role.LEARNER)])
        job_id = queue_provisioning(tutor, group)
        process = start_worker_process(app, workers=1)
        try:
            job = wait_for(job_id, JobStatus.DONE.value)
        finally:
            code = stop_worker_process(process)
        assert job.status == JobStatus.DONE.value and job.result == {"made": 1, "had": 0}
        assert code == 0
