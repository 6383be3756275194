"""What goes into a learner's evidence pack: their attempts (for a member of staff, only the
work they may see), each sandbox's action log, the judgements and decisions on the work, what
staff did to it, and the status of each criterion of the learner's qualification. Reads only.

Each attempt is assessed against its group's qualification (`criteria_for_attempt`): the pack
lists those criteria only, with the awarding body's numbers beside the stable ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ...criteria import (
    DEFAULT_BODY,
    NumberedCriterion,
    body_of_attempt,
    check_criteria_for_body,
    criteria_for_attempt,
    criteria_for_body,
    load_catalogue,
)
from ...models import (
    ActionLogEntry,
    Attempt,
    AttemptStatus,
    Decision,
    Group,
    Judgement,
    StaffAuditEntry,
    User,
    db,
)
from ...models.base import utcnow
from ...scenarios.loader import ScenarioError, scenario_of
from .. import assessment, assignments, groups, log_words, staff_audit
from .. import hints as hints_service

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
    # The qualification the work is assessed against (the group's), its numbered criteria
    # for this scenario, the group the work was set in, and the names behind the log's ids.
    body_id: str = DEFAULT_BODY
    criteria: list[NumberedCriterion] = field(default_factory=list)
    group_name: str = ""
    names: log_words.Names = field(default_factory=log_words.Names)
    instructions: dict[str, str] = field(default_factory=dict)  # task id -> instruction
    hints: list[hints_service.UsedHint] = field(default_factory=list)  # opened, oldest first

    @property
    def body_name(self) -> str:
        """The awarding body's name (the qualification)."""
        try:
            return load_catalogue().body(self.body_id).name
        except KeyError:
            return self.body_id

    def entry(self, seq: int) -> ActionLogEntry | None:
        """The log entry with this sequence number."""
        index = seq - 1  # seqs run 1, 2, 3... in each sandbox's log
        if 0 <= index < len(self.entries) and self.entries[index].seq == seq:
            return self.entries[index]
        return next((e for e in self.entries if e.seq == seq), None)

    def words(self, entry: ActionLogEntry) -> str:
        """The entry in words, learner text whole."""
        return log_words.describe_entry(entry, self.names)

    def tasks(self) -> list[TaskEvidence]:
        """Each checked task with the learner's records its checks relied on, the criteria
        they evidence in this qualification, and the checks' results in words."""
        return [self._task(task) for task in (self.attempt.latest_results or {}).get("tasks", [])]

    def _task(self, task: dict) -> TaskEvidence:
        seqs: set[int] = set()
        criteria: list[NumberedCriterion] = []
        checks = []
        for check in task.get("checks", []):
            seqs.update(s for s in check.get("evidence") or [] if isinstance(s, int))
            for criterion in self.check_criteria(check):
                if criterion not in criteria:
                    criteria.append(criterion)
            checks.append(_check_words(check))
        records = []
        for seq in sorted(seqs | self._linked(seqs)):
            entry = self.entry(seq)
            if entry is not None:
                records.append((entry, self.words(entry)))
        criteria.sort(key=lambda c: [int(p) if p.isdigit() else p for p in c.number.split(".")])
        return TaskEvidence(
            task.get("title") or task.get("id") or "Task",
            self.instructions.get(task.get("id"), ""),
            records,
            criteria,
            checks,
        )

    def _linked(self, seqs: set[int]) -> set[int]:
        """The learner's words a cited entry stands on. A complaint's move made with a message
        to the customer (an acknowledgement, an outcome) logs the message just before it; a
        need's confirmation, a standard's agreement or a survey's sending rests on the same
        record's earlier entries (the need's words, the standard) and a survey on its questions."""
        linked = set()
        for seq in seqs:
            entry, before = self.entry(seq), self.entry(seq - 1)
            if entry is None:
                continue
            if entry.object_type in WHOLE_RECORD:
                linked.update(
                    e.seq
                    for e in self.entries
                    if (e.seq < seq or e.verb == "survey.question_added")
                    and e.object_type == entry.object_type
                    and e.object_id == entry.object_id
                )
            if before is None or entry.object_type != "complaint":
                continue
            after = (before.payload or {}).get("after") or {}
            if before.verb == "interaction.logged" and after.get("complaint_id") == entry.object_id:
                linked.add(before.seq)
        return linked

    @property
    def submitted_entry(self) -> ActionLogEntry | None:
        """The latest submission in the log (it carries the declaration the learner ticked)."""
        return next((e for e in reversed(self.entries) if e.verb == "scenario.submitted"), None)

    @property
    def latest_judgements(self) -> list[Judgement]:
        """The judgement that counts for each of the attempt's criteria (the newest), in
        number order; a judgement on any other criterion is not part of this work's record."""
        latest: dict[str, Judgement] = {}
        for judgement in self.judgements:
            latest[judgement.criterion_id] = judgement
        return [latest[c.id] for c in self.criteria if c.id in latest]

    def number_of(self, criterion_id: str) -> str:
        """The body's number of one of the attempt's criteria ("" for any other)."""
        return next((c.number for c in self.criteria if c.id == criterion_id), "")

    def check_criteria(self, check: dict) -> list[NumberedCriterion]:
        """The attempt's criteria that one check result evidences, numbered (a check naming
        only other bodies' criteria maps through the catalogue's themes)."""
        return check_criteria_for_body(check.get("criteria", []), self.body_id, self.criteria)


