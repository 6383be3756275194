"""Assessment of submitted work: the assessor's queue, judgements per criterion, the overall
decision (met, or returned to the learner), internal quality assurance, and the learner's view
of feedback and of progress towards their qualification's criteria.

Judgements, decisions and quality reviews are only ever added, never edited: the latest
judgement per criterion counts, and the earlier ones stay as the signed history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..criteria import Criterion, load_catalogue
from ..models import (
    Assignment,
    Attempt,
    AttemptStatus,
    Decision,
    Group,
    Judgement,
    QualityReview,
    Role,
    User,
    db,
)
from ..models.assessment import JUDGEMENT_DECISIONS
from ..models.base import utcnow
from ..scenarios.loader import criteria_of, scenario_of
from . import action_log, assignments, groups
from .context import SandboxContext
from .errors import NotFound, ServiceError
from .staff_audit import group_of_sandbox, record_staff_action

# Work an assessor may open: submitted, or already decided.
ASSESSABLE = (
    AttemptStatus.SUBMITTED.value,
    AttemptStatus.ASSESSED.value,
    AttemptStatus.RETURNED.value,
)
DECISION_LABELS = {"met": "Met", "not_yet_met": "Not yet met"}
STAFF = (Role.ASSESSOR, Role.ADMIN)


# ---------------------------------------------------------------- who sees which work


def _visible_attempts(viewer: User):
    """The one place that decides which attempts a member of staff may assess."""
    query = (
        select(Attempt)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(Attempt.status.in_(ASSESSABLE))
    )
    if viewer.role_enum == Role.ADMIN:
        return query
    if viewer.role_enum == Role.ASSESSOR:
        return query.where(groups.attempts_in_groups(groups.staff_group_ids(viewer)))
    return query.where(False)


def visible_attempts_of(viewer: User, learner: User) -> list[Attempt]:
    """The learner's attempts this assessor may open (their groups' work, submitted or
    decided; every learner's for an admin), oldest first."""
    return list(
        db.session.scalars(
            _visible_attempts(viewer)
            .where(Attempt.learner_id == learner.id)
            .order_by(Attempt.started_at, Attempt.id)
        )
    )


def queue(
    viewer: User,
    group_id: int | None = None,
    scenario_id: str | None = None,
    older_than_days: int | None = None,
) -> list[Attempt]:
    """Submitted work waiting for this assessor (admins: everyone's), oldest first, optionally
    only one group's, one scenario's, or work submitted more than N days ago."""
    query = _visible_attempts(viewer).where(Attempt.status == AttemptStatus.SUBMITTED.value)
    if group_id is not None:
        query = query.where(groups.attempts_in_groups([group_id]))
    if scenario_id:
        query = query.where(Attempt.scenario_id == scenario_id)
    if older_than_days:
        query = query.where(Attempt.submitted_at <= utcnow() - timedelta(days=older_than_days))
    return list(db.session.scalars(query.order_by(Attempt.submitted_at, Attempt.id)))


def queue_scenarios(viewer: User) -> list[tuple[str, str]]:
    """(scenario id, title) of the scenarios this assessor has work for, for the filter."""
    rows = db.session.execute(
        _visible_attempts(viewer)
        .with_only_columns(Attempt.scenario_id, Assignment.title)
        .distinct()
        .order_by(Attempt.scenario_id)
    )
    titles: dict[str, str] = {}
    for scenario_id, title in rows:
        titles.setdefault(scenario_id, title or scenario_id)
    return list(titles.items())


def attempt_for_assessor(viewer: User, attempt_id: int) -> Attempt:
    """One piece of submitted or decided work this assessor may open; NotFound otherwise
    (another group's work, work still in progress, or no such attempt)."""
    attempt = db.session.scalar(_visible_attempts(viewer).where(Attempt.id == attempt_id))
    if attempt is None:
        raise NotFound("No such submission.")
    return attempt


