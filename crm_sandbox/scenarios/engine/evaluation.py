"""Checking the work: run every check of a scenario on the sandbox and its log, and score
the outcome per task and overall."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...checks import REGISTRY, CheckResult
from ...models import Attempt
from ...services import hints
from ..loader import scenario_of
from ..state import SandboxState, load_log


@dataclass
class CheckOutcome:
    """One check's result as the learner and assessor see it."""

    id: str
    passed: bool
    feedback: str
    message: str
    evidence: list[int]
    criteria: list[str]
    mistakes: list[str]
    pending: bool = False  # nothing to judge yet (never a pass)


@dataclass
class TaskOutcome:
    """A task's check results and its score (the share passed)."""

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
    """Every task's outcome and the overall score: the share of all checks passed, less what
    the hints used cost by the scenario's `hint_costs` (never below 0). Hints change the
    score only: every check passes or fails on the work alone."""

    tasks: list[TaskOutcome]
    hint_cost: float = 0.0  # the fraction the hints used take off the score
    hints_used: int = 0

    @property
    def score_before_hints(self) -> float:
        checks = [c for t in self.tasks for c in t.checks]
        return round(sum(c.passed for c in checks) / len(checks), 3) if checks else 0.0

    @property
    def score(self) -> float:
        return round(max(0.0, self.score_before_hints - self.hint_cost), 3)

    def failing(self) -> list[str]:
        return [c.id for t in self.tasks for c in t.checks if not c.passed]

    def passing(self) -> list[str]:
        return [c.id for t in self.tasks for c in t.checks if c.passed]

    def outcomes(self) -> list[CheckOutcome]:
        return [c for t in self.tasks for c in t.checks]

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "score_before_hints": self.score_before_hints,
            "hint_cost": self.hint_cost,
            "hints_used": self.hints_used,
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


def score_parts(results: dict | None) -> tuple[float, float, float] | None:
    """(score before hints, the hints' cost, the score) of stored results; results stored
    before hints had a cost read as costing nothing. None when there are none."""
    if not results or not isinstance(results.get("score"), int | float):
        return None
    before = results.get("score_before_hints", results["score"])
    return before, results.get("hint_cost", 0.0) or 0.0, results["score"]


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
                    result.pending,
                )
            )
        tasks.append(outcome)
    return Evaluation(
        tasks, hints.cost_of(attempt, scenario), len(hints.hints_used(attempt, scenario))
    )