# Records whose earlier entries a check's citation of a later one stands on.
WHOLE_RECORD = ("need", "standard", "survey", "improvement_action")


@dataclass
class TaskEvidence:
    """One task in the report: its title and instruction, the learner's records its checks
    relied on (entry, words), the numbered criteria it evidences, and each check as words."""

    title: str
    instruction: str
    records: list[tuple[ActionLogEntry, str]]
    criteria: list[NumberedCriterion]
    checks: list[tuple[bool, str]]


def _check_words(check: dict) -> tuple[bool, str]:
    """A check's result as the learner was told it: what was found, and when not yet met,
    the feedback naming the step."""
    passed = bool(check.get("passed"))
    message = str(check.get("message") or "").strip()
    message = message[:1].upper() + message[1:]
    if passed:
        return True, message or "Passed."
    feedback = str(check.get("feedback") or "").strip()
    return False, " ".join(part for part in (message, feedback) if part) or "Not yet met."


@dataclass
class CriterionStatus:
    """One row of the criteria map: the criterion, its status and what it rests on."""

    criterion_id: str
    text: str
    status: str
    basis: str
    number: str = ""  # the awarding body's "LO.AC"


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


def _scenario_text(attempt: Attempt) -> tuple[str, str, list[NumberedCriterion], object]:
    """The title, the brief, the attempt's criteria and the scenario (None when its snapshot
    no longer parses)."""
    try:
        scenario = scenario_of(attempt)
    except ScenarioError:  # a snapshot that no longer parses still has its log as evidence
        title = attempt.assignment.title if attempt.assignment else attempt.scenario_id
        return title, "", criteria_for_body(body_of_attempt(attempt)), None
    return scenario.title, scenario.brief, criteria_for_attempt(attempt, scenario), scenario


def _group_name(attempt: Attempt, learner_groups: list[Group]) -> str:
    assignment = attempt.assignment
    if assignment is not None and assignment.group_id is not None:
        group = db.session.get(Group, assignment.group_id)
        if group is not None:
            return group.name
    return ", ".join(g.name for g in learner_groups)


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
        title, brief, criteria, scenario = _scenario_text(attempt)
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
                body_id=body_of_attempt(attempt),
                criteria=criteria,
                group_name=_group_name(attempt, learner_groups),
                names=log_words.names_for(attempt.sandbox_id, entries),
                instructions={t.id: t.instruction for t in scenario.tasks} if scenario else {},
                hints=hints_service.hints_used(attempt, scenario) if scenario else [],
            )
        )
    # The groups' qualifications, then any other the work was assessed against (work set
    # outside a group).
    body_ids = list(
        dict.fromkeys([g.body_id for g in learner_groups] + [e.body_id for e in evidence])
    ) or [DEFAULT_BODY]
    return Evidence(
        learner=learner,
        generated_at=utcnow(),
        group_names=[g.name for g in learner_groups],
        body_ids=body_ids,
        attempts=evidence,
    )


def criteria_map(body_id: str, attempts: list[AttemptEvidence]) -> list[CriterionStatus]:
    """Each criterion of the body, in number order, with its status: the latest judgement on
    it in assessed work decides; without one, a passing check that evidences it means "working
    towards". Only work assessed against this body counts towards it."""
    attempts = [a for a in attempts if a.body_id == body_id]
    judged: dict[str, tuple[Judgement, AttemptEvidence]] = {}
    assessed = [a for a in attempts if a.attempt.status == AttemptStatus.ASSESSED.value]
    for item in assessed:
        for judgement in item.latest_judgements:
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
                    for criterion in item.check_criteria(check):
                        passing.setdefault(criterion.id, []).append(
                            f"in {item.title}: {_check_words(check)[1]}"
                        )
    rows = []
    for criterion in criteria_for_body(body_id):
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
        rows.append(CriterionStatus(criterion.id, criterion.text, status, basis, criterion.number))
    return rows


def _when(value: datetime | None) -> str:
    """A real time (aware) as the report gives real times; a sandbox time (naive) in the same
    style without a zone."""
    if value is None:
        return "-"
    if value.tzinfo is not None:
        return log_words.real_when(value)
    return log_words.when(value)


def _actor_label(entry: ActionLogEntry) -> str:
    if entry.payload and entry.payload.get("actor"):
        return str(entry.payload["actor"])
    return f"user {entry.actor_id}" if entry.actor_id is not None else "System"


def _own_values(values: dict | None) -> dict | None:
    """An assignment row lists every learner it started: keep other learners out of the pack."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if k != "learner_ids"}
