"""Sandboxes: each learner's private CRM, its organisation, and the templates copied into them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User


class SandboxKind(enum.StrEnum):
    TEMPLATE = "template"  # generated once per (profile, seed, size); copied, never worked in
    PRACTICE = "practice"  # a learner's free-practice CRM
    ASSIGNMENT = "assignment"  # a learner's CRM for one assigned scenario


class SandboxScoped:
    """Mixin for every table that holds one sandbox's data: reads are filtered to the current
    sandbox in one place (see `crm_sandbox.scoping`)."""

    sandbox_id: Mapped[int] = mapped_column(ForeignKey("sandboxes.id", ondelete="CASCADE"))


class Sandbox(Base):
    __tablename__ = "sandboxes"
    __table_args__ = (
        CheckConstraint("kind IN ('template', 'practice', 'assignment')", name="kind_known"),
        CheckConstraint("size IN ('small', 'standard', 'large')", name="size_known"),
        Index("ix_sandboxes_owner_id", "owner_id"),
        Index("ix_sandboxes_template_id", "template_id"),
        Index("ix_sandboxes_template_key", "kind", "profile", "seed", "size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("sandboxes.id"))
    title: Mapped[str] = mapped_column(String(200), default="")
    profile: Mapped[str] = mapped_column(String(40))
    seed: Mapped[int] = mapped_column(Integer)
    size: Mapped[str] = mapped_column(String(16))
    # How far each table's ids were shifted when copied from the template; reset reuses them so
    # a reset sandbox has the very same rows it started with.
    id_offsets: Mapped[dict] = mapped_column(JSON, default=dict)
    # The business clock (services/clock.py). A practice CRM's runs with real time:
    # clock_start + (real now - clock_anchor) + clock_offset. A scenario attempt's runs on the
    # learner's working time (clock_runs_on_work): clock_start + clock_offset +
    # clock_worked_seconds (worked time recorded up to clock_anchor, the learner's last
    # recorded activity) + the time since then, at most the idle limit, while clock_running.
    clock_runs_on_work: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    clock_start: Mapped[datetime] = mapped_column()
    clock_anchor: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_offset_seconds: Mapped[int] = mapped_column(Integer, default=0)
    clock_worked_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    clock_running: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    reset_count: Mapped[int] = mapped_column(Integer, default=0)
    # Head of the tamper-evident action log: updated with each entry in the same transaction,
    # which also serialises concurrent appends to one sandbox's log.
    log_seq: Mapped[int] = mapped_column(Integer, default=0)
    log_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    # HMAC of (id, log_seq, log_head) under the log key kept outside the database: a chain
    # re-hashed by someone with only the database cannot carry a matching one.
    log_mac: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    organisation: Mapped[Organisation] = relationship(
        back_populates="sandbox", uselist=False, viewonly=True
    )


class Organisation(SandboxScoped, Base):
    """The simulated business a sandbox belongs to, with its policies (data the clock and the
    checks read: working hours, the complaints procedure and its timescales)."""

    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_sandbox_id", "sandbox_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    learner_role: Mapped[str] = mapped_column(String(200), default="")
    # Working week: ISO weekdays (1 = Monday) and opening hours as "HH:MM".
    working_days: Mapped[list] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5])
    opens_at: Mapped[str] = mapped_column(String(5), default="09:00")
    closes_at: Mapped[str] = mapped_column(String(5), default="17:00")
    departments: Mapped[list] = mapped_column(JSON, default=list)
    # {"charter": str, "returns": str, "data_protection": str, "complaints": str}
    policies: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"levels": [{"key", "name", "owner", "acknowledge_within": {"amount", "unit"},
    #              "resolve_within": {...}}, ...], "escalate_when": [...], "categories": [...]}
    complaints_procedure: Mapped[dict] = mapped_column(JSON, default=dict)

    sandbox: Mapped[Sandbox] = relationship(back_populates="organisation")
