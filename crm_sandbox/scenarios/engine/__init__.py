"""Running a scenario: start an attempt (a sandbox with the opening data on top of the seed),
let its events fall due on the sandbox clock, check the work, hints, submit, reset.

The package is split by concern: `opening` (the scenario's opening data), `events` (events
falling due on the sandbox clock), `evaluation` (running the checks and scoring) and
`attempts` (an attempt's life: start, reset, check my work, hints, submit, replay). Callers
use the names re-exported here.
"""

from __future__ import annotations

# Callers read these through the engine as before (engine.clock.sandbox_now,
# engine.action_log.entries, engine.scenario_of).
from ...services import action_log, clock
from ..loader import scenario_of
from .attempts import (
    DECLARATION,
    SETUP_ACTOR,
    check_my_work,
    let_due_things_happen,
    replay,
    reset_attempt,
    start_attempt,
    submit,
    use_hint,
)
from .evaluation import CheckOutcome, Evaluation, TaskOutcome, evaluate
from .events import (
    EVENT_ACTOR,
    KEY_OBJECT_TYPES,
    due_events,
    events_due,
    fire_due_events,
    happened_events,
)
from .opening import apply_opening

__all__ = [
    "DECLARATION",
    "EVENT_ACTOR",
    "KEY_OBJECT_TYPES",
    "SETUP_ACTOR",
    "CheckOutcome",
    "Evaluation",
    "TaskOutcome",
    "action_log",
    "apply_opening",
    "check_my_work",
    "clock",
    "due_events",
    "evaluate",
    "events_due",
    "fire_due_events",
    "happened_events",
    "let_due_things_happen",
    "replay",
    "reset_attempt",
    "scenario_of",
    "start_attempt",
    "submit",
    "use_hint",
]
