"""Background jobs: work done by the task queue's worker (crm_sandbox/tasks), recorded in
`background_jobs` so the admin, and whoever started a job, can follow it from any instance.

A caller asks for work with `start(kind, key, ...)` in its own transaction: the job row is
written there, and the queue is told only after that transaction commits (nothing runs for
work that was rolled back, and the worker always finds the row). The key is the row the work
is about, so asking twice finds the same job and the work is done once; the worker claims the
job (`perform`) before doing it, so even a task delivered twice runs the work once.

A kind of work is a function registered with `@work(kind, words)`, taking the job and a
`Progress` (and the task's secret, when one travels with it), doing its work in transactions
of its own and returning a small dict kept as the job's result. An exception is a failed try:
the queue tries again with back-off until its tries are spent, then the job is failed and an
admin may run it again (`run_again`, staff-audited).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from huey.exceptions import CancelExecution, RetryTask
from sqlalchemy import event, select, update

from .. import database
from ..models import BackgroundJob, JobStatus, Role, User, db
from ..models.background_jobs import UNFINISHED
from ..models.base import utcnow
from .errors import NotFound, ServiceError
from .staff_audit import record_staff_action

# A running job records its progress at most this often (and always at the end).
PROGRESS_EVERY_SECONDS = 1.0
DISPATCH = "crm_background_dispatch"  # session.info: jobs to hand to the queue after commit


@dataclass(frozen=True)
class Kind:
    name: str
    words: str  # "Import of learners from a CSV file"
    run: Callable
    # Called (in the admin's transaction) before a failed job runs again; may refuse.
    before_rerun: Callable[[BackgroundJob], None] | None = None


_KINDS: dict[str, Kind] = {}


def work(name: str, words: str, before_rerun=None):
    """Register the function that does jobs of kind `name`."""

    def register(fn):
        _KINDS[name] = Kind(name, words, fn, before_rerun)
        return fn

    return register


def kind_words(name: str) -> str:
    """A kind of job in words, for the pages."""
    kind = _KINDS.get(name)
    return kind.words if kind else name


# ---------------------------------------------------------------------------------------------
# Asking for work


def start(
    kind: str,
    key: str,
    *,
    summary: str = "",
    started_by: User | None = None,
    group_id: int | None = None,
    total: int = 0,
    params: dict | None = None,
    secret: str | None = None,
) -> BackgroundJob:
    """The job doing `key`'s work, queued once the caller's transaction commits (flushes,
    never commits). An unfinished job with the same key is returned as it is (asking twice
    runs the work once); a finished one is run again from the start (a group provisioned
    again after new learners joined). `secret` travels with the queued task only (see
    crm_sandbox/tasks), never in this table."""
    if kind not in _KINDS:
        raise ValueError(f"no background work of kind {kind!r}")
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))
    if job is not None and job.status in UNFINISHED:
        return job
    now = utcnow()
    if job is None:
        job = BackgroundJob(kind=kind, key=key, created_at=now)
        db.session.add(job)
    job.status = JobStatus.PENDING.value
    job.tries, job.done, job.total = 0, 0, total
    job.last_error, job.result, job.params = "", {}, dict(params or {})
    job.summary = summary[:255]
    job.started_by_id = started_by.id if started_by is not None else None
    job.group_id = group_id
    job.updated_at, job.next_try_at, job.finished_at = now, None, None
    db.session.flush()
    _dispatch_after_commit(job.id, secret)
    return job


def _dispatch_after_commit(job_id: int, secret: str | None = None) -> None:
    db.session.info.setdefault(DISPATCH, []).append((job_id, secret))


_dispatcher: Callable[[int, str | None], None] | None = None


def set_dispatcher(fn: Callable[[int, str | None], None]) -> None:
    """How a committed job reaches the queue (crm_sandbox/tasks sets it)."""
    global _dispatcher
    _dispatcher = fn


@event.listens_for(db.session, "after_commit")
def _after_commit(session) -> None:
    queued = session.info.pop(DISPATCH, None)
    if queued and _dispatcher is not None:
        for job_id, secret in queued:
            _dispatcher(job_id, secret)


@event.listens_for(db.session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction: nothing was asked for
        session.info.pop(DISPATCH, None)


# ---------------------------------------------------------------------------------------------
# Doing the work (the worker)


class Progress:
    """`progress(done, total=None)`: recorded in a short transaction of its own, at most once
    a second, and always when done reaches total."""

    def __init__(self, job_id: int, total: int):
        self.job_id, self.total, self._last = job_id, total, 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        finished = done >= self.total
        if not finished and time.monotonic() - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = time.monotonic()
        _write(self.job_id, done=done, total=self.total)


def _write(job_id: int, **values) -> None:
    db.session.rollback()  # nothing of the work's own transaction is committed by this
    with database.write_transactions():
        db.session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job_id)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def perform(
    job_id: int, *, secret: str | None = None, tries_left: int = 0, retry_delay: float = 0
) -> bool:
    """Claim the job and do its work (the worker's task calls this). False when there was
    nothing to do: the job is done, running elsewhere, failed, or gone. An exception from the
    work is recorded (retrying while `tries_left`, or on `RetryTask`, after its delay or
    `retry_delay`; else failed; `CancelExecution(retry=False)` fails at once) and raised
    again for the queue's retry."""
    with database.write_transactions():
        claimed = db.session.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.id == job_id,
                BackgroundJob.status.in_([JobStatus.PENDING.value, JobStatus.RETRYING.value]),
            )
            .values(
                status=JobStatus.RUNNING.value,
                tries=BackgroundJob.tries + 1,
                updated_at=utcnow(),
                next_try_at=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
    if claimed != 1:
        return False
    job = db.session.get(BackgroundJob, job_id)
    kind = _KINDS.get(job.kind)
    try:
        if kind is None:
            raise RuntimeError(f"nothing here does {job.kind!r} jobs")
        result = kind.run(job, Progress(job_id, job.total), secret) or {}
    except Exception as exc:
        db.session.rollback()
        again = tries_left > 0 or isinstance(exc, RetryTask)
        if isinstance(exc, CancelExecution) and not exc.retry:
            again = False
        delay = exc.delay if isinstance(exc, RetryTask) and exc.delay is not None else retry_delay
        _write(
            job_id,
            status=(JobStatus.RETRYING if again else JobStatus.FAILED).value,
            last_error=(str(exc) or exc.__class__.__name__)[:2000],
            next_try_at=utcnow() + timedelta(seconds=delay) if again else None,
            finished_at=None if again else utcnow(),
        )
        raise
    _write(
        job_id,
        status=JobStatus.DONE.value,
        result=result,
        last_error="",
        finished_at=utcnow(),
    )
    return True


def record_interrupted(job_id: int) -> None:
    """Huey's `interrupted` signal: the worker stopped in the middle; the task is queued again
    (by crm_sandbox/tasks), so the job waits again."""
    _write(job_id, status=JobStatus.PENDING.value, last_error="the worker stopped; queued again")


# ---------------------------------------------------------------------------------------------
# Seeing and running again


def jobs(*, statuses=None, limit: int = 200) -> list[BackgroundJob]:
    """The latest jobs, most recently changed first (the admin's page)."""
    query = select(BackgroundJob).order_by(BackgroundJob.updated_at.desc()).limit(limit)
    if statuses:
        query = query.where(BackgroundJob.status.in_(list(statuses)))
    return list(db.session.scalars(query))


def counts() -> dict[str, int]:
    """{status: number of jobs}."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(BackgroundJob.status, func.count()).group_by(BackgroundJob.status)
    )
    return {status: n for status, n in rows}


def job_for(viewer: User, job_id: int) -> BackgroundJob:
    """A job `viewer` may follow: one they started, one about a group they may see, or any for
    an admin. NotFound otherwise (even if it exists)."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None:
        raise NotFound("No such task.")
    if viewer.role_enum == Role.ADMIN or job.started_by_id == viewer.id:
        return job
    if job.group_id is not None:
        from .groups import get_group

        get_group(viewer, job.group_id)  # NotFound for a group they may not see
        return job
    raise NotFound("No such task.")


def job_by_key(key: str) -> BackgroundJob | None:
    """The job doing `key`'s work, if any was asked for."""
    return db.session.scalar(select(BackgroundJob).where(BackgroundJob.key == key))


def run_again(job: BackgroundJob, actor: User) -> BackgroundJob:
    """Queue a failed job again (an admin's button; recorded in the staff audit log)."""
    if job.status != JobStatus.FAILED.value:
        raise ServiceError("Only a failed task can be run again.")
    kind = _KINDS.get(job.kind)
    if kind is not None and kind.before_rerun is not None:
        kind.before_rerun(job)  # may refuse with a ServiceError
    before = {"status": job.status, "tries": job.tries, "last_error": job.last_error}
    job.status = JobStatus.PENDING.value
    job.next_try_at = job.finished_at = None
    job.updated_at = utcnow()
    db.session.flush()
    record_staff_action(
        "background_job.run_again",
        "background_job",
        job.id,
        actor=actor,
        group_id=job.group_id,
        before=before,
        after={"status": job.status, "key": job.key},
    )
    _dispatch_after_commit(job.id)
    return job
