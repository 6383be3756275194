"""Assignments of scenarios and each learner's attempt at one (its own sandbox)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .sandboxes import Sandbox
from .users import User


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ASSESSED = "assessed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            "in_progress": "In progress",
            "submitted": "Submitted",
            "assessed": "Assessed",
            "returned": "Returned for more work",
        }[self.value]


NOT_STARTED = "not_started"
# What learners and tutors see an attempt as (`Attempt.progress`): its status, except that
# work set but never opened is "not started".
PROGRESS_LABELS = {NOT_STARTED: "Not started", **{s.value: s.label for s in AttemptStatus}}


class Assignment(Base):
    """A scenario set by a tutor (or the command line) for a group or chosen learners."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_group_id", "group_id"),
        Index("ix_assignments_set_by_id", "set_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attempt(Base):
    """One learner's work on one scenario, in a sandbox of its own. The scenario file is kept
    as it was when the attempt started, so later edits do not change the checks."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_learner_id", "learner_id"),
        Index("ix_attempts_assignment_id", "assignment_id"),
        Index("ix_attempts_sandbox_id", "sandbox_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    sandbox_id: Mapped[int] = mapped_column(ForeignKey("sandboxes.id"))
    scenario_id: Mapped[str] = mapped_column(String(64))
    scenario_yaml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS.value)
    keys: Mapped[dict] = mapped_column(JSON, default=dict)
    fired_events: Mapped[list] = mapped_column(JSON, default=list)
    hints_used: Mapped[list] = mapped_column(JSON, default=list)
    checks_run: Mapped[int] = mapped_column(Integer, default=0)
    latest_score: Mapped[float | None] = mapped_column(Float)
    latest_results: Mapped[dict | None] = mapped_column(JSON)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # this learner's due date
    # When the work was set; `started_at` is when the learner first opened it (None: not yet).
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declaration: Mapped[str] = mapped_column(String(500), default="")

    learner: Mapped[User] = relationship()
    sandbox: Mapped[Sandbox] = relationship()
    assignment: Mapped[Assignment | None] = relationship()

    @property
    def status_enum(self) -> AttemptStatus:
        return AttemptStatus(self.status)

    @property
    def progress(self) -> str:
        """The status as the learner's home and the tutor's grid both show it: "not_started"
        until the learner first opens the scenario, then the attempt's status."""
        if self.started_at is None and self.status == AttemptStatus.IN_PROGRESS.value:
            return NOT_STARTED
        return self.status

    @property
    def progress_label(self) -> str:
        """`progress` in words ("Not started", "In progress", ...)."""
        return PROGRESS_LABELS[self.progress]
