"""Background jobs: what the task queue (crm_sandbox/tasks) is doing, kept in the database so
an admin (and whoever started a job) can see it from any instance.

One row per piece of work, found by a stable `key` (the row it works on: "import:12",
"provision-group:3", "outbox:981"), so asking for the same work twice finds the same job and
the work is done once. The worker writes the status as it goes (and Huey's signals write what
only Huey knows: a retry's time, an interrupted task).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    PENDING = "pending"  # queued, waiting for a worker
    RUNNING = "running"
    RETRYING = "retrying"  # a try failed; the queue tries again at next_try_at
    FAILED = "failed"  # every try failed: an admin may run it again
    DONE = "done"


JOB_STATUS_VALUES = tuple(s.value for s in JobStatus)
# The states in which asking for the same work again finds this job rather than a new run.
UNFINISHED = (JobStatus.PENDING.value, JobStatus.RUNNING.value, JobStatus.RETRYING.value)


class BackgroundJob(Base):
    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUS_VALUES!r}", name="status_known"),
        Index("ix_background_jobs_status_updated_at", "status", "updated_at"),
        Index("ix_background_jobs_started_by_id", "started_by_id"),
        Index("ix_background_jobs_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it does: a kind registered in crm_sandbox/tasks ("import", "provision-group", ...).
    kind: Mapped[str] = mapped_column(String(40))
    # Stable and unique: the row the work is about ("provision-group:3").
    key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING.value)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A line for people: "Evidence packs for Business Admin L3 (Tue)".
    summary: Mapped[str] = mapped_column(String(255), default="")
    # What the work needs besides its key (ids, options; never a secret) and what it made.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    started_by = relationship("User", foreign_keys=[started_by_id], lazy="joined")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE.value:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
