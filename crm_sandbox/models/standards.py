"""Service standards (quality standards): what is measured, the target, the unit, the period,
and who agreed it; with the learner's findings and any manual measurements."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .contacts import _in
from .sandboxes import SandboxScoped


class Measure(enum.StrEnum):
    """What the monitoring computes from the sandbox's own records."""

    ACK_TIME = "complaint_ack_time"
    RESOLUTION_TIME = "complaint_resolution_time"
    FIRST_RESPONSE = "first_response_time"
    FOLLOW_UPS_ON_TIME = "follow_ups_on_time"
    SATISFACTION = "satisfaction_score"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {
            "complaint_ack_time": "Complaints acknowledged within a time",
            "complaint_resolution_time": "Complaints resolved within a time",
            "first_response_time": "First response to enquiries within a time",
            "follow_ups_on_time": "Follow-ups done by their date",
            "satisfaction_score": "Average satisfaction score",
            "manual": "A measure you record yourself",
        }[self.value]


class Period(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def label(self) -> str:
        return {"week": "Weekly", "month": "Monthly", "quarter": "Quarterly"}[self.value]


class StandardStatus(enum.StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ServiceStandard(SandboxScoped, Base):
    __tablename__ = "service_standards"
    __table_args__ = (
        CheckConstraint(_in("measure", Measure), name="measure_known"),
        CheckConstraint(_in("period", Period), name="period_known"),
        CheckConstraint(_in("status", StandardStatus), name="status_known"),
        Index("ix_service_standards_sandbox_id", "sandbox_id"),
        Index("ix_service_standards_agreed_with_contact_id", "agreed_with_contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(String(32))
    # e.g. "within 1 working_days" for time measures, or "at least 4.0 score"
    threshold: Mapped[float | None] = mapped_column(Float)
    threshold_unit: Mapped[str] = mapped_column(String(20), default="")
    # share of cases that must meet the threshold (time and follow-up measures), in percent
    target_percent: Mapped[float | None] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(10), default=Period.MONTH.value)
    # How a manual measure is taken (who counts what, from which records, how often): a
    # manual standard is measurable only with its method stated.
    method: Mapped[str] = mapped_column(Text, default="")
    agreed_with: Mapped[str] = mapped_column(String(200), default="")
    agreed_with_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    agreed_on: Mapped[date | None] = mapped_column(Date)
    # The customer's reply that agreed the standard as it stood (an inbound interaction with
    # answer_kind agrees_standard); None when the agreement rests on the learner's word.
    agreed_reply_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=StandardStatus.DRAFT.value)
    created_sbx: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    findings: Mapped[list[StandardFinding]] = relationship(
        back_populates="standard", order_by="StandardFinding.id"
    )
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="standard", order_by="Measurement.taken_on"
    )


class Measurement(SandboxScoped, Base):
    """A value the learner recorded for a manual standard."""

    __tablename__ = "standard_measurements"
    __table_args__ = (
        Index("ix_standard_measurements_sandbox_id", "sandbox_id"),
        Index("ix_standard_measurements_standard_id", "standard_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standards.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")

    standard: Mapped[ServiceStandard] = relationship(back_populates="measurements")


class StandardFinding(SandboxScoped, Base):
    """What the learner concluded from monitoring a standard."""

    __tablename__ = "standard_findings"
    __table_args__ = (
        Index("ix_standard_findings_sandbox_id", "sandbox_id"),
        Index("ix_standard_findings_standard_id", "standard_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("service_standards.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    compliance_percent: Mapped[float | None] = mapped_column(Float)
    # The figures the learner stated for the period (in the standard's unit: % of cases met,
    # an average score out of 5, or a manual measure's unit) and the ones the CRM computed for
    # the same period; from_crm when the learner chose the CRM's figures.
    stated_value: Mapped[float | None] = mapped_column(Float)
    stated_cases: Mapped[int | None] = mapped_column(Integer)
    stated_breaches: Mapped[int | None] = mapped_column(Integer)
    computed_value: Mapped[float | None] = mapped_column(Float)
    computed_cases: Mapped[int | None] = mapped_column(Integer)
    computed_breaches: Mapped[int | None] = mapped_column(Integer)
    from_crm: Mapped[bool] = mapped_column(Boolean, default=False)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    created_sbx: Mapped[datetime] = mapped_column()

    standard: Mapped[ServiceStandard] = relationship(back_populates="findings")
