"""An attempt's life: start and restart it, the learner's "Check my work", hints and
submission, and replaying model answers in it. Each change is logged."""

from __future__ import annotations

from ...models import Attempt, AttemptStatus, SandboxKind, User, db
from ...models.base import utcnow
from ...services import action_log, clock, customers, hints, provisioning, sandbox_clock
from ...services.context import SandboxContext
from ...services.errors import ServiceError
from ..loader import scenario_of
from ..schema import HintSpec, Scenario
from ..steps import Runner
from .evaluation import Evaluation, evaluate
from .events import fire_due_events
from .opening import apply_opening

SETUP_ACTOR = "Scenario set-up"


DECLARATION = (
    "I declare that this work is my own: I carried out the actions recorded in "
    "this sandbox myself, without help beyond the hints the scenario gives."
)


def start_attempt(
    learner: User, scenario: Scenario, source_yaml: str, assignment_id: int | None = None
) -> Attempt:
    """Give a learner a sandbox for the scenario: the seeded base from its profile and seed,
    the opening data on top, the clock paused at the scenario's start. The clock runs on the
    learner's working time from their first opening (`sandbox_clock.record_work`)."""
    sandbox = provisioning.provision(
        learner,
        kind=SandboxKind.ASSIGNMENT,
        profile=scenario.profile,
        seed=scenario.seed,
        size=scenario.size,
        title=scenario.title,
        start=scenario.start,
    )
    sandbox.clock_runs_on_work = True
    clock.start_clock(sandbox, sandbox.clock_start)
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


def _working(attempt: Attempt, actor: User | None) -> None:
    """The learner acting on their scenario is working in it (see `sandbox_clock`)."""
    if actor is not None and actor.id == attempt.learner_id:
        sandbox_clock.record_work(attempt)


def let_due_things_happen(attempt: Attempt) -> int:
    """The scenario's due events, then the simulated customers' due actions (answers,
    chases); how many happened."""
    happened = fire_due_events(attempt)
    sandbox = attempt.sandbox
    # One indexed look first (as on every CRM page): nothing to do is the common case.
    if not sandbox.read_only and customers.due_now(sandbox.id, clock.sandbox_now(sandbox)):
        happened += customers.act_on_due(SandboxContext(sandbox, None))
    return happened


def _score_payload(evaluation: Evaluation) -> dict:
    """The score as the log records it: with the score before hints and the hints' cost
    beside it once hints were used."""
    if not evaluation.hints_used:
        return {"score": evaluation.score}
    return {
        "score": evaluation.score,
        "score_before_hints": evaluation.score_before_hints,
        "hint_cost": evaluation.hint_cost,
    }


def check_my_work(attempt: Attempt, actor: User) -> Evaluation:
    """The learner's "Check my work": evaluate, keep the latest results, log the press."""
    _working(attempt, actor)
    let_due_things_happen(attempt)
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
        after={**_score_payload(evaluation), "failing": evaluation.failing()},
    )
    return evaluation


def use_hint(attempt: Attempt, actor: User, task_id: str, index: int) -> HintSpec:
    """Open a task's hint, recording once, with the real and the sandbox time, that it was
    used (on the attempt and in the action log). Hints open in order: a task's next hint only
    after the one before it. Opening one again shows it and records nothing."""
    if actor is None or actor.id != attempt.learner_id:
        raise ServiceError("Only the learner doing the scenario can open its hints.")
    scenario = scenario_of(attempt)
    task = next((t for t in scenario.tasks if t.id == task_id), None)
    if task is None or not 0 <= index < len(task.hints):
        raise ServiceError("There is no such hint.")
    hint = task.hints[index]
    done = hints.opened(attempt)
    if (task_id, index) in done:
        return hint
    if attempt.status not in (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value):
        raise ServiceError("This work is handed in: its hints can no longer be opened.")
    missing = next((i for i in range(index) if (task_id, i) not in done), None)
    if missing is not None:
        before = task.hints[missing]
        raise ServiceError(
            f"Open this task's hints in order: hint {missing + 1} ({before.label.lower()}) "
            "comes first. Nothing was recorded."
        )
    _working(attempt, actor)
    entry = action_log.record(
        SandboxContext(attempt.sandbox, actor),
        "scenario.hint_viewed",
        "attempt",
        attempt.id,
        after={
            "task": task_id,
            "hint": index,
            "number": index + 1,
            "tier": hint.tier,
            "cost": scenario.hint_costs.of(hint.tier),
        },
    )
    attempt.hints_used = [
        *(attempt.hints_used or []),
        hints.marker(task_id, index, hint.tier, entry.real_time, entry.sandbox_time, entry.seq),
    ]
    db.session.flush()
    return hint


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
    _working(attempt, actor)  # the clock counts up to the submission, then stops
    evaluation = evaluate(attempt)
    attempt.latest_score = evaluation.score
    attempt.latest_results = evaluation.as_dict()
    attempt.status = AttemptStatus.SUBMITTED.value
    attempt.submitted_at = utcnow()
    attempt.declaration = DECLARATION
    attempt.sandbox.read_only = True
    sandbox_clock.pause(attempt.sandbox)  # stopped until the work is returned
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, actor),
        "scenario.submitted",
        "attempt",
        attempt.id,
        after={**_score_payload(evaluation), "declaration": DECLARATION},
    )
    return attempt


def replay(attempt: Attempt, steps) -> Runner:
    """Carry out model-answer or walk-through steps in an attempt's sandbox, letting events
    fall due after each step (as they would between a learner's clicks)."""
    ctx = SandboxContext(attempt.sandbox, attempt.learner)

    def after_step():
        let_due_things_happen(attempt)

    runner = Runner(ctx, attempt.keys or {}, after_step)
    for spec in steps:
        runner.run(spec)
    return runner
