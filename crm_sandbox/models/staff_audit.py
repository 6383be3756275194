"""The staff audit log: what staff (and the command line) did to accounts, groups,
assignments, due dates, sandboxes and scenarios. Append-only, like the action log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class StaffAuditEntry(Base):
    """One staff action: who (their id, and their email and role as they were then), when
    (real UTC time), what (verb, object type and id), which group and learner it concerns,
    and the values before and after.

    The ids carry no foreign keys on purpose: a row must never stop a user or group from
    changing, and a change elsewhere must never try to update a row here (the database
    refuses every UPDATE and DELETE). A learner's email or name is never copied into a row,
    so erasing a learner's personal data leaves nothing here to erase: the learner id stays
    and points at the anonymised account."""

    __tablename__ = "staff_audit"
    __table_args__ = (
        Index("ix_staff_audit_real_time", "real_time", "id"),
        Index("ix_staff_audit_actor_id", "actor_id"),
        Index("ix_staff_audit_verb", "verb"),
        Index("ix_staff_audit_group_id", "group_id"),
        Index("ix_staff_audit_learner_id", "learner_id"),
        Index("ix_staff_audit_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    real_time: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # None: the command line
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_role: Mapped[str] = mapped_column(String(16))
    verb: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer)
    learner_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
