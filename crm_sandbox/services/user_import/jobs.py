"""Background import jobs: a checked import recorded as a job, run in a thread of its own
with its progress in the database (so any instance can show it), and what it made.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, update

from ... import database
from ...models import ImportJob, ImportStatus, User, db
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


def run_job(job_id: int, key: bytes) -> None:
    """Do a recorded import: hash every first password with no transaction open (recording
    progress in short transactions of its own), then write every account in one short
    transaction, or record why nothing was written. Runs in a background thread with its
    own app context (or inline, in tests and the benchmark)."""
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
    """ "running", "done", "failed", or "stopped": running but silent for too long (its
    process ended; nothing was written)."""
    if job.status == ImportStatus.RUNNING.value:
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


def run_in_background(app, job_id: int, key: bytes) -> threading.Thread:
    """Run a job in a thread of this process, with an app context of its own.

    scrypt releases the GIL, so the worker that started it goes on serving requests; the
    progress is in the database, so any instance can show it."""

    def target() -> None:
        with app.app_context():
            try:
                run_job(job_id, key)
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"import-job-{job_id}", daemon=True)
    thread.start()
    return thread
