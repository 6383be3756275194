"""Feedback: design a survey (or another collection method), send it to a group of contacts,
analyse the answers, record findings linked to their evidence, and turn findings into
improvement actions that are later evaluated (identify need -> ... -> improve)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import func, select

from seed.answers import response_rate, simulate_response

from ..models import (
    ActionStatus,
    Answer,
    Category,
    Contact,
    Finding,
    ImprovementAction,
    Method,
    Question,
    QuestionKind,
    Response,
    Segment,
    ServiceStandard,
    Survey,
    SurveyStatus,
    db,
)
from ..scoping import MAX_ID
from . import action_log, validation
from .context import SandboxContext
from .errors import ServiceError
from .feedback_themes import THEMES

MAX_QUESTIONS = 20
MAX_OPTIONS = 10
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTI)
NUMBER_KINDS = (QuestionKind.RATING, QuestionKind.RECOMMEND, QuestionKind.YES_NO)


def _themes() -> dict[str, list[str]]:
    return THEMES


# ---------------------------------------------------------------- designing and sending


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


def audience_query(ctx: SandboxContext, category: str, segment: str):
    query = select(Contact).where(
        Contact.sandbox_id == ctx.sandbox_id,
        Contact.merged_into_id.is_(None),
        Contact.category == category,
    )
    if segment:
        query = query.where(Contact.segment == segment)
    return query


def send_survey(
    ctx: SandboxContext, survey: Survey, category: str, segment: str = "", days_open: int = 10
) -> Survey:
    """Send a survey to a group of contacts (only those who consented to email: a survey is
    marketing-style contact). The simulated contacts answer over the following sandbox days,
    the same way for the same seed."""
    ctx.require_writable()
    if survey.status != SurveyStatus.DRAFT.value:
        raise ServiceError("This survey has already been sent.")
    if not survey.questions:
        raise ServiceError("Add at least one question before sending.")
    cat = validation.choice(category, Category, "Who it goes to", field="category")
    seg = validation.choice(segment, Segment, "Segment", optional=True, field="segment")
    if seg is not None and cat != Category.EXTERNAL:
        raise ServiceError("Segments apply to external customers only.", "segment")
    try:
        days_open = int(days_open)
    except (TypeError, ValueError):
        raise ServiceError("Days open must be a whole number.", "days_open") from None
    if not 1 <= days_open <= 30:
        raise ServiceError("Keep a survey open for 1 to 30 days.", "days_open")
    recipients = list(
        db.session.scalars(
            audience_query(ctx, cat.value, seg.value if seg else "")
            .where(Contact.consent_email.is_(True))
            .order_by(Contact.id)
        )
    )
    if not recipients:
        raise ServiceError(
            "No contacts in that group have agreed to be contacted by email, "
            "so the survey cannot be sent to them.",
            "category",
        )
    now = ctx.now()
    survey.status = SurveyStatus.SENT.value
    survey.audience = {"category": cat.value, "segment": seg.value if seg else ""}
    survey.recipients = len(recipients)
    survey.sent_at = now
    survey.closes_on = (now + timedelta(days=days_open)).date()
    _simulate_answers(ctx, survey, recipients, days_open)
    db.session.flush()
    action_log.record(
        ctx,
        "survey.sent",
        "survey",
        survey.id,
        after={
            "audience": survey.audience,
            "recipients": survey.recipients,
            "closes_on": survey.closes_on,
        },
    )
    return survey


def _simulate_answers(ctx, survey, recipients, days_open) -> None:
    # Keyed on the seed and the survey's place in this sandbox (not its database id), so the
    # same seed and the same actions give the same answers in any sandbox.
    ordinal = db.session.scalar(
        select(func.count())
        .select_from(Survey)
        .where(Survey.sandbox_id == ctx.sandbox_id, Survey.id <= survey.id)
    )
    rng = random.Random(f"{ctx.sandbox.seed}:survey:{ordinal}:{survey.title}")  # noqa: S311
    questions = [
        {"kind": q.kind, "text": q.text, "options": q.options, "position": q.position}
        for q in survey.questions
    ]
    by_position = {q.position: q for q in survey.questions}
    calendar = ctx.calendar()
    for contact in recipients:
        segment = contact.segment or ""
        if rng.random() >= response_rate(segment, contact.category):
            continue
        delay_hours = rng.uniform(1, days_open * calendar.day_length.total_seconds() / 3600 / 2)
        responded_at = calendar.add(survey.sent_at, delay_hours, "working_hours")
        response = Response(
            sandbox_id=ctx.sandbox_id,
            survey_id=survey.id,
            contact_id=contact.id,
            segment=segment,
            responded_at=responded_at.replace(microsecond=0),
        )
        db.session.add(response)
        db.session.flush()
        for answer in simulate_response(
            rng, questions, segment, contact.category, ctx.sandbox.profile
        ):
            db.session.add(
                Answer(
                    sandbox_id=ctx.sandbox_id,
                    response_id=response.id,
                    question_id=by_position[answer["question_position"]].id,
                    number=answer.get("number"),
                    text=answer.get("text") or "",
                    choices=answer.get("choices") or [],
                )
            )


def record_response(
    ctx: SandboxContext, survey: Survey, answers: dict[int, object], contact: Contact | None = None
) -> Response:
    """Type in one response by hand: a comment card, interview notes, a suggestion."""
    ctx.require_writable()
    if survey.status == SurveyStatus.CLOSED.value:
        raise ServiceError("This feedback collection is closed.")
    if not survey.questions:
        raise ServiceError("Add at least one question first.")
    response = Response(
        sandbox_id=ctx.sandbox_id,
        survey_id=survey.id,
        contact_id=contact.id if contact else None,
        segment=(contact.segment or "") if contact else "",
        responded_at=ctx.now(),
    )
    rows = []
    for q in survey.questions:
        value = answers.get(q.id)
        rows.append(_answer_for(q, value))
    if all(r["number"] is None and not r["text"] and not r["choices"] for r in rows):
        raise ServiceError("Answer at least one question.")
    db.session.add(response)
    db.session.flush()
    for q, row in zip(survey.questions, rows, strict=True):
        db.session.add(
            Answer(sandbox_id=ctx.sandbox_id, response_id=response.id, question_id=q.id, **row)
        )
    if survey.status == SurveyStatus.DRAFT.value:
        survey.status = SurveyStatus.SENT.value
        survey.sent_at = ctx.now()
    db.session.flush()
    action_log.record(
        ctx,
        "survey.response_recorded",
        "survey",
        survey.id,
        after={"response_id": response.id, "contact_id": contact.id if contact else None},
    )
    return response


def _answer_for(q: Question, value) -> dict:
    kind = QuestionKind(q.kind)
    empty = {"number": None, "text": "", "choices": []}
    if value in (None, "", []):
        return empty
    if kind in NUMBER_KINDS:
        low, high = {
            QuestionKind.RATING: (1, 5),
            QuestionKind.RECOMMEND: (0, 10),
            QuestionKind.YES_NO: (0, 1),
        }[kind]
        try:
            number = validation.number(value, q.text, low, high)
        except ServiceError:
            raise ServiceError(f"'{q.text}': give a number from {low} to {high}.") from None
        return {**empty, "number": number}
    if kind in CHOICE_KINDS:
        chosen = value if isinstance(value, list) else [value]
        if any(c not in q.options for c in chosen):
            raise ServiceError(f"'{q.text}': choose from the options given.")
        if kind == QuestionKind.SINGLE and len(chosen) > 1:
            raise ServiceError(f"'{q.text}': choose one option.")
        return {**empty, "choices": list(chosen)}
    return {**empty, "text": validation.text(value, q.text, 2000)}


def close_survey(ctx: SandboxContext, survey: Survey) -> Survey:
    ctx.require_writable()
    if survey.status != SurveyStatus.SENT.value:
        raise ServiceError("Only a sent survey can be closed.")
    survey.status = SurveyStatus.CLOSED.value
    db.session.flush()
    action_log.record(ctx, "survey.closed", "survey", survey.id, after={"status": "closed"})
    return survey


# ---------------------------------------------------------------- analysis


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    average: float | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    recommend_score: float | None = None  # % promoters - % detractors
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    yes_percent: float | None = None
    comments: list[tuple[int, str]] = field(default_factory=list)  # (response id, text)
    themes: list[tuple[str, int, list[tuple[int, str]]]] = field(default_factory=list)


@dataclass
class Analysis:
    survey: Survey
    responses: int
    recipients: int
    questions: list[QuestionResult]
    by_segment: list[tuple[str, int, float | None]]  # segment, responses, average rating

    @property
    def response_rate(self) -> float | None:
        if not self.recipients:
            return None
        return round(100 * self.responses / self.recipients, 1)


def visible_responses(ctx: SandboxContext, survey: Survey) -> list[Response]:
    """Responses that have arrived by sandbox time now."""
    return list(
        db.session.scalars(
            select(Response)
            .where(
                Response.sandbox_id == ctx.sandbox_id,
                Response.survey_id == survey.id,
                Response.responded_at <= ctx.now(),
            )
            .order_by(Response.responded_at, Response.id)
        )
    )


class _AnswerRow(NamedTuple):
    id: int
    question_id: int
    response_id: int
    number: float | None
    text: str
    choices: list


_ANSWER_COLUMNS = [getattr(Answer, name) for name in _AnswerRow._fields]


def theme_of(text: str) -> list[str]:
    lowered = text.lower()
    return [theme for theme, words in _themes().items() if any(w in lowered for w in words)]


def analyse(ctx: SandboxContext, survey: Survey) -> Analysis:
    """Response rate, per-question averages and distributions, the recommend score, yes
    shares, satisfaction by segment, and comments grouped by theme."""
    # Columns, not ORM objects: the page reads every answer once, and building an object for
    # each costs more than the rest of the analysis.
    now = ctx.now()
    visible = (
        Response.sandbox_id == ctx.sandbox_id,
        Response.survey_id == survey.id,
        Response.responded_at <= now,
    )
    segment_of = dict(
        db.session.execute(select(Response.id, Response.segment).where(*visible)).all()
    )
    answers: dict[int, list[_AnswerRow]] = {}
    if segment_of:
        for a in db.session.execute(
            select(*_ANSWER_COLUMNS)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.sandbox_id == ctx.sandbox_id, *visible)
            .order_by(Answer.id)
        ):
            answers.setdefault(a.question_id, []).append(a)
    results = []
    rating_by_segment: dict[str, list[float]] = {}
    counted_by_segment: Counter = Counter(segment_of.values())
    for q in survey.questions:
        kind = QuestionKind(q.kind)
        given = [a for a in answers.get(q.id, []) if a.number is not None or a.text or a.choices]
        result = QuestionResult(q, answered=len(given))
        if kind in NUMBER_KINDS:
            numbers = [a.number for a in given if a.number is not None]
            if numbers:
                result.average = round(sum(numbers) / len(numbers), 2)
            if kind == QuestionKind.RATING:
                counts = Counter(int(n) for n in numbers)
                result.distribution = [(str(v), counts.get(v, 0)) for v in range(1, 6)]
                for a in given:
                    if a.number is not None:
                        rating_by_segment.setdefault(segment_of[a.response_id], []).append(a.number)
            elif kind == QuestionKind.RECOMMEND:
                counts = Counter(int(n) for n in numbers)
                result.distribution = [(str(v), counts.get(v, 0)) for v in range(0, 11)]
                result.promoters = sum(1 for n in numbers if n >= 9)
                result.detractors = sum(1 for n in numbers if n <= 6)
                result.passives = len(numbers) - result.promoters - result.detractors
                if numbers:
                    result.recommend_score = round(
                        100 * (result.promoters - result.detractors) / len(numbers), 1
                    )
            else:
                yes = sum(1 for n in numbers if n >= 1)
                result.distribution = [("Yes", yes), ("No", len(numbers) - yes)]
                if numbers:
                    result.yes_percent = round(100 * yes / len(numbers), 1)
        elif kind in CHOICE_KINDS:
            counts = Counter(c for a in given for c in a.choices)
            result.distribution = [(o, counts.get(o, 0)) for o in q.options]
        else:
            result.comments = [(a.response_id, a.text) for a in given if a.text]
            grouped: dict[str, list[tuple[int, str]]] = {}
            for response_id, text in result.comments:
                for theme in theme_of(text) or ["other"]:
                    grouped.setdefault(theme, []).append((response_id, text))
            result.themes = sorted(
                ((t, len(c), c) for t, c in grouped.items()), key=lambda item: (-item[1], item[0])
            )
        results.append(result)
    by_segment = []
    for segment, count in sorted(counted_by_segment.items()):
        ratings = rating_by_segment.get(segment, [])
        by_segment.append(
            (segment or "none", count, round(sum(ratings) / len(ratings), 2) if ratings else None)
        )
    return Analysis(
        survey, len(segment_of), survey.recipients or len(segment_of), results, by_segment
    )


# ---------------------------------------------------------------- findings and actions


def add_finding(
    ctx: SandboxContext,
    survey: Survey,
    text: str,
    *,
    question_id=None,
    segment: str = "",
    theme: str = "",
    response_ids: list[int] | None = None,
    figure: str = "",
) -> Finding:
    """Record what the feedback shows, linked to its evidence: a question, a segment, a theme
    of comments or particular responses."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    question = None
    if question_id:
        question = ctx.get(Question, question_id)
        if question.survey_id != survey.id:
            raise ServiceError("That question belongs to another survey.", "question_id")
    if segment:
        validation.choice(segment, Segment, "Segment", field="segment")
    ids = [int(i) for i in response_ids or []]
    if any(not 0 < i <= MAX_ID for i in ids):
        raise ServiceError("Some of those responses are not part of this survey.")
    if ids:
        found = set(
            db.session.scalars(
                select(Response.id).where(
                    Response.sandbox_id == ctx.sandbox_id,
                    Response.survey_id == survey.id,
                    Response.id.in_(ids),
                )
            )
        )
        if found != set(ids):
            raise ServiceError("Some of those responses are not part of this survey.")
    theme = validation.text(theme, "Theme", 40, field="theme")
    figure = validation.text(figure, "Figure", 200, field="figure")
    if not (question or segment or theme or ids or figure):
        raise ServiceError(
            "Link the finding to its evidence: a question, a segment, a theme "
            "of comments or a figure from the analysis.",
            "question_id",
        )
    finding = Finding(
        sandbox_id=ctx.sandbox_id,
        survey_id=survey.id,
        question_id=question.id if question else None,
        segment=segment,
        text=text,
        created_sbx=ctx.now(),
        evidence={"response_ids": ids, "theme": theme, "figure": figure},
    )
    db.session.add(finding)
    db.session.flush()
    action_log.record(
        ctx,
        "finding.recorded",
        "finding",
        finding.id,
        after={
            "survey_id": survey.id,
            "question_id": finding.question_id,
            "segment": segment,
            "text": text,
            "evidence": finding.evidence,
        },
    )
    return finding


