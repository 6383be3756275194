"""The outbox: messages to other systems (grades to a learning platform, xAPI statements to a
Learning Record Store), written in the same transaction as the work they report and sent
afterwards by `services/outbox.py`, so nothing is lost when the other system is down and
nothing is sent twice (each message has a stable key)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # not sent yet, or sent and refused for a reason that may pass
    SENT = "sent"
    FAILED = "failed"  # refused for good (the other system said the message itself is wrong)
    SUPERSEDED = "superseded"  # a later message about the same thing replaced it unsent


OUTBOX_STATUS_VALUES = tuple(s.value for s in OutboxStatus)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUS_VALUES!r}", name="status_known"),
        Index("ix_outbox_messages_status_next_try_at", "status", "next_try_at"),
        Index("ix_outbox_messages_group_id", "group_id"),
        Index("ix_outbox_messages_attempt_id", "attempt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is and who sends it: a handler registered under this name (services/outbox.py).
    kind: Mapped[str] = mapped_column(String(40))
    # Stable and unique: the same event enqueued twice is one message.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender working on the message holds it until then (several senders never send twice).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # For the pages: whose work it reports (a tutor sees their groups' waiting scores).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    # A line for people: "Score 67% for Lola Smith, A refused refund".
    summary: Mapped[str] = mapped_column(String(255), default="")
