"""What goes into a learner's evidence pack: their attempts (for a member of staff, only the
work they may see), each sandbox's action log, the judgements and decisions on the work, what
staff did to it, and the status of each criterion of the learner's qualification. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from ...criteria import load_catalogue
from ...models import (
    ActionLogEntry,
    Attempt,
    AttemptStatus,
    Decision,
    Judgement,
    StaffAuditEntry,
    User,
    db,
)
from ...models.base import utcnow
from ...scenarios.loader import ScenarioError, scenario_of
from .. import assessment, assignments, groups, staff_audit

# Attempts in the report: assessed work first, as the strongest evidence.
STATUS_ORDER = {
    AttemptStatus.ASSESSED.value: 0,
    AttemptStatus.SUBMITTED.value: 1,
    AttemptStatus.RETURNED.value: 2,
    AttemptStatus.IN_PROGRESS.value: 3,
}
MET, NOT_YET_MET, WORKING_TOWARDS, NOT_STARTED = (
    "met",
    "not yet met",
    "working towards",
    "not started",
)


@dataclass
class AttemptEvidence:
    """One attempt in the pack: its scenario's title and brief, its sandbox's log, and the
    judgements, decisions and staff actions on it."""

    attempt: Attempt
    title: str
    brief: str
    entries: list[ActionLogEntry]
    judgements: list[Judgement] = field(default_factory=list)  # oldest first
    decisions: list[Decision] = field(default_factory=list)  # oldest first
    # What staff did to the attempt (assigned it with its due date, changed the due date,
    # reset it): the awarding body's audit trail needs it beside the learner's own actions.
    staff_actions: list[StaffAuditEntry] = field(default_factory=list)  # oldest first

    @property
    def latest_judgements(self) -> list[Judgement]:
        """The judgement that counts for each criterion (the newest), in criterion order."""
        latest: dict[str, Judgement] = {}
        for judgement in self.judgements:
            latest[judgement.criterion_id] = judgement
        return [latest[key] for key in sorted(latest)]


@dataclass
class CriterionStatus:
    """One row of the criteria map: the criterion, its status and what it rests on."""

    criterion_id: str
    text: str
    status: str
    basis: str


@dataclass
class Evidence:
    """Everything the pack shows about one learner, gathered when the pack is built."""

    learner: User
    generated_at: datetime
    group_names: list[str]
    body_ids: list[str]
    attempts: list[AttemptEvidence]

    def criteria_map(self, body_id: str) -> list[CriterionStatus]:
        """The criteria map of one awarding body's criteria for these attempts."""
        return criteria_map(body_id, self.attempts)


def _scenario_text(attempt: Attempt) -> tuple[str, str]:
    try:
        scenario = scenario_of(attempt)
    except ScenarioError:  # a snapshot that no longer parses still has its log as evidence
        title = attempt.assignment.title if attempt.assignment else attempt.scenario_id
        return title, ""
    return scenario.title, scenario.brief


def _attempt_order(attempt: Attempt) -> tuple:
    return (STATUS_ORDER.get(attempt.status, 9), attempt.assigned_at, attempt.id)


def gather(learner: User, viewer: User | None = None) -> Evidence:
    """Everything the pack shows about one learner, read in one go: all their work (their
    own pack, or the command line's), or, for a member of staff (`viewer`), only the work and
    groups of the learner's that this person may see (`assessment.visible_attempts_of`)."""
    if viewer is None:
        chosen = assignments.attempts_of(learner)
        learner_groups = groups.groups_of_learner(learner)
    else:
        chosen = assessment.visible_attempts_of(viewer, learner)
        visible = {g.id for g in groups.groups_for(viewer, include_archived=True)}
        learner_groups = [g for g in groups.groups_of_learner(learner) if g.id in visible]
    attempts = sorted(chosen, key=_attempt_order)
    ids = [a.id for a in attempts]
    judgements = list(
        db.session.scalars(
            select(Judgement)
            .where(Judgement.attempt_id.in_(ids))
            .order_by(Judgement.created_at, Judgement.id)
        )
    )
    decisions = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.attempt_id.in_(ids))
            .order_by(Decision.created_at, Decision.id)
        )
    )
    evidence = []
    for attempt in attempts:
        title, brief = _scenario_text(attempt)
        entries = list(
            db.session.scalars(
                select(ActionLogEntry)
                .where(ActionLogEntry.sandbox_id == attempt.sandbox_id)
                .order_by(ActionLogEntry.seq)
            )
        )
        evidence.append(
            AttemptEvidence(
                attempt,
                title,
                brief,
                entries,
                [j for j in judgements if j.attempt_id == attempt.id],
                [d for d in decisions if d.attempt_id == attempt.id],
                staff_audit.for_attempt(attempt),
            )
        )
    body_ids = list(dict.fromkeys(g.body_id for g in learner_groups)) or ["vtct"]
    return Evidence(
        learner=learner,
        generated_at=utcnow(),
        group_names=[g.name for g in learner_groups],
        body_ids=body_ids,
        attempts=evidence,
    )


def criteria_map(body_id: str, attempts: list[AttemptEvidence]) -> list[CriterionStatus]:
    """Each criterion of the body with its status: the latest judgement on it in assessed work
    decides; without one, a passing check that evidences it means "working towards"."""
    judged: dict[str, tuple[Judgement, AttemptEvidence]] = {}
    assessed = [a for a in attempts if a.attempt.status == AttemptStatus.ASSESSED.value]
    for item in assessed:
        for judgement in item.judgements:
            known = judged.get(judgement.criterion_id)
            if known is None or (known[0].created_at, known[0].id) <= (
                judgement.created_at,
                judgement.id,
            ):
                judged[judgement.criterion_id] = (judgement, item)
    passing: dict[str, list[str]] = {}
    for item in attempts:
        for task in (item.attempt.latest_results or {}).get("tasks", []):
            for check in task.get("checks", []):
                if check.get("passed"):
                    for criterion_id in check.get("criteria", []):
                        passing.setdefault(criterion_id, []).append(
                            f"check {check.get('id')} passed in {item.title}"
                        )
    rows = []
    for criterion in load_catalogue().criteria_for(body_id):
        if criterion.id in judged:
            judgement, item = judged[criterion.id]
            status = MET if judgement.decision == "met" else NOT_YET_MET
            basis = (
                f"judged by {judgement.assessor.name} on {_when(judgement.created_at)} "
                f"in {item.title}"
            )
        elif criterion.id in passing:
            found = list(dict.fromkeys(passing[criterion.id]))
            more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
            status, basis = WORKING_TOWARDS, "; ".join(found[:5]) + more
        else:
            status, basis = NOT_STARTED, ""
        rows.append(CriterionStatus(criterion.id, criterion.text, status, basis))
    return rows


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return value.strftime("%a %d %b %Y %H:%M")


def _actor_label(entry: ActionLogEntry) -> str:
    if entry.payload and entry.payload.get("actor"):
        return str(entry.payload["actor"])
    return f"user {entry.actor_id}" if entry.actor_id is not None else "System"


def _own_values(values: dict | None) -> dict | None:
    """An assignment row lists every learner it started: keep other learners out of the pack."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if k != "learner_ids"}
