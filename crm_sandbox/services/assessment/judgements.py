"""Judging and deciding: the criteria of the attempt's group's qualification that the scenario
evidences (`criteria_for_attempt`), with the checks that evidence each, the assessor's
judgement on each criterion, and the overall decision (met, or returned to the learner with
the sandbox writable again). Both are logged in the learner's sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...criteria import (
    NumberedCriterion,
    body_of_attempt,
    check_criteria_for_body,
    criteria_for_attempt,
    load_catalogue,
)
from ...models import Attempt, AttemptStatus, Decision, Judgement, Role, User, db
from ...models.assessment import JUDGEMENT_DECISIONS
from ...models.base import utcnow
from .. import action_log
from ..context import SandboxContext
from ..errors import ServiceError

DECISION_LABELS = {"met": "Met", "not_yet_met": "Not yet met"}
STAFF = (Role.ASSESSOR, Role.ADMIN)


@dataclass
class CheckEvidence:
    """One check of the latest results that evidences a criterion, with the seq of each log
    entry it points to."""

    task: str
    id: str
    passed: bool
    message: str
    evidence: list[int]
    pending: bool = False  # nothing to judge yet: shown as "not judged yet", never a pass


@dataclass
class CriterionView:
    """One criterion of an attempt: the checks that evidence it and the judgements on it."""

    criterion: NumberedCriterion
    checks: list[CheckEvidence] = field(default_factory=list)
    history: list[Judgement] = field(default_factory=list)  # oldest first
    latest: Judgement | None = None  # the one that counts (this round of assessment)


def _criteria_ids(attempt: Attempt) -> list[str]:
    return [c.id for c in criteria_for_attempt(attempt)]


def _checks(results: dict | None):
    for task in (results or {}).get("tasks", []):
        for check in task.get("checks", []):
            yield task, check


def judgements_of(attempt: Attempt) -> list[Judgement]:
    """Every judgement on the attempt, oldest first."""
    return list(
        db.session.scalars(
            select(Judgement)
            .where(Judgement.attempt_id == attempt.id)
            .order_by(Judgement.created_at, Judgement.id)
        )
    )


def current_judgements(attempt: Attempt) -> dict[str, Judgement]:
    """The judgement that counts per criterion: the latest since the work was last submitted
    (judgements on an earlier submission stay as history but do not count again)."""
    latest: dict[str, Judgement] = {}
    for judgement in judgements_of(attempt):
        if attempt.submitted_at is None or judgement.created_at >= attempt.submitted_at:
            latest[judgement.criterion_id] = judgement
    return latest


def criteria_view(attempt: Attempt) -> list[CriterionView]:
    """The group's criteria the scenario evidences, numbered, with the checks mapped to each
    (through the catalogue's themes when a check names only other bodies' criteria) and the
    judgement history."""
    criteria = criteria_for_attempt(attempt)
    body_id = body_of_attempt(attempt)
    views = {c.id: CriterionView(c) for c in criteria}
    for task, check in _checks(attempt.latest_results):
        for criterion in check_criteria_for_body(check.get("criteria", []), body_id, criteria):
            views[criterion.id].checks.append(
                CheckEvidence(
                    task.get("title", task.get("id", "")),
                    check["id"],
                    bool(check.get("passed")),
                    check.get("message", ""),
                    list(check.get("evidence") or []),
                    bool(check.get("pending")),
                )
            )
    for judgement in judgements_of(attempt):
        if judgement.criterion_id in views:
            views[judgement.criterion_id].history.append(judgement)
    for criterion_id, judgement in current_judgements(attempt).items():
        if criterion_id in views:
            views[criterion_id].latest = judgement
    return list(views.values())


def _require_staff(person: User) -> None:
    if person.role_enum not in STAFF:
        raise ServiceError("Only an assessor or an admin can assess work.")


def _require_waiting(attempt: Attempt) -> None:
    if attempt.status != AttemptStatus.SUBMITTED.value:
        raise ServiceError(
            f"This work is {attempt.status_enum.label.lower()}, not waiting for assessment."
        )


def _require_groups_criterion(attempt: Attempt, criterion_id: str) -> None:
    if criterion_id in _criteria_ids(attempt):
        return
    catalogue = load_catalogue()
    body = catalogue.body(body_of_attempt(attempt))
    try:
        catalogue.criterion(criterion_id)
    except KeyError:
        raise ServiceError(
            f"There is no assessment criterion {criterion_id!r}.", "criterion_id"
        ) from None
    if criterion_id.split(".", 1)[0] != body.id:
        raise ServiceError(
            f"{criterion_id} is not a criterion of this group's qualification ({body.name}): "
            "judge only the criteria shown for this work.",
            "criterion_id",
        )
    raise ServiceError("This scenario does not evidence that criterion.", "criterion_id")


def judge(
    attempt: Attempt, assessor: User, criterion_id: str, decision: str, comment: str
) -> Judgement:
    """Record the assessor's signed judgement on one criterion (a new row every time: the
    latest counts, the earlier ones remain as history) and log it in the sandbox."""
    _require_staff(assessor)
    _require_waiting(attempt)
    _require_groups_criterion(attempt, criterion_id)
    if decision not in JUDGEMENT_DECISIONS:
        raise ServiceError("Choose met or not yet met.", "decision")
    comment = (comment or "").strip()
    if decision == "not_yet_met" and not comment:
        raise ServiceError("Say what is still missing, so the learner knows.", "comment")
    before = current_judgements(attempt).get(criterion_id)
    judgement = Judgement(
        attempt_id=attempt.id,
        criterion_id=criterion_id,
        decision=decision,
        comment=comment,
        assessor_id=assessor.id,
        created_at=utcnow(),
    )
    db.session.add(judgement)
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, assessor),
        "assessment.judged",
        "attempt",
        attempt.id,
        before={"criterion": criterion_id, "decision": before.decision} if before else None,
        after={"criterion": criterion_id, "decision": decision, "comment": comment},
    )
    return judgement


def decide(attempt: Attempt, assessor: User, outcome: str, feedback: str) -> Decision:
    """Sign off the work: "met" marks it assessed; "not_yet_met" returns it to the learner
    with the sandbox writable again so they can work on and resubmit."""
    _require_staff(assessor)
    _require_waiting(attempt)
    if outcome not in JUDGEMENT_DECISIONS:
        raise ServiceError("Choose met or not yet met.", "outcome")
    feedback = (feedback or "").strip()
    if not feedback:
        raise ServiceError("Write feedback for the learner.", "feedback")
    # Only the group's criteria count: a judgement on any other (made before the group's
    # qualification decided them) neither blocks nor completes the sign-off.
    criteria = criteria_for_attempt(attempt)
    judged = current_judgements(attempt)
    missing = [c.ref for c in criteria if c.id not in judged]
    if missing:
        raise ServiceError(
            "Judge every criterion before deciding; still to judge: " + ", ".join(missing) + "."
        )
    not_met = [c.ref for c in criteria if judged[c.id].decision != "met"]
    if outcome == "met" and not_met:
        raise ServiceError(
            "The work cannot be met overall while a criterion is judged not yet met: "
            + ", ".join(not_met)
            + ".",
            "outcome",
        )
    made = Decision(
        attempt_id=attempt.id,
        outcome=outcome,
        feedback=feedback,
        assessor_id=assessor.id,
        created_at=utcnow(),
    )
    db.session.add(made)
    before = {"status": attempt.status}
    if outcome == "met":
        attempt.status = AttemptStatus.ASSESSED.value
    else:
        attempt.status = AttemptStatus.RETURNED.value
        attempt.sandbox.read_only = False
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, assessor),
        "assessment.decided",
        "attempt",
        attempt.id,
        before=before,
        after={"status": attempt.status, "outcome": outcome, "feedback": feedback},
    )
    return made


def decisions_of(attempt: Attempt) -> list[Decision]:
    """Every decision on the attempt, oldest first."""
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.attempt_id == attempt.id)
            .order_by(Decision.created_at, Decision.id)
        )
    )
