"""Running a scenario: start an attempt (a sandbox with the opening data on top of the seed),
let its events fall due on the sandbox clock, check the work, hints, submit, reset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from ..checks import REGISTRY, CheckResult
from ..models import ActionLogEntry, Attempt, AttemptStatus, Contact, SandboxKind, User, db
from ..models.base import utcnow
from ..services import (
    action_log,
    clock,
    complaints,
    contacts,
    feedback,
    interactions,
    provisioning,
    standards,
)
from ..services.context import SandboxContext
from ..services.errors import ServiceError
from .loader import scenario_of
from .schema import Scenario
from .state import SandboxState, attempt_start_seq, load_log
from .steps import Runner

SETUP_ACTOR = "Scenario set-up"
EVENT_ACTOR = "Scenario event"
DECLARATION = (
    "I declare that this work is my own: I carried out the actions recorded in "
    "this sandbox myself, without help beyond the hints the scenario gives."
)


# ---------------------------------------------------------------- opening data


def apply_opening(ctx: SandboxContext, scenario: Scenario) -> dict[str, dict[str, int]]:
    """Add the scenario's named customers, complaints, standards and surveys on top of the
    seeded base, through the services (so they are logged), and return their ids by key."""
    keys: dict[str, dict[str, int]] = {
        "contacts": {},
        "complaints": {},
        "standards": {},
        "surveys": {},
    }
    o = scenario.opening
    for spec in o.contacts:
        fields = spec.model_dump(exclude={"key", "expected_category", "consent"})
        contact = contacts.create_contact(ctx, fields)
        if spec.consent:
            contacts.set_consent(ctx, contact, dict(spec.consent))
        keys["contacts"][spec.key] = contact.id

    def contact(key: str) -> Contact:
        if key in keys["contacts"]:
            return ctx.get(Contact, keys["contacts"][key])
        raise ServiceError(f"the scenario names an unknown contact {key!r}")

    for spec in o.interactions:
        interactions.log_interaction(
            ctx,
            contact(spec.contact),
            {
                "channel": spec.channel,
                "direction": spec.direction,
                "initiative": spec.initiative,
                "summary": spec.summary,
                "outcome": spec.outcome,
                "occurred_at": spec.occurred_at,
                "follow_up_on": spec.follow_up_on,
            },
        )
    for spec in o.needs:
        need = contacts.add_need(ctx, contact(spec.contact), spec.description)
        if spec.confirmed_as:
            contacts.confirm_need(ctx, need, spec.confirmed_as)
    for spec in o.complaints:
        made = complaints.receive_complaint(
            ctx,
            contact(spec.contact),
            {
                "channel": spec.channel,
                "category": spec.category,
                "description": spec.description,
                "severity": spec.severity,
                "received_at": spec.received_at,
            },
        )
        if spec.acknowledged:
            complaints.acknowledge(
                ctx,
                made,
                spec.channel,
                "Thank you: we have received your "
                "complaint and will reply within the procedure's time.",
            )
        keys["complaints"][spec.key] = made.id
    for spec in o.standards:
        made = standards.create_standard(ctx, spec.model_dump(exclude={"key"}))
        keys["standards"][spec.key] = made.id
    for spec in o.surveys:
        survey = feedback.create_survey(
            ctx, {"title": spec.title, "method": spec.method, "purpose": spec.purpose}
        )
        for q in spec.questions:
            feedback.add_question(ctx, survey, q.kind, q.text, q.options)
        if spec.send_to:
            feedback.send_survey(
                ctx,
                survey,
                spec.send_to.get("category", "external"),
                spec.send_to.get("segment", ""),
            )
        keys["surveys"][spec.key] = survey.id
    return keys


def start_attempt(
    learner: User, scenario: Scenario, source_yaml: str, assignment_id: int | None = None
) -> Attempt:
    """Give a learner a sandbox for the scenario: the seeded base from its profile and seed,
    the opening data on top, the clock at the scenario's start."""
    sandbox = provisioning.provision(
        learner,
        kind=SandboxKind.ASSIGNMENT,
        profile=scenario.profile,
        seed=scenario.seed,
        size=scenario.size,
        title=scenario.title,
        start=scenario.start,
    )
    ctx = SandboxContext(sandbox, None, SETUP_ACTOR)
    keys = apply_opening(ctx, scenario)
    attempt = Attempt(
        learner_id=learner.id,
        sandbox_id=sandbox.id,
        scenario_id=scenario.id,
        scenario_yaml=source_yaml,
        keys=keys,
        assignment_id=assignment_id,
        fired_events=[],
        hints_used=[],
    )
    db.session.add(attempt)
    db.session.flush()
    action_log.record(
        ctx,
        "scenario.started",
        "attempt",
        attempt.id,
        after={"scenario": scenario.id, "title": scenario.title},
    )
    return attempt