def group_of(attempt: Attempt, viewer: User) -> Group | None:
    """The group the work was set for (or, for work set to the learner personally, the first
    of their groups this person sees: never another group's name)."""
    if attempt.assignment is not None and attempt.assignment.group_id is not None:
        return db.session.get(Group, attempt.assignment.group_id)
    visible = {g.id for g in groups.groups_for(viewer, include_archived=True)}
    found = [g for g in groups.groups_of_learner(attempt.learner) if g.id in visible]
    return found[0] if found else None


def title_of(attempt: Attempt) -> str:
    """The scenario's title as the learner saw it."""
    if attempt.assignment is not None:
        return attempt.assignment.title
    return attempt.sandbox.title or attempt.scenario_id


# ---------------------------------------------------------------- criteria and evidence


@dataclass
class CheckEvidence:
    task: str
    id: str
    passed: bool
    message: str
    evidence: list[int]


@dataclass
class CriterionView:
    """One criterion of an attempt: the checks that evidence it and the judgements on it."""

    criterion: Criterion
    checks: list[CheckEvidence] = field(default_factory=list)
    history: list[Judgement] = field(default_factory=list)  # oldest first
    latest: Judgement | None = None  # the one that counts (this round of assessment)


def _criteria_ids(attempt: Attempt) -> list[str]:
    return [c.id for c in criteria_of(scenario_of(attempt))]


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
    """The scenario's criteria with the checks mapped to each and the judgement history."""
    views = {c.id: CriterionView(c) for c in criteria_of(scenario_of(attempt))}
    for task, check in _checks(attempt.latest_results):
        for criterion_id in check.get("criteria", []):
            if criterion_id in views:
                views[criterion_id].checks.append(
                    CheckEvidence(
                        task.get("title", task.get("id", "")),
                        check["id"],
                        bool(check.get("passed")),
                        check.get("message", ""),
                        list(check.get("evidence") or []),
                    )
                )
    for judgement in judgements_of(attempt):
        if judgement.criterion_id in views:
            views[judgement.criterion_id].history.append(judgement)
    for criterion_id, judgement in current_judgements(attempt).items():
        if criterion_id in views:
            views[criterion_id].latest = judgement
    return list(views.values())


# ---------------------------------------------------------------- judging and deciding


def _require_staff(person: User) -> None:
    if person.role_enum not in STAFF:
        raise ServiceError("Only an assessor or an admin can assess work.")


def _require_waiting(attempt: Attempt) -> None:
    if attempt.status != AttemptStatus.SUBMITTED.value:
        raise ServiceError(
            f"This work is {attempt.status_enum.label.lower()}, not waiting for assessment."
        )


def judge(
    attempt: Attempt, assessor: User, criterion_id: str, decision: str, comment: str
) -> Judgement:
    """Record the assessor's signed judgement on one criterion (a new row every time: the
    latest counts, the earlier ones remain as history) and log it in the sandbox."""
    _require_staff(assessor)
    _require_waiting(attempt)
    if criterion_id not in _criteria_ids(attempt):
        raise ServiceError("This scenario does not evidence that criterion.", "criterion_id")
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
    judged = current_judgements(attempt)
    missing = [c for c in _criteria_ids(attempt) if c not in judged]
    if missing:
        raise ServiceError(
            "Judge every criterion before deciding; still to judge: " + ", ".join(missing) + "."
        )
    not_met = [c for c, j in judged.items() if j.decision != "met"]
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


# ---------------------------------------------------------------- quality assurance


def _visible_decisions(viewer: User):
    return select(Decision).where(
        Decision.attempt_id.in_(_visible_attempts(viewer).with_only_columns(Attempt.id))
    )


def quality_sample(viewer: User) -> list[Decision]:
    """Decisions this assessor (or admin) may sample for quality assurance: those on work
    they may see that someone else made, newest first."""
    return list(
        db.session.scalars(
            _visible_decisions(viewer)
            .where(Decision.assessor_id != viewer.id)
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        )
    )


