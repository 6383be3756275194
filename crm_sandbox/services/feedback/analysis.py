"""Analysing the answers that have arrived: response rate, per-question averages and
distributions, the recommend score, yes shares, satisfaction by segment, and comments
grouped by theme."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import DateTime, Integer, bindparam, select

from ...models import Answer, Question, QuestionKind, Response, Survey, db
from ..context import SandboxContext
from ..feedback_themes import THEMES
from ..together import prepared, rows
from .design import CHOICE_KINDS, NUMBER_KINDS, question_reads


def _themes() -> dict[str, list[str]]:
    return THEMES


@dataclass
class QuestionResult:
    """The figures for one question: how many answered it and, by its kind, the average,
    distribution, recommend score, yes share, or comments and their themes."""

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
    """A survey's analysis: responses against recipients, each question's result, and the
    number of responses and average rating by segment."""

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


class _AnswerRow(NamedTuple):
    id: int
    question_id: int
    response_id: int
    number: float | None
    text: str
    choices: list


_ANSWER_COLUMNS = [getattr(Answer, name) for name in _AnswerRow._fields]


def theme_of(text: str) -> list[str]:
    """The themes whose key words appear in the comment; empty when none do."""
    lowered = text.lower()
    return [theme for theme, words in _themes().items() if any(w in lowered for w in words)]


def analyse(
    ctx: SandboxContext,
    survey: Survey,
    *,
    segment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Analysis:
    """Response rate, per-question averages and distributions, the recommend score, yes
    shares, satisfaction by segment, and comments grouped by theme. With `segment`, only that
    segment's responses ("" for responses with no segment); with `since` / `until`, only the
    responses that arrived after `since` and by `until` (sandbox time; now by default)."""
    segment_of, answers = _visible_answers(ctx, survey, segment, since, until)
    return _analysis_of(survey, segment_of, answers)


def _analysis_of(
    survey: Survey,
    segment_of: dict[int, str],
    answers: dict[int, list[_AnswerRow]],
    questions=None,
) -> Analysis:
    """The analysis of the answers given to `questions` (the survey's by default)."""
    results = []
    rating_by_segment: dict[str, list[float]] = {}
    for q in survey.questions if questions is None else questions:
        kind = QuestionKind(q.kind)
        given = [a for a in answers.get(q.id, []) if a.number is not None or a.text or a.choices]
        result = QuestionResult(q, answered=len(given))
        if kind in NUMBER_KINDS:
            _add_numbers(result, kind, given, segment_of, rating_by_segment)
        elif kind in CHOICE_KINDS:
            counts = Counter(c for a in given for c in a.choices)
            result.distribution = [(o, counts.get(o, 0)) for o in q.options]
        else:
            _add_comments(result, given)
        results.append(result)
    return Analysis(
        survey,
        len(segment_of),
        survey.recipients or len(segment_of),
        results,
        _by_segment(segment_of, rating_by_segment),
    )


def _visible(
    ctx: SandboxContext,
    survey_id: int,
    segment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list:
    """The conditions on `Response` of the responses arrived by now (or by `until`, after
    `since`; of one segment when given)."""
    now = ctx.now() if until is None else min(until, ctx.now())
    visible = visible_conditions(ctx.sandbox_id, survey_id, now)
    if since is not None:
        visible.append(Response.responded_at > since)
    if segment is not None:
        visible.append(Response.segment == segment)
    return visible


def visible_conditions(sandbox_id, survey_id, now) -> list:
    """The conditions on `Response` of a survey's responses arrived by `now` (values, or
    `bindparam`s for a prepared read)."""
    return [
        Response.sandbox_id == sandbox_id,
        Response.survey_id == survey_id,
        Response.responded_at <= now,
    ]


def _answers_select(sandbox_id, visible: list):
    # Columns, not ORM objects: the page reads every answer once, and building an object for
    # each costs more than the rest of the analysis.
    return (
        select(*_ANSWER_COLUMNS)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.sandbox_id == sandbox_id, *visible)
    )


def _by_question(answer_rows) -> dict[int, list]:
    answers: dict[int, list] = {}
    for a in answer_rows:
        answers.setdefault(a.question_id, []).append(a)
    return answers


def _visible_answers(
    ctx: SandboxContext,
    survey: Survey,
    segment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[dict[int, str], dict[int, list[_AnswerRow]]]:
    """The segment of each response arrived by now (or by `until`, after `since`; of one
    segment when given), and their answers by question."""
    visible = _visible(ctx, survey.id, segment, since, until)
    segment_of = dict(
        db.session.execute(select(Response.id, Response.segment).where(*visible)).all()
    )
    answers: dict[int, list[_AnswerRow]] = {}
    if segment_of:
        answers = _by_question(
            db.session.execute(_answers_select(ctx.sandbox_id, visible).order_by(Answer.id))
        )
    return segment_of, answers


@prepared
def _analysis_page_reads() -> dict:
    """`analysis_page`'s reads, for any survey (its parameters: `sandbox_id`, `survey_id`
    and `now`)."""
    from .improvement import finding_reads  # (improvement reads analyses: imported here)

    sandbox_id = bindparam("sandbox_id", type_=Integer)
    survey_id = bindparam("survey_id", type_=Integer)
    visible = visible_conditions(sandbox_id, survey_id, bindparam("now", type_=DateTime))
    return {
        "survey": rows(
            select(Survey.id, Survey.title, Survey.recipients).where(
                Survey.sandbox_id == sandbox_id, Survey.id == survey_id
            )
        ),
        "questions": question_reads(sandbox_id, survey_id),
        "responses": rows(select(Response.id, Response.segment).where(*visible)),
        "answers": rows(_answers_select(sandbox_id, visible), order_by=[Answer.id]),
        "findings": finding_reads(sandbox_id, survey_id),
    }


def analysis_page(ctx: SandboxContext, survey_id: int) -> dict | None:
    """A survey's analysis page in one statement (None: no such survey here): the `survey`,
    its `analysis` (as `analyse` gives it) and its `findings` (`finding_reads`)."""
    parts = _analysis_page_reads().run(
        sandbox_id=ctx.sandbox_id, survey_id=survey_id, now=ctx.now()
    )
    if not parts["survey"]:
        return None
    survey = parts.pop("survey")[0]
    segment_of = {r.id: r.segment for r in parts.pop("responses")}
    answers = _by_question(parts.pop("answers"))
    analysis = _analysis_of(survey, segment_of, answers, parts.pop("questions"))
    return {"survey": survey, "analysis": analysis, **parts}


def _add_numbers(
    result: QuestionResult,
    kind: QuestionKind,
    given: list[_AnswerRow],
    segment_of: dict[int, str],
    rating_by_segment: dict[str, list[float]],
) -> None:
    """A number question's average and distribution, with the recommend score or yes share
    by its kind; a rating question's answers also count towards their segment's average."""
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


def _add_comments(result: QuestionResult, given: list[_AnswerRow]) -> None:
    """A free-text question's comments, and the same comments grouped by theme (most
    mentioned first; a comment in no theme goes under "other")."""
    result.comments = [(a.response_id, a.text) for a in given if a.text]
    grouped: dict[str, list[tuple[int, str]]] = {}
    for response_id, text in result.comments:
        for theme in theme_of(text) or ["other"]:
            grouped.setdefault(theme, []).append((response_id, text))
    result.themes = sorted(
        ((t, len(c), c) for t, c in grouped.items()), key=lambda item: (-item[1], item[0])
    )


def _by_segment(
    segment_of: dict[int, str], rating_by_segment: dict[str, list[float]]
) -> list[tuple[str, int, float | None]]:
    """Responses and average rating per segment, in segment order ("none" for no segment)."""
    counted_by_segment: Counter = Counter(segment_of.values())
    by_segment = []
    for segment, count in sorted(counted_by_segment.items()):
        ratings = rating_by_segment.get(segment, [])
        by_segment.append(
            (segment or "none", count, round(sum(ratings) / len(ratings), 2) if ratings else None)
        )
    return by_segment
