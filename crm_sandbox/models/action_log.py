"""The action log: every change in a sandbox, append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime
from .sandboxes import SandboxScoped


class ActionLogEntry(SandboxScoped, Base):
    """One recorded action. `entry_hash` = SHA-256 of the previous entry's hash and the
    canonical JSON of this entry's header, which includes the hash of its payload (so a
    payload can later be erased for data protection without breaking the chain)."""

    __tablename__ = "action_log"
    __table_args__ = (
        UniqueConstraint("sandbox_id", "seq", name="uq_action_log_sandbox_seq"),
        Index("ix_action_log_actor_id", "actor_id"),
        Index("ix_action_log_sandbox_object", "sandbox_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    real_time: Mapped[datetime] = mapped_column(UTCDateTime)
    sandbox_time: Mapped[datetime] = mapped_column()
    verb: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict | None] = mapped_column(JSON)  # {"before": ..., "after": ...}
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
