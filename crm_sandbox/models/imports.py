"""A CSV import of user accounts that runs in the background, with its progress.

Hashing a password costs a fifth of a second of CPU, so a file of hundreds of accounts takes
minutes: the upload is checked at once, then the accounts are made by a background job whose
progress lives here, in the database, so a status page served by any instance can show it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class ImportStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


IMPORT_STATUS_VALUES = tuple(s.value for s in ImportStatus)


class ImportJob(Base):
    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {IMPORT_STATUS_VALUES!r}", name="status_known"),
        Index("ix_import_jobs_created_by_id", "created_by_id"),
        Index("ix_import_jobs_default_tutor_id", "default_tutor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Who owns the groups the file does not give a tutor (the tutor who uploaded it).
    default_tutor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.RUNNING.value)
    total: Mapped[int] = mapped_column(Integer, default=0)
    hashed: Mapped[int] = mapped_column(Integer, default=0)
    # The checked rows: [{"line", "name", "email", "role", "group"}]; after the import, each
    # also has the "user_id" made for it. No password is ever stored here.
    rows: Mapped[list] = mapped_column(JSON, default=list)
    groups_created: Mapped[list] = mapped_column(JSON, default=list)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [[line, message]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written as the job progresses: a running job whose heartbeat stops has died.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
