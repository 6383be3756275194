"""The learner's view of assessment: the feedback on an attempt (the latest decision and the
judgements it was based on) and progress towards every criterion of their qualifications.
Each attempt counts against its own group's qualification only, numbered the body's way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...criteria import (
    NumberedCriterion,
    body_of_attempt,
    check_criteria_for_body,
    criteria_for_attempt,
    criteria_for_body,
    load_catalogue,
)
from ...models import Attempt, AttemptStatus, Decision, Judgement, User
from .. import assignments, groups
from .judgements import _checks, current_judgements, decisions_of, judgements_of
from .lookups import title_of


@dataclass
class Feedback:
    """What the learner sees of the assessment of one attempt."""

    decision: Decision | None
    judgements: list[tuple[NumberedCriterion, Judgement | None]]


def feedback_for(attempt: Attempt) -> Feedback:
    """The latest decision on the attempt and the per-criterion judgements it was based on
    (judgements after it belong to a later round and are not shown yet)."""

    decisions = decisions_of(attempt)
    if not decisions:
        return Feedback(None, [])
    decision = decisions[-1]
    latest: dict[str, Judgement] = {}
    for judgement in judgements_of(attempt):
        if judgement.created_at <= decision.created_at:
            latest[judgement.criterion_id] = judgement
    criteria = criteria_for_attempt(attempt)
    return Feedback(decision, [(c, latest.get(c.id)) for c in criteria])


NOT_STARTED, WORKING_TOWARDS, MET = "not_started", "working_towards", "met"
PROGRESS_LABELS = {NOT_STARTED: "Not started", WORKING_TOWARDS: "Working towards", MET: "Met"}


@dataclass
class CriterionProgress:
    """One criterion of the learner's qualification: its status and the work behind it."""

    criterion: NumberedCriterion
    status: str = NOT_STARTED
    passing: list[tuple[str, str]] = field(default_factory=list)  # (scenario title, check id)
    met_in: list[tuple[str, Judgement]] = field(default_factory=list)  # (scenario title, ...)

    @property
    def label(self) -> str:
        """The status as the learner reads it."""
        return PROGRESS_LABELS[self.status]


@dataclass
class BodyProgress:
    """The learner's progress towards one awarding body's criteria."""

    body_id: str
    name: str
    criteria: list[CriterionProgress]


def _add_attempt(rows: dict[str, CriterionProgress], body_id: str, attempt: Attempt) -> None:
    """Add one attempt's evidence to the body's criteria it maps to: its passing checks, and,
    once assessed, the criteria judged met in it. Work assessed against another body (set
    in another group) counts there, not here."""
    if body_of_attempt(attempt) != body_id:
        return
    title = title_of(attempt)
    allowed = criteria_for_attempt(attempt)
    for _task, check in _checks(attempt.latest_results):
        if not check.get("passed"):
            continue
        for criterion in check_criteria_for_body(check.get("criteria", []), body_id, allowed):
            rows[criterion.id].passing.append((title, check["id"]))
    if attempt.status == AttemptStatus.ASSESSED.value:
        for criterion_id, judgement in current_judgements(attempt).items():
            if criterion_id in rows and judgement.decision == "met":
                rows[criterion_id].met_in.append((title, judgement))


def criteria_progress(learner: User) -> list[BodyProgress]:
    """Every criterion of the learner's groups' qualifications: not started, working towards
    (a passing check maps to it) or met (judged met in assessed work), with the evidence."""

    catalogue = load_catalogue()
    attempts = assignments.attempts_of(learner)
    body_ids = list(dict.fromkeys(g.body_id for g in groups.groups_of_learner(learner)))
    result = []
    for body_id in body_ids:
        try:
            body = catalogue.body(body_id)
        except KeyError:
            continue
        rows = {c.id: CriterionProgress(c) for c in criteria_for_body(body.id)}
        for attempt in attempts:
            _add_attempt(rows, body.id, attempt)
        for row in rows.values():
            if row.met_in:
                row.status = MET
            elif row.passing:
                row.status = WORKING_TOWARDS
        result.append(BodyProgress(body.id, body.name, list(rows.values())))
    return result
