"""Contacts: internal and external customers and the non-customers around them, with their
recorded needs (kept apart from preferences) and consent for contact."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .sandboxes import SandboxScoped


class Category(enum.StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"
    NON_CUSTOMER = "non_customer"
    UNCLASSIFIED = "unclassified"

    @property
    def label(self) -> str:
        return {
            "internal": "Internal customer",
            "external": "External customer",
            "non_customer": "Not a customer",
            "unclassified": "Not yet classified",
        }[self.value]


class AccountType(enum.StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"
    COLLEAGUE = "colleague"
    DEPARTMENT = "department"
    SUPPLIER = "supplier"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Segment(enum.StrEnum):
    NEW = "new"
    REGULAR = "regular"
    KEY_ACCOUNT = "key_account"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return {
            "new": "New",
            "regular": "Regular",
            "key_account": "Key account",
            "at_risk": "Lapsed / at risk",
        }[self.value]


class Lifecycle(enum.StrEnum):
    ACQUISITION = "acquisition"
    RETENTION = "retention"
    DEVELOPMENT = "development"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ConfirmationMethod(enum.StrEnum):
    ASKED_BACK = "asked_back"
    SUMMARISED = "summarised"
    IN_WRITING = "in_writing"

    @property
    def label(self) -> str:
        return {
            "asked_back": "Asked the customer back",
            "summarised": "Summarised and agreed",
            "in_writing": "Confirmed in writing",
        }[self.value]


class NeedType(enum.StrEnum):
    """What a need or preference is about; also the topics a question can ask about."""

    TIMESCALE = "timescale"
    BUDGET = "budget"
    ACCESSIBILITY = "accessibility"
    SPECIFICATION = "specification"
    INFORMATION = "information"
    QUALITY = "quality"
    OTHER = "other"

    @property
    def label(self) -> str:
        return NEED_TYPE_LABELS[self.value]


NEED_TYPE_LABELS = {
    "timescale": "Timescale",
    "budget": "Budget",
    "accessibility": "Accessibility",
    "specification": "Product or service specification",
    "information": "Information",
    "quality": "Quality",
    "other": "Other",
}


CHANNELS_FOR_CONSENT = ("email", "phone", "post", "sms")


def _in(column: str, enum_cls) -> str:
    values = ", ".join(f"'{v.value}'" for v in enum_cls)
    return f"{column} IN ({values})"


class Contact(SandboxScoped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(_in("category", Category), name="category_known"),
        CheckConstraint(_in("account_type", AccountType), name="account_type_known"),
        CheckConstraint(f"segment IS NULL OR {_in('segment', Segment)}", name="segment_known"),
        CheckConstraint(
            f"lifecycle_stage IS NULL OR {_in('lifecycle_stage', Lifecycle)}",
            name="lifecycle_known",
        ),
        Index("ix_contacts_sandbox_sort", "sandbox_id", "sort_name", "id"),
        Index("ix_contacts_sandbox_category", "sandbox_id", "category"),
        Index("ix_contacts_merged_into_id", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    account_type: Mapped[str] = mapped_column(String(16))
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    organisation_name: Mapped[str] = mapped_column(String(160), default="")
    job_title: Mapped[str] = mapped_column(String(120), default="")
    department: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    segment: Mapped[str | None] = mapped_column(String(16))
    lifecycle_stage: Mapped[str | None] = mapped_column(String(16))
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_post: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    # lower-case "surname forename" (or organisation), for ordering, keyset pages and search
    sort_name: Mapped[str] = mapped_column(String(240), default="")
    accuracy_checked_at: Mapped[datetime | None] = mapped_column()  # sandbox time
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    created_sbx: Mapped[datetime] = mapped_column()  # sandbox time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A customer who stopped buying or took their business elsewhere (sandbox time), and why
    # in their words: evidence of what poor service costs.
    left_sbx: Mapped[datetime | None] = mapped_column()
    left_reason: Mapped[str] = mapped_column(String(500), default="")

    needs: Mapped[list[Need]] = relationship(back_populates="contact", order_by="Need.id")
    preferences: Mapped[list[Preference]] = relationship(
        back_populates="contact", order_by="Preference.id"
    )

    @property
    def display_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        if self.account_type in ("business", "supplier", "department") and self.organisation_name:
            return f"{self.organisation_name} ({person})" if person else self.organisation_name
        return person or self.organisation_name or f"Contact {self.id}"

    @property
    def category_enum(self) -> Category:
        return Category(self.category)

    def consents(self) -> dict[str, bool]:
        return {ch: getattr(self, f"consent_{ch}") for ch in CHANNELS_FOR_CONSENT}


class Need(SandboxScoped, Base):
    """Something the customer needs (speed, accuracy, product knowledge ...), which a competent
    learner confirms with the customer before acting on it."""

    __tablename__ = "contact_needs"
    __table_args__ = (
        Index("ix_contact_needs_sandbox_id", "sandbox_id"),
        Index("ix_contact_needs_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(500))
    need_type: Mapped[str | None] = mapped_column(String(16))  # a NeedType (None: older rows)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The customer's reply that confirmed it: the only way a need becomes confirmed now.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    confirmation_method: Mapped[str | None] = mapped_column(String(16))
    confirmed_sbx: Mapped[datetime | None] = mapped_column()
    created_sbx: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="needs")


class Preference(SandboxScoped, Base):
    """Something the customer would like but does not need (a time to call, a tone)."""

    __tablename__ = "contact_preferences"
    __table_args__ = (
        Index("ix_contact_preferences_sandbox_id", "sandbox_id"),
        Index("ix_contact_preferences_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(500))
    pref_type: Mapped[str | None] = mapped_column(String(16))  # a NeedType (None: older rows)
    created_sbx: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="preferences")
