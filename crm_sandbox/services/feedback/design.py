"""Designing a feedback collection: the draft survey (or other collection method) and its
questions, with the limits on how many questions and options a survey has."""

from __future__ import annotations

from sqlalchemy import select

from ...models import Method, Question, QuestionKind, Survey, SurveyStatus, db
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
from ..together import rows

MAX_QUESTIONS = 20
MAX_OPTIONS = 10
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTI)
NUMBER_KINDS = (QuestionKind.RATING, QuestionKind.RECOMMEND, QuestionKind.YES_NO)


def question_reads(sandbox_id, survey_id) -> rows:
    """A survey's questions in order, as a read of `read_together` (what its pages show;
    ids, or `bindparam`s for a prepared read)."""
    return rows(
        select(
            Question.id, Question.position, Question.kind, Question.text, Question.options
        ).where(Question.sandbox_id == sandbox_id, Question.survey_id == survey_id),
        order_by=[Question.position],
    )


def create_survey(ctx: SandboxContext, data: dict) -> Survey:
    """Start a draft feedback collection: a survey, comment cards, interviews, a focus group
    or a suggestion box."""
    ctx.require_writable()
    method = validation.choice(data.get("method"), Method, "Method", field="method")
    survey = Survey(
        sandbox_id=ctx.sandbox_id,
        title=validation.text(data.get("title"), "Title", 200, required=True, field="title"),
        purpose=validation.text(data.get("purpose"), "Purpose", 2000, field="purpose"),
        method=method.value,
        status=SurveyStatus.DRAFT.value,
        created_sbx=ctx.now(),
    )
    db.session.add(survey)
    db.session.flush()
    action_log.record(
        ctx,
        "survey.created",
        "survey",
        survey.id,
        after={"title": survey.title, "method": survey.method, "purpose": survey.purpose},
    )
    return survey


def add_question(
    ctx: SandboxContext,
    survey: Survey,
    kind: str,
    text: str,
    options: list[str] | str | None = None,
) -> Question:
    """Add a question to a draft; choice questions need two or more options."""
    ctx.require_writable()
    if survey.status != SurveyStatus.DRAFT.value:
        raise ServiceError("Questions can only be changed while the survey is a draft.")
    kind_enum = validation.choice(kind, QuestionKind, "Question type", field="kind")
    text = validation.text(text, "Question", 300, required=True, field="text")
    if isinstance(options, str):
        options = [line for line in options.splitlines()]
    options = [validation.text(o, "Option", 80, field="options") for o in options or []]
    options = [o for o in options if o]
    if kind_enum in CHOICE_KINDS:
        if len(options) < 2:
            raise ServiceError(
                "A choice question needs at least two options (one per line).", "options"
            )
        if len(options) > MAX_OPTIONS:
            raise ServiceError(f"A question can have at most {MAX_OPTIONS} options.", "options")
        if len(set(options)) != len(options):
            raise ServiceError("Each option must be different.", "options")
    else:
        options = []
    if len(survey.questions) >= MAX_QUESTIONS:
        raise ServiceError(f"A survey can have at most {MAX_QUESTIONS} questions.")
    question = Question(
        sandbox_id=ctx.sandbox_id,
        survey_id=survey.id,
        kind=kind_enum.value,
        text=text,
        options=options,
        position=len(survey.questions) + 1,
    )
    db.session.add(question)
    db.session.flush()
    db.session.expire(survey, ["questions"])
    action_log.record(
        ctx,
        "survey.question_added",
        "survey",
        survey.id,
        after={"question_id": question.id, "kind": question.kind, "text": text, "options": options},
    )
    return question