def reset_attempt(attempt: Attempt, actor: User | None, reason: str = "") -> Attempt:
    """Start the scenario again in the same sandbox (the log keeps everything)."""
    if attempt.status == AttemptStatus.SUBMITTED.value:
        raise ServiceError("Submitted work cannot be reset.")
    scenario = scenario_of(attempt)
    ctx = SandboxContext(attempt.sandbox, actor)
    provisioning.reset(ctx, reason or "scenario restarted")
    setup = SandboxContext(attempt.sandbox, None, SETUP_ACTOR)
    attempt.keys = apply_opening(setup, scenario)
    attempt.fired_events = []
    attempt.latest_results = None
    attempt.latest_score = None
    db.session.flush()
    action_log.record(
        setup,
        "scenario.started",
        "attempt",
        attempt.id,
        after={"scenario": scenario.id, "restart": True},
    )
    return attempt


# ---------------------------------------------------------------- events


KEY_OBJECT_TYPES = {
    "complaints": "complaint",
    "contacts": "contact",
    "standards": "standard",
    "surveys": "survey",
}


def _trigger_time(sandbox_id: int, keys: dict | None, trigger, since_seq: int):
    """When the first logged action matching an event's trigger happened in this attempt
    (one indexed query; None if it has not happened)."""
    query = select(ActionLogEntry.sandbox_time).where(
        ActionLogEntry.sandbox_id == sandbox_id,
        ActionLogEntry.seq > since_seq,
        ActionLogEntry.verb == trigger.verb,
    )
    if trigger.key:
        for kind, object_type in KEY_OBJECT_TYPES.items():
            object_id = (keys or {}).get(kind, {}).get(trigger.key)
            if object_id is not None:
                query = query.where(
                    ActionLogEntry.object_type == object_type, ActionLogEntry.object_id == object_id
                )
                break
    return db.session.scalar(query.order_by(ActionLogEntry.seq).limit(1))


def due_events(attempt: Attempt) -> list:
    """Events whose time has come on the sandbox clock and that have not happened yet, as
    (due time, event) pairs in time order."""
    sandbox = attempt.sandbox
    return events_due(
        scenario_of(attempt),
        attempt.fired_events,
        clock.sandbox_now(sandbox),
        sandbox.organisation,
        attempt.sandbox_id,
        attempt.keys,
    )


def events_due(
    scenario: Scenario,
    fired_events: list | None,
    now,
    organisation,
    sandbox_id: int,
    keys: dict | None,
) -> list:
    """`due_events` from the attempt's fields as read (a CRM page reads them as columns):
    `organisation` is any object with the calendar fields. Called on every page of a
    scenario's CRM, so it reads only what it needs: no log at all for timed events, one query
    per triggered one."""
    fired = set(fired_events or [])
    pending = [e for e in scenario.events if e.id not in fired]
    if not pending:
        return []
    calendar = clock.WorkingCalendar.for_organisation(organisation)
    since_seq = None
    due = []
    for event in pending:
        if event.at is not None:
            when = event.at
        else:
            if since_seq is None:
                since_seq = attempt_start_seq(sandbox_id)
            when = _trigger_time(sandbox_id, keys, event.after, since_seq)
            if when is None:
                continue
        if event.delay is not None:
            if event.delay.unit in ("working_hours", "working_days"):
                when = calendar.add(when, event.delay.amount, event.delay.unit)
            else:
                hours = event.delay.amount * (24 if event.delay.unit == "days" else 1)
                when = when + timedelta(hours=hours)
        if when <= now:
            due.append((when, event))
    return sorted(due, key=lambda pair: pair[0])


def fire_due_events(attempt: Attempt) -> int:
    """Make due events happen: a customer chases, replies, a supervisor answers. Each becomes
    an inbound interaction (or a note) and an entry in the log."""
    events = due_events(attempt)
    if not events:
        return 0
    ctx = SandboxContext(attempt.sandbox, None, EVENT_ACTOR)
    for when, event in events:
        # Recorded at the sandbox time the event was due: the customer rang at 14:00 even if
        # the learner only opens the CRM at 16:00.
        contact_id = (attempt.keys or {}).get("contacts", {}).get(event.contact or "")
        made_id = None
        if contact_id and event.kind != "note":
            made = interactions.log_interaction(
                ctx,
                ctx.get(Contact, contact_id),
                {
                    "channel": event.channel,
                    "direction": "inbound",
                    "initiative": "reactive",
                    "summary": event.summary,
                    "outcome": "",
                    "occurred_at": when,
                },
            )
            made_id = made.id
        action_log.record(
            ctx,
            "scenario.event",
            "attempt",
            attempt.id,
            after={
                "event": event.id,
                "kind": event.kind,
                "summary": event.summary,
                "interaction_id": made_id,
            },
            sandbox_time=when,
        )
        attempt.fired_events = [*(attempt.fired_events or []), event.id]
    db.session.flush()
    return len(events)


