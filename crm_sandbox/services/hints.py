"""The hints a learner has opened in an attempt: how each opening is recorded, read back for
the learner, their tutor, their assessor and the evidence pack, and what the hints cost.

A task's hints come in tiers (a nudge, a pointer to the policy or record, then the step; see
`scenarios.schema.HintSpec`), opened in order. `scenarios.engine.use_hint` records each hint
opened, once, in `Attempt.hints_used` as a mapping {task, index, tier, real_time,
sandbox_time, seq} (`seq`: its entry in the action log). Attempts made before hints had tiers
hold a marker "<task id>:<index>" instead: it still reads, with its tier taken from the
scenario and no times (the action log's "scenario.hint_viewed" entry has them).

The scenario's `hint_costs` take a fraction off the overall score per hint used, by tier
(`cost_of`); no hint ever makes a check pass or fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..scenarios.schema import HINT_TIER_LABELS, Scenario


@dataclass(frozen=True)
class UsedHint:
    task_id: str
    task_title: str
    number: int  # counted from 1 within its task, as the learner's page numbers them
    tier: str  # nudge, pointer or step
    text: str
    cost: float  # the fraction of the score it takes off (0 when the scenario sets none)
    real_time: datetime | None  # None for a marker recorded before hints had times
    sandbox_time: datetime | None

    @property
    def label(self) -> str:
        return HINT_TIER_LABELS.get(self.tier, self.tier)


def marker(
    task_id: str,
    index: int,
    tier: str,
    real_time: datetime,
    sandbox_time: datetime,
    seq: int | None = None,
) -> dict:
    """What `Attempt.hints_used` holds for one hint opened."""
    return {
        "task": task_id,
        "index": index,
        "tier": tier,
        "real_time": real_time.isoformat(),
        "sandbox_time": sandbox_time.isoformat(),
        "seq": seq,
    }


def _read(entry) -> tuple[str, int, dict] | None:
    """(task id, index, the rest) of a recorded hint, new mapping or old "task:index" string;
    None when it is neither."""
    if isinstance(entry, str):
        task_id, _, index = entry.partition(":")
        return (task_id, int(index), {}) if index.isdigit() else None
    if isinstance(entry, dict):
        task_id, index = entry.get("task"), entry.get("index")
        if isinstance(task_id, str) and isinstance(index, int) and not isinstance(index, bool):
            return task_id, index, entry
    return None


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def opened(attempt) -> set[tuple[str, int]]:
    """(task id, index) of every hint opened in the attempt."""
    found = set()
    for entry in attempt.hints_used or []:
        read = _read(entry)
        if read is not None:
            found.add(read[:2])
    return found


def hints_used(attempt, scenario: Scenario) -> list[UsedHint]:
    """The hints opened in the attempt, in the order they were opened, each once. A record
    that no longer names a hint of the scenario (a malformed one, or a task or hint since
    removed) is left out rather than shown wrongly."""
    tasks = {t.id: t for t in scenario.tasks}
    costs = scenario.hint_costs
    used: list[UsedHint] = []
    seen: set[tuple[str, int]] = set()
    for entry in attempt.hints_used or []:
        read = _read(entry)
        if read is None or read[:2] in seen:
            continue
        task_id, index, extra = read
        task = tasks.get(task_id)
        if task is None or not 0 <= index < len(task.hints):
            continue
        seen.add((task_id, index))
        hint = task.hints[index]
        used.append(
            UsedHint(
                task_id,
                task.title,
                index + 1,
                hint.tier,
                hint.text,
                costs.of(hint.tier),
                _time(extra.get("real_time")),
                _time(extra.get("sandbox_time")),
            )
        )
    return used


def cost_of(attempt, scenario: Scenario) -> float:
    """What the hints used take off the overall score, by the scenario's cost per tier."""
    return round(sum(h.cost for h in hints_used(attempt, scenario)), 3)


def cost_words(cost: float) -> str:
    """A hint's cost as the learner reads it: "costs 5% of the score"."""
    return f"costs {round(cost * 100, 1):g}% of the score" if cost else "costs nothing"


def used_in(attempt) -> list[UsedHint]:
    """`hints_used` with the attempt's own scenario (the snapshot it started with); none when
    that snapshot no longer parses (its log still shows each hint opened)."""
    from ..scenarios.loader import ScenarioError, scenario_of

    try:
        scenario = scenario_of(attempt)
    except ScenarioError:
        return []
    return hints_used(attempt, scenario)
