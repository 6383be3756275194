"""The interaction log: every call, email, letter, meeting, chat or social message."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, text
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


class Purpose(enum.StrEnum):
    """What an outbound message is for: the learner says so with every message they send."""

    ASK_NEEDS = "ask_needs"
    CONFIRM_NEEDS = "confirm_needs"
    ACKNOWLEDGE = "acknowledge"
    UPDATE = "update"
    PROPOSE_RESOLUTION = "propose_resolution"
    ASK_SATISFIED = "ask_satisfied"
    FOLLOW_UP = "follow_up"
    MARKETING = "marketing"
    SURVEY_INVITATION = "survey_invitation"
    INTERNAL_REQUEST = "internal_request"
    INTERNAL_REPLY = "internal_reply"
    PROPOSE_STANDARD = "propose_standard"  # details: the standard's terms as proposed

    @property
    def label(self) -> str:
        return PURPOSE_LABELS[self.value]

    @property
    def expects_answer(self) -> bool:
        """Whether the customer answers a message with this purpose (the others are answered
        only when they go wrong: a broken promise, unwanted marketing)."""
        return self.value in {
            "ask_needs",
            "confirm_needs",
            "propose_resolution",
            "ask_satisfied",
            "internal_request",
            "propose_standard",
        }


PURPOSE_LABELS = {
    "ask_needs": "Ask about their needs",
    "confirm_needs": "Confirm their needs back to them",
    "acknowledge": "Acknowledge a complaint",
    "update": "Update on a complaint",
    "propose_resolution": "Propose a resolution",
    "ask_satisfied": "Ask whether they are satisfied",
    "follow_up": "Service follow-up",
    "marketing": "Marketing offer",
    "survey_invitation": "Survey invitation",
    "internal_request": "Internal request",
    "internal_reply": "Internal reply",
    "propose_standard": "Propose a service standard",
}


class Questioning(enum.StrEnum):
    """The kind of question a learner asks a customer about their needs."""

    OPEN = "open"
    CLOSED = "closed"
    PROBING = "probing"
    SUMMARISING = "summarising"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class AnswerKind(enum.StrEnum):
    """What a message from a customer is (set on every inbound interaction the simulated
    customer or a scenario event makes; never chosen by the learner)."""

    ANSWER = "answer"  # answers a question about needs
    NEEDS_REPLY = "needs_reply"  # confirms, corrects or adds to a needs summary
    ACCEPTS = "accepts"  # accepts a proposed resolution
    REJECTS = "rejects"  # rejects it, saying why
    SATISFIED = "satisfied"  # "yes, I am satisfied"
    NOT_SATISFIED = "not_satisfied"
    CHASE = "chase"  # a promised or due contact did not come
    ESCALATION = "escalation"  # asks for the complaint to go higher
    COMPLAINT = "complaint"  # complains (about unwanted marketing, say)
    LEAVING = "leaving"  # takes their business elsewhere
    REPLY = "reply"  # an internal customer's reply, or any other answer
    EVENT = "event"  # a scenario's scripted contact
    AGREES_STANDARD = "agrees_standard"  # agrees a proposed service standard as it stands
    QUERIES_STANDARD = "queries_standard"  # cannot agree it as it stands, saying why

    @property
    def label(self) -> str:
        return ANSWER_LABELS[self.value]


# A customer's answers to what we sent: the conversation stays ours (the customer's own
# initiative is a new message, a chase, an escalation, a complaint).
ANSWERS_TO_US = frozenset(
    {
        "answer",
        "needs_reply",
        "accepts",
        "rejects",
        "satisfied",
        "not_satisfied",
        "reply",
        "agrees_standard",
        "queries_standard",
    }
)

ANSWER_LABELS = {
    "answer": "Answered your question",
    "needs_reply": "Replied to your summary of their needs",
    "accepts": "Accepted the proposed resolution",
    "rejects": "Rejected the proposed resolution",
    "satisfied": "Confirmed they are satisfied",
    "not_satisfied": "Said they are not satisfied",
    "chase": "Chased",
    "escalation": "Asked for escalation",
    "complaint": "Complained",
    "leaving": "Is taking their business elsewhere",
    "reply": "Replied",
    "event": "Got in touch",
    "agrees_standard": "Agreed the proposed standard",
    "queries_standard": "Did not agree the proposed standard",
}


def _index_if_set(name: str, *columns: str) -> Index:
    """An index of the rows whose last column is not NULL (a partial index, on both
    databases)."""
    where = text(f"{columns[-1]} IS NOT NULL")
    return Index(name, *columns, postgresql_where=where, sqlite_where=where)


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
        # Indexes of columns most messages leave empty hold only the rows that have a value
        # (every query they serve compares the column, so it has one): copying a sandbox
        # writes entries for those few rows only (`_index_if_set`).
        _index_if_set("ix_interactions_supersedes_id", "supersedes_id"),
        _index_if_set("ix_interactions_sandbox_follow_up", "sandbox_id", "follow_up_on"),
        _index_if_set("ix_interactions_complaint_id", "complaint_id"),
        _index_if_set("ix_interactions_sandbox_customer_due", "sandbox_id", "customer_due_at"),
        _index_if_set("ix_interactions_thread_id", "thread_id"),
        _index_if_set("ix_interactions_in_reply_to_id", "in_reply_to_id"),
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
    # Conversations (customers who answer back). An outbound message says what it is for
    # (`purpose`); a customer's message says what it is (`answer_kind`). `thread_id` is the
    # first message of the conversation (its own id for the first), `in_reply_to_id` the
    # message this one answers; who started the thread decides reactive or proactive.
    purpose: Mapped[str | None] = mapped_column(String(24))
    answer_kind: Mapped[str | None] = mapped_column(String(16))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    # What the message is about, besides a complaint: a standard or a survey it serves.
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("service_standards.id"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    # A promise the message makes: the next contact, by this sandbox time.
    promise_by: Mapped[datetime | None] = mapped_column()
    # When the simulated customer next acts on this message (answers it, or chases a broken
    # promise); NULL when nothing is pending. Indexed: a page asks "anything due?" in one look.
    customer_due_at: Mapped[datetime | None] = mapped_column()
    # The structured content (see services/conversations.py for the shapes): the question's
    # topic and kind, the needs a summary lists, a proposed remedy; in a customer's message,
    # what they revealed, confirmed or corrected, whether they accept or are satisfied.
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()

    @property
    def from_customer(self) -> bool:
        return self.direction == Direction.INBOUND.value