def happened_events(attempt: Attempt) -> list:
    """The scenario events that have happened so far in this attempt."""
    scenario = scenario_of(attempt)
    fired = set(attempt.fired_events or [])
    return [e for e in scenario.events if e.id in fired]


# ---------------------------------------------------------------- checking


@dataclass
class CheckOutcome:
    id: str
    passed: bool
    feedback: str
    message: str
    evidence: list[int]
    criteria: list[str]
    mistakes: list[str]


@dataclass
class TaskOutcome:
    id: str
    title: str
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def score(self) -> float:
        return round(self.passed / len(self.checks), 3) if self.checks else 0.0


@dataclass
class Evaluation:
    tasks: list[TaskOutcome]

    @property
    def score(self) -> float:
        checks = [c for t in self.tasks for c in t.checks]
        return round(sum(c.passed for c in checks) / len(checks), 3) if checks else 0.0

    def failing(self) -> list[str]:
        return [c.id for t in self.tasks for c in t.checks if not c.passed]

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "tasks": [
                {
                    "id": t.id,
                    "title": t.title,
                    "score": t.score,
                    "checks": [c.__dict__ for c in t.checks],
                }
                for t in self.tasks
            ],
        }


def evaluate(attempt: Attempt) -> Evaluation:
    """Run every check of the scenario on the sandbox and its log (reads only)."""
    scenario = scenario_of(attempt)
    state = SandboxState(attempt.sandbox, attempt.keys or {})
    log = load_log(attempt.sandbox_id)
    tasks = []
    for task in scenario.tasks:
        outcome = TaskOutcome(task.id, task.title)
        for check in task.checks:
            try:
                result = REGISTRY[check.type](state, log, scenario, check.params)
            except (KeyError, ValueError, TypeError) as exc:  # a scenario that checks badly
                result = CheckResult(False, f"(this check could not run: {exc})")
            outcome.checks.append(
                CheckOutcome(
                    check.id,
                    result.passed,
                    check.feedback,
                    result.message,
                    result.evidence,
                    list(check.criteria),
                    list(check.mistakes),
                )
            )
        tasks.append(outcome)
    return Evaluation(tasks)


def check_my_work(attempt: Attempt, actor: User) -> Evaluation:
    """The learner's "Check my work": evaluate, keep the latest results, log the press."""
    fire_due_events(attempt)
    evaluation = evaluate(attempt)
    attempt.checks_run += 1
    attempt.latest_score = evaluation.score
    attempt.latest_results = evaluation.as_dict()
    attempt.checked_at = utcnow()
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, actor),
        "scenario.checked",
        "attempt",
        attempt.id,
        after={"score": evaluation.score, "failing": evaluation.failing()},
    )
    return evaluation


def use_hint(attempt: Attempt, actor: User, task_id: str, index: int) -> str:
    """Show a task's hint, recording that it was used."""
    scenario = scenario_of(attempt)
    task = next((t for t in scenario.tasks if t.id == task_id), None)
    if task is None or not 0 <= index < len(task.hints):
        raise ServiceError("There is no such hint.")
    marker = f"{task_id}:{index}"
    if marker not in (attempt.hints_used or []):
        attempt.hints_used = [*(attempt.hints_used or []), marker]
        db.session.flush()
        action_log.record(
            SandboxContext(attempt.sandbox, actor),
            "scenario.hint_viewed",
            "attempt",
            attempt.id,
            after={"task": task_id, "hint": index},
        )
    return task.hints[index]


def submit(attempt: Attempt, actor: User, declaration_confirmed: bool) -> Attempt:
    """Submit the work with the declaration; the sandbox becomes read-only."""
    if attempt.status == AttemptStatus.SUBMITTED.value:
        raise ServiceError("This work has already been submitted.")
    if attempt.status == AttemptStatus.ASSESSED.value:
        raise ServiceError("This work has been assessed.")
    if not declaration_confirmed:
        raise ServiceError(
            "Confirm the declaration that the work is your own to submit it.", "declaration"
        )
    evaluation = evaluate(attempt)
    attempt.latest_score = evaluation.score
    attempt.latest_results = evaluation.as_dict()
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.submitted_at = utcnow()
    attempt.declaration = DECLARATION
    attempt.sandbox.read_only = True
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, actor),
        "scenario.submitted",
        "attempt",
        attempt.id,
        after={"score": evaluation.score, "declaration": DECLARATION},
    )
    return attempt


# ---------------------------------------------------------------- replaying


def replay(attempt: Attempt, steps) -> Runner:
    """Carry out model-answer or walk-through steps in an attempt's sandbox, letting events
    fall due after each step (as they would between a learner's clicks)."""
    ctx = SandboxContext(attempt.sandbox, attempt.learner)

    def after_step():
        fire_due_events(attempt)

    runner = Runner(ctx, attempt.keys or {}, after_step)
    for spec in steps:
        runner.run(spec)
    return runner
