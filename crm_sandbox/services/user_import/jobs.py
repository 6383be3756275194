"""Background import jobs: a checked import recorded as a job, run by the task queue's worker
(crm_sandbox/tasks, kind "import") with its progress in the database (so any instance can show
it), and what it made.

First passwords are never stored. Each upload has a random secret from which its first
passwords are derived (`passwords.first_password`); it lives in the importing tutor's signed
session cookie (to show the passwords once) and travels to the worker only as the queued
task's argument, sealed with a key derived from the app's secret key. The queue deletes the
task when a worker takes it and keeps no results, so once the import ran the secret is nowhere
but in the tutor's cookie. An import whose task was lost cannot be run again: the tutor uploads
the file again.
"""

from __future__ import annotations

import time

from sqlalchemy import select, update

from ... import database
from ...models import ImportJob, ImportStatus, JobStatus, User, db
from ...models.base import utcnow
from .checking import Row
from .passwords import first_password, hash_passwords
from .writing import write

# A running job records its progress at least this often; one silent for STALE_AFTER died
# with its process (a restart), and nothing of it was written.
HEARTBEAT_SECONDS = 1.0
STALE_AFTER_SECONDS = 120


def start_job(
    rows: list[Row], created_by: User, default_tutor: User | None, filename: str
) -> ImportJob:
    """Record a checked import as a running job (the caller commits, then runs it)."""
    job = ImportJob(
        created_by_id=created_by.id,
        default_tutor_id=default_tutor.id if default_tutor is not None else None,
        filename=filename[:255],
        status=ImportStatus.RUNNING.value,
        total=len(rows),
        hashed=0,
        rows=[row.as_json() for row in rows],
        groups_created=[],
        problems=[],
    )
    db.session.add(job)
    db.session.flush()
    return job


def _record_progress(job_id: int, hashed: int) -> None:
    # A short write transaction of its own (and a heartbeat: see `job_state`).
    with database.write_transactions():
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(hashed=hashed, heartbeat_at=utcnow())
        )
        db.session.commit()


def run_job(job_id: int, key: bytes, on_progress=None) -> None:
    """Do a recorded import: hash every first password with no transaction open (recording
    progress in short transactions of its own, and telling `on_progress(done)`), then write
    every account in one short transaction, or record why nothing was written. The worker
    runs it (kind "import"); the benchmark and some tests call it inline. A job that is no
    longer running (done, failed) is left alone: running it twice imports once."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != ImportStatus.RUNNING.value:
        db.session.rollback()
        return
    rows = [Row.from_json(r) for r in job.rows]
    default_tutor_id, created_by_id = job.default_tutor_id, job.created_by_id
    db.session.rollback()  # ends the read: no transaction is open while hashing
    passwords = [first_password(key, row.line) for row in rows]
    last = [time.monotonic()]

    def progress(done: int) -> None:
        if done == len(rows) or time.monotonic() - last[0] >= HEARTBEAT_SECONDS:
            _record_progress(job_id, done)
            last[0] = time.monotonic()
            if on_progress is not None:
                on_progress(done)

    try:
        hashes = hash_passwords(passwords, progress)
        with database.write_transactions():
            tutor = db.session.get(User, default_tutor_id) if default_tutor_id else None
            result = write(rows, hashes, tutor, by=db.session.get(User, created_by_id))
            job = db.session.get(ImportJob, job_id)
            if result.ok:
                ids = {user.email: user.id for user, _ in result.created}
                job.rows = [{"line": row.line, "user_id": ids[row.email]} for row in rows]
                job.groups_created = result.groups_created
                job.status = ImportStatus.DONE.value
            else:
                db.session.rollback()
                job = db.session.get(ImportJob, job_id)
                _fail(job, [[p.line, p.message] for p in result.problems])
            job.finished_at = job.heartbeat_at = utcnow()
            db.session.commit()
    except Exception:
        db.session.rollback()
        with database.write_transactions():
            job = db.session.get(ImportJob, job_id)
            _fail(job, [[1, "the import stopped on an unexpected error; nothing was imported"]])
            job.finished_at = utcnow()
            db.session.commit()
        raise


def _fail(job: ImportJob, problems: list[list]) -> None:
    job.status = ImportStatus.FAILED.value
    job.problems = problems
    job.rows = []  # the names and emails are not kept once they are of no use


def job_state(job: ImportJob) -> str:
    """ "queued" (waiting for the worker), "running", "done", "failed", or "stopped": running
    but silent for too long (its worker ended; nothing was written)."""
    if job.status == ImportStatus.RUNNING.value:
        from ..background_jobs import job_by_key

        task = job_by_key(task_key(job.id))
        if task is not None and task.status in (JobStatus.PENDING.value, JobStatus.RETRYING.value):
            return "queued"
        silent = (utcnow() - job.heartbeat_at).total_seconds()
        return "stopped" if silent > STALE_AFTER_SECONDS else "running"
    return job.status


def job_accounts(job: ImportJob, key: bytes | None) -> list[tuple[User, str | None]]:
    """The accounts a finished job made, each with its first password when `key` (the
    importing session's secret) is given."""
    ids = [r["user_id"] for r in job.rows]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    out = []
    for r in job.rows:
        user = users.get(r["user_id"])
        if user is None:
            continue
        password = None
        if key is not None:
            password = first_password(key, r["line"])
        out.append((user, password))
    return out


def task_key(import_job_id: int) -> str:
    """The background job's key of an import (services/background_jobs)."""
    return f"import:{import_job_id}"


def queue_job(job: ImportJob, key: bytes, started_by: User) -> None:
    """Ask the worker to run a recorded import once the caller's transaction commits (the
    upload's), with its secret sealed in the task (see the module's docstring)."""
    from .. import background_jobs

    background_jobs.start(
        "import",
        task_key(job.id),
        summary=f"Import of {job.filename or 'a CSV file'} ({job.total} accounts)",
        started_by=started_by,
        total=job.total,
        params={"import_job_id": job.id},
        secret=key.hex(),
    )