def decision_for_reviewer(viewer: User, decision_id: int) -> Decision:
    """A decision on work this person may see; NotFound otherwise."""
    found = db.session.scalar(_visible_decisions(viewer).where(Decision.id == decision_id))
    if found is None:
        raise NotFound("No such decision.")
    return found


def attempt_of(decision: Decision) -> Attempt:
    """The work a decision was made on."""
    return db.session.get(Attempt, decision.attempt_id)


def reviews_of(decision: Decision) -> list[QualityReview]:
    """The quality reviews of a decision, oldest first."""
    return list(
        db.session.scalars(
            select(QualityReview)
            .where(QualityReview.decision_id == decision.id)
            .order_by(QualityReview.created_at, QualityReview.id)
        )
    )


def review(decision: Decision, reviewer: User, agrees: bool, comment: str) -> QualityReview:
    """Record a second assessor's (or an admin's) agreement or disagreement with a decision;
    nobody quality-assures their own decision."""
    _require_staff(reviewer)
    if decision.assessor_id == reviewer.id:
        raise ServiceError(
            "You made this decision: quality assurance needs a second assessor or an admin."
        )
    comment = (comment or "").strip()
    if not agrees and not comment:
        raise ServiceError("Say why you disagree.", "comment")
    made = QualityReview(
        decision_id=decision.id,
        reviewer_id=reviewer.id,
        agrees=agrees,
        comment=comment,
        created_at=utcnow(),
    )
    db.session.add(made)
    db.session.flush()
    attempt = attempt_of(decision)
    record_staff_action(
        "assessment.reviewed",
        "decision",
        decision.id,
        actor=reviewer,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
        after={"agrees": agrees, "comment": comment},
    )
    return made


# ---------------------------------------------------------------- the learner's view


@dataclass
class Feedback:
    """What the learner sees of the assessment of one attempt."""

    decision: Decision | None
    judgements: list[tuple[Criterion, Judgement | None]]


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
    criteria = criteria_of(scenario_of(attempt))
    return Feedback(decision, [(c, latest.get(c.id)) for c in criteria])


NOT_STARTED, WORKING_TOWARDS, MET = "not_started", "working_towards", "met"
PROGRESS_LABELS = {NOT_STARTED: "Not started", WORKING_TOWARDS: "Working towards", MET: "Met"}


@dataclass
class CriterionProgress:
    criterion: Criterion
    status: str = NOT_STARTED
    passing: list[tuple[str, str]] = field(default_factory=list)  # (scenario title, check id)
    met_in: list[tuple[str, Judgement]] = field(default_factory=list)  # (scenario title, ...)

    @property
    def label(self) -> str:
        return PROGRESS_LABELS[self.status]


@dataclass
class BodyProgress:
    body_id: str
    name: str
    criteria: list[CriterionProgress]


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
        rows = {c.id: CriterionProgress(c) for c in body.criteria}
        for attempt in attempts:
            title = title_of(attempt)
            for _task, check in _checks(attempt.latest_results):
                if not check.get("passed"):
                    continue
                for criterion_id in check.get("criteria", []):
                    if criterion_id in rows:
                        rows[criterion_id].passing.append((title, check["id"]))
            if attempt.status == AttemptStatus.ASSESSED.value:
                for criterion_id, judgement in current_judgements(attempt).items():
                    if criterion_id in rows and judgement.decision == "met":
                        rows[criterion_id].met_in.append((title, judgement))
        for row in rows.values():
            if row.met_in:
                row.status = MET
            elif row.passing:
                row.status = WORKING_TOWARDS
        result.append(BodyProgress(body.id, body.name, list(rows.values())))
    return result


def days_waiting(attempt: Attempt, now: datetime | None = None) -> int:
    """Whole days since the work was submitted."""
    if attempt.submitted_at is None:
        return 0
    return ((now or utcnow()) - attempt.submitted_at).days