def add_action(ctx: SandboxContext, finding: Finding, data: dict) -> ImprovementAction:
    """Turn a finding into an improvement action: what changes, who owns it, by when, which
    standard or process it changes, and how success will be measured."""
    ctx.require_writable()
    due_on = data.get("due_on")
    if not isinstance(due_on, date):
        raise ServiceError("Give a due date for the action.", "due_on")
    if due_on < ctx.now().date():
        raise ServiceError("The due date cannot be in the past (sandbox time).", "due_on")
    standard_id = data.get("standard_id") or None
    if standard_id:
        ctx.get(ServiceStandard, standard_id)
    process_changed = validation.text(
        data.get("process_changed"), "Process changed", 300, field="process_changed"
    )
    if not standard_id and not process_changed:
        raise ServiceError("Say which standard or process the action changes.", "process_changed")
    baseline = data.get("baseline")
    if baseline not in (None, ""):
        baseline = validation.number(
            baseline,
            "The baseline",
            -validation.MEASURE_LIMIT,
            validation.MEASURE_LIMIT,
            field="baseline",
        )
    else:
        baseline = None
    action = ImprovementAction(
        sandbox_id=ctx.sandbox_id,
        finding_id=finding.id,
        description=validation.text(
            data.get("description"), "Action", 2000, required=True, field="description"
        ),
        owner=validation.text(data.get("owner"), "Owner", 120, required=True, field="owner"),
        due_on=due_on,
        standard_id=int(standard_id) if standard_id else None,
        process_changed=process_changed,
        success_measure=validation.text(
            data.get("success_measure"),
            "How success is measured",
            500,
            required=True,
            field="success_measure",
        ),
        baseline=baseline,
        status=ActionStatus.PLANNED.value,
        created_sbx=ctx.now(),
    )
    db.session.add(action)
    db.session.flush()
    action_log.record(
        ctx,
        "improvement.planned",
        "improvement_action",
        action.id,
        after={
            "finding_id": finding.id,
            "description": action.description,
            "owner": action.owner,
            "due_on": due_on,
            "standard_id": action.standard_id,
            "success_measure": action.success_measure,
            "baseline": baseline,
        },
    )
    return action


