"""Records kept for reliability and data protection: one-time form tokens (a form saved twice
makes one record) and the register of personal-data erasures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class FormSubmission(Base):
    """A create form's one-time token, stored when the form is saved, in the same transaction
    as the record it made. The unique token refuses a second save of the same form (a double
    click, a resent request); `result_url` is where the first save led."""

    __tablename__ = "form_submissions"
    __table_args__ = (Index("ix_form_submissions_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result_url: Mapped[str] = mapped_column(String(500), default="")


class Erasure(Base):
    """The register of erasures: whose personal data was erased, by whom, when, and how much.
    It holds no personal data itself (the user row it names is anonymised)."""

    __tablename__ = "personal_data_erasures"
    __table_args__ = (Index("ix_personal_data_erasures_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sandboxes: Mapped[int] = mapped_column(Integer, default=0)
    log_payloads_erased: Mapped[int] = mapped_column(Integer, default=0)
