"""The task queue: Huey, made from the settings when the app is built.

Storage is a SQLite file in the instance folder (`tasks.sqlite3`, 0600) unless
`CRM_SANDBOX_TASK_QUEUE_URL` names Redis (`redis://host:6379/N`, several machines) or another
SQLite file. Tests run tasks at once in the calling thread (`TASK_QUEUE_IMMEDIATE`) unless a
test asks for a real consumer. `crm-sandbox worker` runs the consumer (cli/worker.py).

There is one Huey task, `run_job(job_id, sealed_secret)`: it runs a `background_jobs` row's
work inside an app context (services/background_jobs.py claims the row first, so a task
delivered twice works once). Huey retries it with back-off (`TASK_RETRIES` tries after
`TASK_RETRY_DELAY` seconds, doubling); an outbox delivery asks for its own back-off with
`RetryTask(delay=...)`. A periodic task sends the outbox's due messages every minute and hands
the queue again any job left waiting (its task lost, say, while Redis was down).

A secret that must reach the worker (a CSV import's per-upload key, from which its first
passwords are derived) travels only as the task's argument, sealed with a key derived from
the app's secret key (Fernet), so whoever reads the queue's storage cannot read it; Huey deletes
the task from its storage when a worker takes it, and no results are stored (`results=False`).
"""

from __future__ import annotations

import base64
import logging
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app
from huey import PriorityRedisHuey, SqliteHuey, crontab
from huey import signals as huey_signals
from huey.api import Huey
from sqlalchemy import select, update

from ..models import BackgroundJob, JobStatus, db
from ..models.base import utcnow

log = logging.getLogger(__name__)

QUEUE_FILE = "tasks.sqlite3"
EXTENSION = "crm_tasks"
# A job still waiting this long after it was queued is handed to the queue again.
STALE_PENDING = timedelta(minutes=2)


def queue_file(config, instance_path: str) -> Path | None:
    """The SQLite file of the queue (None when the queue is in Redis)."""
    url = config.get("TASK_QUEUE_URL") or ""
    if not url:
        return Path(instance_path) / QUEUE_FILE
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return Path(parts.path[1:])  # sqlite:////abs/path -> /abs/path
    return None


def make_huey(config, instance_path: str) -> Huey:
    """The Huey instance the settings describe (not yet holding any task)."""
    common = {
        "name": "crm-sandbox",
        "results": False,  # progress and outcomes live in background_jobs, not in the queue
        "utc": True,
        "immediate": bool(config.get("TASK_QUEUE_IMMEDIATE", False)),
    }
    path = queue_file(config, instance_path)
    if path is None:
        return PriorityRedisHuey(url=config["TASK_QUEUE_URL"], **common)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # owner-only: a queued import's sealed secret may wait here
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return SqliteHuey(filename=str(path), **common)


def _fernet(app: Flask) -> MultiFernet:
    keys = [app.config["SECRET_KEY"], *(app.config.get("SECRET_KEY_FALLBACKS") or [])]

    def derive(key) -> Fernet:
        raw = key.encode() if isinstance(key, str) else bytes(key)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"crm-sandbox task")
        return Fernet(base64.urlsafe_b64encode(hkdf.derive(raw)))

    return MultiFernet([derive(k) for k in keys])


def seal(app: Flask, secret: str | None) -> str | None:
    return None if secret is None else _fernet(app).encrypt(secret.encode()).decode()


def unseal(app: Flask, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    try:
        return _fernet(app).decrypt(sealed.encode()).decode()
    except InvalidToken:
        log.warning("a task's secret could not be read (was the secret key changed?)")
        return None


def init_app(app: Flask) -> Huey:
    """Make the app's queue and its tasks; `app.extensions["crm_tasks"]` is the Huey instance."""
    from ..services import background_jobs, outbox
    from . import kinds  # noqa: F401 - registers the kinds of work

    huey = make_huey(app.config, app.instance_path)

    @huey.task(
        retries=app.config["TASK_RETRIES"],
        retry_delay=app.config["TASK_RETRY_DELAY"],
        retry_backoff=2,
        context=True,
        name="run_job",
    )
    def run_job(job_id: int, sealed: str | None = None, task=None):
        with app.app_context():
            try:
                background_jobs.perform(
                    job_id,
                    secret=unseal(app, sealed),
                    tries_left=task.retries,
                    retry_delay=task.retry_delay,
                )
            finally:
                db.session.remove()

    @huey.periodic_task(crontab(minute="*"), name="every_minute")
    def every_minute():
        """The outbox's due messages (those whose own task is waiting out a back-off, or was
        lost), and any job left waiting without a task."""
        with app.app_context():
            try:
                outbox.deliver_due()
                requeue_waiting(app)
            finally:
                db.session.remove()

    @huey.signal(huey_signals.SIGNAL_INTERRUPTED)
    def interrupted(signal, task, *args, **kwargs):
        # The worker stopped before the task finished: queue it again (Huey's own advice),
        # so a restart loses nothing; the job waits again meanwhile.
        if task.name != "run_job":
            return
        with app.app_context():
            try:
                background_jobs.record_interrupted(task.args[0])
            finally:
                db.session.remove()
        huey.enqueue(task)

    @huey.signal(huey_signals.SIGNAL_RETRYING)
    def retrying(signal, task, *args, **kwargs):
        log.info("task %s will be tried again (%s tries left)", task.id, task.retries - 1)

    app.extensions[EXTENSION] = huey
    app.extensions[EXTENSION + "_run_job"] = run_job
    background_jobs.set_dispatcher(_dispatch)
    return huey


def huey_of(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions[EXTENSION]


def _dispatch(job_id: int, secret: str | None = None) -> None:
    """Hand a committed job to the queue (called after the commit that made it). A queue that
    cannot be reached leaves the job waiting: the periodic task hands it over again."""
    app = current_app._get_current_object()
    run_job = app.extensions.get(EXTENSION + "_run_job")
    if run_job is None:
        return
    try:
        run_job(job_id, seal(app, secret))
    except Exception:  # Redis down: the job stays pending and is handed over later
        log.exception("task queue: could not queue job %s; it will be queued again", job_id)


def requeue_waiting(app: Flask) -> int:
    """Hand the queue again every job still pending STALE_PENDING after it was last touched
    (its task was lost). The claim in `perform` keeps a job from running twice."""
    before = utcnow() - STALE_PENDING
    ids = list(
        db.session.scalars(
            select(BackgroundJob.id).where(
                BackgroundJob.status == JobStatus.PENDING.value,
                BackgroundJob.updated_at < before,
            )
        )
    )
    if ids:
        db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id.in_(ids))
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    for job_id in ids:
        _dispatch(job_id)
    return len(ids)
