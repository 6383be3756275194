"""The figures a finding can state, computed by the CRM from the responses it cites.

A learner's finding cites its data (a collection, and optionally one of its questions, a
segment, a theme of comments) and may state one figure from that data (`FIGURES`). The CRM
computes the same figure from the responses that had arrived when the finding was recorded,
and the learner's figure counts when it is within the figure's stated tolerance (rounding to
one decimal place for an average, to a whole percentage point for a percentage; counts are
exact). The same computation measures an improvement before and after the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ...models import QuestionKind, Response, Survey, db
from ..context import SandboxContext
from ..errors import ServiceError
from .analysis import _analysis_of, _visible_answers, theme_of
from .design import CHOICE_KINDS

EPSILON = 1e-9


@dataclass(frozen=True)
class FigureKind:
    label: str
    tolerance: float
    unit: str
    question_kinds: tuple[str, ...] = ()  # the question kinds it needs ((): no question)
    needs_option: bool = False
    needs_theme: bool = False


FIGURES: dict[str, FigureKind] = {
    "responses": FigureKind("Number of responses", 0, "responses"),
    "response_rate": FigureKind("Response rate (% of those it was sent to)", 1.0, "%"),
    "average": FigureKind(
        "Average answer to a rating or 0-10 question",
        0.1,
        "",
        (QuestionKind.RATING.value, QuestionKind.RECOMMEND.value),
    ),
    "percent_yes": FigureKind(
        "% who answered yes to a yes / no question", 1.0, "%", (QuestionKind.YES_NO.value,)
    ),
    "recommend_score": FigureKind(
        "Recommend score (% promoters minus % detractors)",
        1.0,
        "",
        (QuestionKind.RECOMMEND.value,),
    ),
    "percent_choosing": FigureKind(
        "% who chose an option of a choice question",
        1.0,
        "%",
        tuple(k.value for k in CHOICE_KINDS),
        needs_option=True,
    ),
    "theme_comments": FigureKind(
        "Number of comments on a theme", 0, "comments", (QuestionKind.TEXT.value,), needs_theme=True
    ),
}
# Which way is better, for an improvement's measure: a figure whose better direction depends
# on what it counts (comments on a theme may be complaints or praise) needs the learner's aim.
AIMS = {"up": "Higher is better", "down": "Lower is better"}


@dataclass
class Figure:
    """A figure the CRM computed: its value (None when there is nothing to compute it from),
    how many answers it rests on, and the customers (contact ids) behind those answers."""

    value: float | None
    based_on: int
    respondents: list[int] = field(default_factory=list)


def describe(measure: str) -> str:
    """What a figure measures, in words."""
    kind = FIGURES.get(measure)
    return kind.label if kind else measure


def tolerance_text(measure: str) -> str:
    """How close a stated figure must be to the CRM's: "exactly", "within 0.1" ..."""
    kind = FIGURES[measure]
    if not kind.tolerance:
        return "exactly"
    unit = " percentage point" if kind.unit == "%" else ""
    return f"within {kind.tolerance:g}{unit}"


def agrees(measure: str, stated, computed) -> bool:
    """Whether the learner's figure is the CRM's within the figure's tolerance."""
    if stated is None or computed is None:
        return False
    return abs(float(stated) - float(computed)) <= FIGURES[measure].tolerance + EPSILON


def validate_figure(survey: Survey, measure: str, question, option: str, theme: str) -> None:
    """Refuse a figure that does not fit the data cited (a clear message, nothing changed)."""
    kind = FIGURES.get(measure)
    if kind is None:
        raise ServiceError("Choose what the figure measures from the list.", "measure")
    per_question = kind.question_kinds and kind.question_kinds != (QuestionKind.TEXT.value,)
    if per_question and (question is None or question.kind not in kind.question_kinds):
        raise ServiceError(
            f"'{kind.label}' is worked out from one question: choose a question of the "
            "right type as the finding's evidence.",
            "question_id",
        )
    if kind.needs_theme and not theme:
        raise ServiceError("Choose the theme of comments the figure counts.", "theme")
    if kind.needs_theme and question is not None and question.kind != QuestionKind.TEXT.value:
        raise ServiceError("Comments are counted on a free-text question.", "question_id")
    if kind.needs_option and (question is None or option not in question.options):
        raise ServiceError("Choose one of the question's options for the figure.", "option")
    if measure == "response_rate" and not survey.recipients:
        raise ServiceError(
            "A response rate needs a collection sent to a known number of people; this one "
            "was not sent out.",
            "measure",
        )


def compute(
    ctx: SandboxContext,
    survey: Survey,
    measure: str = "",
    *,
    question=None,
    segment: str = "",
    theme: str = "",
    option: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Figure:
    """The figure `measure` from the responses that arrived (after `since`) by `until`, in
    `segment` when given; with no measure, only the responses behind the cited data."""
    segment_of, answers = _visible_answers(ctx, survey, segment or None, since, until)
    analysis = _analysis_of(survey, segment_of, answers)
    given = {
        q_id: [a for a in rows if a.number is not None or a.text or a.choices]
        for q_id, rows in answers.items()
    }
    if theme:
        questions = [question] if question is not None else survey.questions
        texts = [
            a for q in questions if q.kind == QuestionKind.TEXT.value for a in given.get(q.id, [])
        ]
        in_theme = [a for a in texts if theme in theme_of(a.text)]
        behind = {a.response_id for a in in_theme}
        value: float | None = float(len(in_theme))
        based_on = len(texts)
    elif question is not None:
        rows = given.get(question.id, [])
        behind = {a.response_id for a in rows}
        based_on = len(rows)
        result = next(r for r in analysis.questions if r.question.id == question.id)
        value = {
            "average": result.average,
            "percent_yes": result.yes_percent,
            "recommend_score": result.recommend_score,
            "responses": float(based_on),
        }.get(measure)
        if measure == "percent_choosing" and based_on:
            chose = sum(1 for a in rows if option in a.choices)
            value = round(100 * chose / based_on, 1)
    else:
        behind = set(segment_of)
        based_on = len(behind)
        value = float(based_on) if measure == "responses" else None
    if measure == "response_rate":
        value = round(100 * len(segment_of) / survey.recipients, 1) if survey.recipients else None
    if not measure:
        value = None
    return Figure(value, based_on, _contacts_of(ctx, behind))


def _contacts_of(ctx: SandboxContext, response_ids: set[int]) -> list[int]:
    if not response_ids:
        return []
    return sorted(
        {
            contact_id
            for contact_id in db.session.scalars(
                select(Response.contact_id).where(
                    Response.sandbox_id == ctx.sandbox_id, Response.id.in_(sorted(response_ids))
                )
            )
            if contact_id is not None
        }
    )
