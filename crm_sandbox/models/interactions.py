"""The interaction log: every call, email, letter, meeting, chat or social message."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .contacts import Contact, _in
from .sandboxes import SandboxScoped


class Channel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"
    LIVE_CHAT = "live_chat"
    SOCIAL = "social"

    @property
    def label(self) -> str:
        return {
            "phone": "Phone call",
            "email": "Email",
            "letter": "Letter",
            "meeting": "Meeting",
            "live_chat": "Live chat",
            "social": "Social media",
        }[self.value]

    @property
    def consent_field(self) -> str | None:
        """The consent a proactive contact on this channel needs (None: no consent field)."""
        return {
            "phone": "phone",
            "email": "email",
            "letter": "post",
            "social": None,
            "live_chat": None,
            "meeting": None,
        }[self.value]


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"

    @property
    def label(self) -> str:
        return "In" if self is Direction.INBOUND else "Out"


class Initiative(enum.StrEnum):
    REACTIVE = "reactive"
    PROACTIVE = "proactive"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Interaction(SandboxScoped, Base):
    """One contact with a customer. Never deleted: a correction is a new interaction that
    supersedes the old one (`supersedes_id`)."""

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint(_in("channel", Channel), name="channel_known"),
        CheckConstraint(_in("direction", Direction), name="direction_known"),
        CheckConstraint(_in("initiative", Initiative), name="initiative_known"),
        Index("ix_interactions_sandbox_occurred", "sandbox_id", "occurred_at"),
        Index("ix_interactions_contact_id", "contact_id"),
        Index("ix_interactions_supersedes_id", "supersedes_id"),
        Index("ix_interactions_sandbox_follow_up", "sandbox_id", "follow_up_on"),
        Index("ix_interactions_complaint_id", "complaint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    initiative: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(120), default="")
    occurred_at: Mapped[datetime] = mapped_column()  # sandbox time
    follow_up_on: Mapped[date | None] = mapped_column(Date)  # sandbox date
    follow_up_done_sbx: Mapped[datetime | None] = mapped_column()
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    # Set when the interaction is a communication about a complaint.
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()
