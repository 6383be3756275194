"""Collecting feedback: sending a survey to a group of contacts (whose simulated answers
arrive over the following sandbox days), typing in responses by hand, closing a collection,
and the responses that have arrived so far."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import DateTime, Integer, bindparam, func, select

from seed.answers import response_rate, simulate_response

from ...models import (
    Answer,
    Category,
    Contact,
    Method,
    Question,
    QuestionKind,
    Response,
    Segment,
    Survey,
    SurveyStatus,
    db,
)
from .. import action_log, validation
from ..contacts.choices import people_choices, people_order, people_select
from ..context import SandboxContext
from ..errors import ServiceError
from ..together import prepared, rows, value
from .design import CHOICE_KINDS, NUMBER_KINDS, question_reads


def audience_query(ctx: SandboxContext, category: str, segment: str):
    """The contacts a survey can go to: current (not merged) contacts of a category, and of a
    segment when one is given (a query, so callers can narrow it further)."""
    query = select(Contact).where(
        Contact.sandbox_id == ctx.sandbox_id,
        Contact.merged_into_id.is_(None),
        Contact.category == category,
    )
    if segment:
        query = query.where(Contact.segment == segment)
    return query


def _email_audience(ctx: SandboxContext, category: str, segment: str):
    # The one definition of who a sent survey reaches: the page's counts before sending and
    # the recipients counted by sending are both this query.
    return audience_query(ctx, category, segment).where(Contact.consent_email.is_(True))


def _audience_sizes_select(sandbox_id):
    return (
        select(Contact.category, Contact.segment, func.count().label("contacts"))
        .where(
            Contact.sandbox_id == sandbox_id,
            Contact.merged_into_id.is_(None),
            Contact.consent_email.is_(True),
        )
        .group_by(Contact.category, Contact.segment)
    )


def _audience_sizes(counts) -> dict[str, int]:
    sizes = {category.value: 0 for category in Category}
    for category, segment, count in counts:
        sizes[category] = sizes.get(category, 0) + count
        if segment:
            key = f"{category}:{segment}"
            sizes[key] = sizes.get(key, 0) + count
    return sizes


def email_audience_sizes(ctx: SandboxContext) -> dict[str, int]:
    """How many contacts a survey sent now would reach, per choice on the send form: keyed
    "external" and "internal" (every segment), and "external:<segment>"."""
    return _audience_sizes(db.session.execute(_audience_sizes_select(ctx.sandbox_id)).all())


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
            _email_audience(ctx, cat.value, seg.value if seg else "").order_by(Contact.id)
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
    """Close a sent survey: no more responses can be recorded against it."""
    ctx.require_writable()
    if survey.status != SurveyStatus.SENT.value:
        raise ServiceError("Only a sent survey can be closed.")
    survey.status = SurveyStatus.CLOSED.value
    db.session.flush()
    action_log.record(ctx, "survey.closed", "survey", survey.id, after={"status": "closed"})
    return survey


def _visible(sandbox_id, now):
    """Responses that have arrived by sandbox time `now` (the conditions of a select; values,
    or `bindparam`s for a prepared read)."""
    return (Response.sandbox_id == sandbox_id, Response.responded_at <= now)


def visible_responses(ctx: SandboxContext, survey: Survey) -> list[Response]:
    """Responses that have arrived by sandbox time now."""
    return list(
        db.session.scalars(
            select(Response)
            .where(*_visible(ctx.sandbox_id, ctx.now()), Response.survey_id == survey.id)
            .order_by(Response.responded_at, Response.id)
        )
    )


def _arrived_count(sandbox_id, now, survey_id):
    """The number of a survey's responses arrived by `now`, as a scalar subquery (`survey_id`
    may be a column, to count for each survey of a select, or a `bindparam`)."""
    return (
        select(func.count())
        .where(*_visible(sandbox_id, now), Response.survey_id == survey_id)
        .scalar_subquery()
    )


def surveys(ctx: SandboxContext) -> list[tuple[Survey, int]]:
    """Every feedback collection with the number of responses arrived so far (one statement)."""
    found = db.session.execute(
        select(Survey, _arrived_count(ctx.sandbox_id, ctx.now(), Survey.id))
        .where(Survey.sandbox_id == ctx.sandbox_id)
        .order_by(Survey.created_sbx.desc(), Survey.id.desc())
    ).all()
    return [(s, n) for s, n in found]


@prepared
def _survey_page_reads() -> dict:
    """`survey_page`'s reads, for any survey (its parameters: `sandbox_id`, `survey_id` and
    `now`)."""
    sandbox_id = bindparam("sandbox_id", type_=Integer)
    survey_id = bindparam("survey_id", type_=Integer)
    now = bindparam("now", type_=DateTime)
    this = (Survey.sandbox_id == sandbox_id, Survey.id == survey_id)
    is_draft = select(Survey.id).where(*this, Survey.status == SurveyStatus.DRAFT.value).exists()
    open_to_responses = (
        select(Survey.id)
        .where(
            *this,
            Survey.method != Method.SURVEY.value,
            Survey.status != SurveyStatus.CLOSED.value,
        )
        .exists()
    )
    return {
        "survey": rows(
            select(
                Survey.id,
                Survey.title,
                Survey.method,
                Survey.purpose,
                Survey.status,
                Survey.recipients,
                Survey.sent_at,
                Survey.closes_on,
            ).where(*this)
        ),
        "questions": question_reads(sandbox_id, survey_id),
        "responses": value(_arrived_count(sandbox_id, now, survey_id)),
        "audience_sizes": rows(_audience_sizes_select(sandbox_id).where(is_draft)),
        "people": rows(people_select(sandbox_id).where(open_to_responses), order_by=people_order()),
    }


def survey_page(ctx: SandboxContext, survey_id: int) -> dict | None:
    """What a survey's page shows, read in one statement (None: no such survey here): the
    `survey`, its `questions`, the number of `responses` arrived so far, the `audience_sizes`
    of the send form (a draft only) and the `people` a response can be recorded from (a
    collection other than a survey, still open)."""
    parts = _survey_page_reads().run(sandbox_id=ctx.sandbox_id, survey_id=survey_id, now=ctx.now())
    if not parts["survey"]:
        return None
    survey = parts["survey"][0]
    return {
        **parts,
        "survey": survey,
        "audience_sizes": _audience_sizes(
            (r.category, r.segment, r.contacts) for r in parts["audience_sizes"]
        )
        if survey.status == SurveyStatus.DRAFT.value
        else {},
        "people": people_choices(parts["people"]),
    }