def complete_action(ctx: SandboxContext, action: ImprovementAction) -> ImprovementAction:
    ctx.require_writable()
    if action.status != ActionStatus.PLANNED.value:
        raise ServiceError("This action is already done.")
    action.status = ActionStatus.DONE.value
    action.completed_sbx = ctx.now()
    db.session.flush()
    action_log.record(
        ctx, "improvement.done", "improvement_action", action.id, after={"status": action.status}
    )
    return action


OUTCOMES = ("improved", "no change", "worse")


def evaluate_action(
    ctx: SandboxContext, action: ImprovementAction, result, evaluation: str, outcome: str
) -> ImprovementAction:
    """Evaluate a completed action: the measure's new value against its baseline, and what
    that says (did the change work?)."""
    ctx.require_writable()
    if action.status == ActionStatus.PLANNED.value:
        raise ServiceError("Mark the action as done before evaluating it.")
    if result in (None, ""):
        raise ServiceError("Give the measure's value now, as a number.", "result")
    result_value = validation.number(
        result,
        "The measure's value now",
        -validation.MEASURE_LIMIT,
        validation.MEASURE_LIMIT,
        field="result",
    )
    if outcome not in OUTCOMES:
        raise ServiceError("Say whether things improved, did not change, or got worse.", "outcome")
    action.result = result_value
    action.evaluation = validation.text(
        evaluation, "Evaluation", 2000, required=True, field="evaluation"
    )
    action.outcome = outcome
    action.status = ActionStatus.EVALUATED.value
    action.evaluated_sbx = ctx.now()
    db.session.flush()
    action_log.record(
        ctx,
        "improvement.evaluated",
        "improvement_action",
        action.id,
        after={
            "baseline": action.baseline,
            "result": result_value,
            "outcome": outcome,
            "evaluation": action.evaluation,
        },
    )
    return action


def surveys(ctx: SandboxContext) -> list[tuple[Survey, int]]:
    """Every feedback collection with the number of responses arrived so far."""
    counts = dict(
        db.session.execute(
            select(Response.survey_id, func.count())
            .where(Response.sandbox_id == ctx.sandbox_id, Response.responded_at <= ctx.now())
            .group_by(Response.survey_id)
        ).all()
    )
    rows = db.session.scalars(
        select(Survey)
        .where(Survey.sandbox_id == ctx.sandbox_id)
        .order_by(Survey.created_sbx.desc(), Survey.id.desc())
    )
    return [(s, counts.get(s.id, 0)) for s in rows]


def findings(ctx: SandboxContext, survey: Survey | None = None) -> list[Finding]:
    query = select(Finding).where(Finding.sandbox_id == ctx.sandbox_id)
    if survey is not None:
        query = query.where(Finding.survey_id == survey.id)
    return list(db.session.scalars(query.order_by(Finding.id)))


def actions(ctx: SandboxContext) -> list[ImprovementAction]:
    return list(
        db.session.scalars(
            select(ImprovementAction)
            .where(ImprovementAction.sandbox_id == ctx.sandbox_id)
            .order_by(ImprovementAction.due_on, ImprovementAction.id)
        )
    )
