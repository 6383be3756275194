"""Feedback: surveys and the other collection methods, their questions and responses, and the
findings and improvement actions that close the loop."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .contacts import Contact, _in
from .sandboxes import SandboxScoped


class Method(enum.StrEnum):
    SURVEY = "survey"
    COMMENT_CARD = "comment_card"
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus_group"
    SUGGESTION_BOX = "suggestion_box"

    @property
    def label(self) -> str:
        return {
            "survey": "Survey",
            "comment_card": "Comment cards",
            "interview": "Interviews",
            "focus_group": "Focus group",
            "suggestion_box": "Suggestion box",
        }[self.value]


class QuestionKind(enum.StrEnum):
    RATING = "rating_5"
    RECOMMEND = "recommend_0_10"
    YES_NO = "yes_no"
    SINGLE = "single_choice"
    MULTI = "multiple_choice"
    TEXT = "free_text"

    @property
    def label(self) -> str:
        return {
            "rating_5": "Rating 1-5",
            "recommend_0_10": "Likely to recommend (0-10)",
            "yes_no": "Yes / no",
            "single_choice": "Single choice",
            "multiple_choice": "Multiple choice",
            "free_text": "Free text",
        }[self.value]


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Survey(SandboxScoped, Base):
    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint(_in("method", Method), name="method_known"),
        CheckConstraint(_in("status", SurveyStatus), name="status_known"),
        Index("ix_surveys_sandbox_id", "sandbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(20), default=Method.SURVEY.value)
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SurveyStatus.DRAFT.value)
    # Who it went to: {"category": ..., "segment": ...}
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column()
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_sbx: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position"
    )


class Question(SandboxScoped, Base):
    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint(_in("kind", QuestionKind), name="kind_known"),
        Index("ix_survey_questions_sandbox_id", "sandbox_id"),
        Index("ix_survey_questions_survey_id", "survey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(300))
    options: Mapped[list] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class Response(SandboxScoped, Base):
    """One person's answers (or one comment card, interview or suggestion)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_sandbox_survey", "sandbox_id", "survey_id"),
        Index("ix_survey_responses_survey_id", "survey_id"),
        Index("ix_survey_responses_contact_id", "contact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    segment: Mapped[str] = mapped_column(String(16), default="")  # at the time of answering
    responded_at: Mapped[datetime] = mapped_column()  # sandbox time; hidden until reached

    contact: Mapped[Contact | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", order_by="Answer.id")


class Answer(SandboxScoped, Base):
    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_sandbox_id", "sandbox_id"),
        Index("ix_survey_answers_response_id", "response_id"),
        Index("ix_survey_answers_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)

    response: Mapped[Response] = relationship(back_populates="answers")


class Finding(SandboxScoped, Base):
    """What the learner concluded from feedback, linked to the evidence it rests on."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_sandbox_id", "sandbox_id"),
        Index("ix_findings_survey_id", "survey_id"),
        Index("ix_findings_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("survey_questions.id"))
    segment: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text)
    # {"response_ids": [...], "figure": "...", "theme": "..."}
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    created_sbx: Mapped[datetime] = mapped_column()

    actions: Mapped[list[ImprovementAction]] = relationship(
        back_populates="finding", order_by="ImprovementAction.id"
    )


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    EVALUATED = "evaluated"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ImprovementAction(SandboxScoped, Base):
    """A change made because of a finding: who owns it, by when, what it changes, how success
    is measured; later evaluated (did the measure move?)."""

    __tablename__ = "improvement_actions"
    __table_args__ = (
        CheckConstraint(_in("status", ActionStatus), name="status_known"),
        Index("ix_improvement_actions_sandbox_id", "sandbox_id"),
        Index("ix_improvement_actions_finding_id", "finding_id"),
        Index("ix_improvement_actions_standard_id", "standard_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("service_standards.id"))
    process_changed: Mapped[str] = mapped_column(String(300), default="")
    success_measure: Mapped[str] = mapped_column(String(500))
    baseline: Mapped[float | None] = mapped_column(Float)
    # What the CRM computes to judge the change: {"source": "survey", "survey_id",
    # "question_id", "figure", "segment", "option", "theme"} or {"source": "standard",
    # "standard_id"}; the learner's "aim" (up/down), the figures they stated
    # ("stated_baseline", "stated_result") and what the CRM computed after the change
    # ("after_based_on", "after_from", "after_to").
    measure: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=ActionStatus.PLANNED.value)
    completed_sbx: Mapped[datetime | None] = mapped_column()
    evaluation: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(20), default="")  # improved / no change / worse
    evaluated_sbx: Mapped[datetime | None] = mapped_column()
    created_sbx: Mapped[datetime] = mapped_column()

    finding: Mapped[Finding] = relationship(back_populates="actions")
