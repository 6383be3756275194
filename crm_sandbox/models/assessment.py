"""Assessment: judgements per criterion, overall decisions, internal quality assurance, and
scenarios that tutors write. Judgements and decisions are never edited: a change is a new row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User

JUDGEMENT_DECISIONS = ("met", "not_yet_met")


class Judgement(Base):
    """An assessor's signed judgement on one criterion for one attempt."""

    __tablename__ = "judgements"
    __table_args__ = (
        CheckConstraint("decision IN ('met', 'not_yet_met')", name="decision_known"),
        Index("ix_judgements_attempt_id", "attempt_id"),
        Index("ix_judgements_assessor_id", "assessor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessor: Mapped[User] = relationship()


class Decision(Base):
    """The overall decision on an attempt, with feedback to the learner. "not_yet_met" returns
    the work to the learner and reopens the sandbox."""

    __tablename__ = "assessment_decisions"
    __table_args__ = (
        CheckConstraint("outcome IN ('met', 'not_yet_met')", name="outcome_known"),
        Index("ix_assessment_decisions_attempt_id", "attempt_id"),
        Index("ix_assessment_decisions_assessor_id", "assessor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(12))
    feedback: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessor: Mapped[User] = relationship()


class QualityReview(Base):
    """Internal quality assurance: a second assessor (or an admin) samples a decision and
    agrees or disagrees, with a comment."""

    __tablename__ = "quality_reviews"
    __table_args__ = (
        Index("ix_quality_reviews_decision_id", "decision_id"),
        Index("ix_quality_reviews_reviewer_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_decisions.id", ondelete="CASCADE")
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agrees: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()
    decision: Mapped[Decision] = relationship()


class AuthoredScenario(Base):
    """A scenario a tutor wrote or uploaded: a draft until published, then assignable like
    the library's."""

    __tablename__ = "authored_scenarios"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        Index("ix_authored_scenarios_scenario_id", "scenario_id", unique=True),
        Index("ix_authored_scenarios_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EqaGrant(Base):
    """An admin lets an external quality assurer read one group's assessment for a period
    (from and until, whole days, inclusive); ending it early sets `ended_at`."""

    __tablename__ = "eqa_grants"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_forward"),
        Index("ix_eqa_grants_eqa_id", "eqa_id"),
        Index("ix_eqa_grants_group_id", "group_id"),
        Index("ix_eqa_grants_granted_by_id", "granted_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    eqa_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    eqa: Mapped[User] = relationship(foreign_keys=[eqa_id])


class SamplingPlan(Base):
    """Internal quality assurance's plan for one assessor: every decision of a risk category
    is sampled, and `percentage` of the rest, picked by a hash of the plan and decision ids."""

    __tablename__ = "sampling_plans"
    __table_args__ = (
        CheckConstraint("percentage BETWEEN 0 AND 100", name="percentage_range"),
        Index("ix_sampling_plans_assessor_id", "assessor_id", unique=True),
        Index("ix_sampling_plans_set_by_id", "set_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    percentage: Mapped[int] = mapped_column(Integer, default=10)
    # New assessor: their first N decisions, and any made while the account is younger than D.
    new_assessor_decisions: Mapped[int] = mapped_column(Integer, default=5)
    new_assessor_days: Mapped[int] = mapped_column(Integer, default=90)
    # New scenario: the assessor's first N decisions on each scenario.
    new_scenario_decisions: Mapped[int] = mapped_column(Integer, default=2)
    # Borderline: referrals, mixed judgements, checks partly failed at submission.
    borderline: Mapped[bool] = mapped_column(Boolean, default=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])
