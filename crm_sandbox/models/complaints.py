"""Complaints: a reference number, the stage reached, the escalation level, due times from the
organisation's procedure, and a stage history that records every move (and any breach)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .contacts import Contact, _in
from .sandboxes import SandboxScoped


class Stage(enum.StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    WAITING = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"waiting_customer": "Waiting for the customer"}.get(
            self.value, self.value.capitalize()
        )


class Level(enum.StrEnum):
    FRONT_LINE = "front_line"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    EXTERNAL_REVIEW = "external_review"

    @property
    def label(self) -> str:
        return {
            "front_line": "Front line",
            "supervisor": "Supervisor",
            "manager": "Manager",
            "external_review": "External review",
        }[self.value]

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SandboxCounter(SandboxScoped, Base):
    """A per-sandbox counter (e.g. the next complaint reference), updated in the same
    transaction as the row that uses it, so concurrent writers never share a number."""

    __tablename__ = "sandbox_counters"
    __table_args__ = (UniqueConstraint("sandbox_id", "name", name="uq_sandbox_counters_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(SandboxScoped, Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("sandbox_id", "reference", name="uq_complaints_reference"),
        CheckConstraint(_in("stage", Stage), name="stage_known"),
        CheckConstraint(_in("level", Level), name="level_known"),
        CheckConstraint(_in("severity", Severity), name="severity_known"),
        CheckConstraint(
            "satisfaction_rating IS NULL OR satisfaction_rating BETWEEN 1 AND 5",
            name="rating_range",
        ),
        Index("ix_complaints_sandbox_stage", "sandbox_id", "stage"),
        Index("ix_complaints_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8), default=Severity.MEDIUM.value)
    owner: Mapped[str] = mapped_column(String(120), default="")
    stage: Mapped[str] = mapped_column(String(20), default=Stage.RECEIVED.value)
    level: Mapped[str] = mapped_column(String(20), default=Level.FRONT_LINE.value)
    received_at: Mapped[datetime] = mapped_column()  # sandbox times from here on
    level_started_at: Mapped[datetime] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    # Due times at the current level, pushed back by time spent waiting for the customer.
    ack_due_at: Mapped[datetime | None] = mapped_column()
    resolve_due_at: Mapped[datetime | None] = mapped_column()
    waiting_since: Mapped[datetime | None] = mapped_column()
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    # The reason the procedure gives for the latest escalation, by its number in the
    # procedure's `escalate_when` (None: none chosen, a judgement call), and the refund or
    # compensation the customer asked for when that is the reason (text, "150.00"; "" if none).
    escalation_rule: Mapped[int | None] = mapped_column(Integer)
    escalation_amount: Mapped[str] = mapped_column(String(20), default="")
    # The policy rule that decides the resolution ("returns.2": services/complaints/rules.py).
    policy_rule: Mapped[str] = mapped_column(String(40), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    # What the lesson changes, as choices: the policy or procedure (a key of the
    # organisation's policies) and the kind of change (rules.LESSON_CHANGES).
    lessons_policy: Mapped[str] = mapped_column(String(40), default="")
    lessons_change: Mapped[str] = mapped_column(String(20), default="")
    customer_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    confirmation_note: Mapped[str] = mapped_column(String(500), default="")
    # The customer's "yes, I am satisfied" a confirmed close points at (an interaction id in
    # this sandbox; no foreign key: interactions already refer to complaints, and a cycle
    # would break copying a sandbox table by table).
    satisfaction_reply_id: Mapped[int | None] = mapped_column(Integer)
    satisfaction_requested_at: Mapped[datetime | None] = mapped_column()
    satisfaction_rating: Mapped[int | None] = mapped_column(Integer)
    satisfaction_comment: Mapped[str] = mapped_column(String(1000), default="")
    satisfaction_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id"
    )

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    @property
    def level_enum(self) -> Level:
        return Level(self.level)


class ComplaintEvent(SandboxScoped, Base):
    """One step in a complaint's history: a stage move or an escalation, with its note, whether
    it was a judgement call the procedure allows, and any breach of the procedure."""

    __tablename__ = "complaint_events"
    __table_args__ = (
        Index("ix_complaint_events_sandbox_id", "sandbox_id"),
        Index("ix_complaint_events_complaint_id", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column()  # sandbox time
    action: Mapped[str] = mapped_column(String(30))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    from_level: Mapped[str | None] = mapped_column(String(20))
    to_level: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    judgement: Mapped[bool] = mapped_column(Boolean, default=False)
    breach: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(160), default="")

    complaint: Mapped[Complaint] = relationship(back_populates="events")
