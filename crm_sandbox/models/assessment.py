"""Assessment: judgements per criterion, overall decisions, internal quality assurance, and
scenarios that tutors write. Judgements and decisions are never edited: a change is a new row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
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
