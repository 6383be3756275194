"""The hints a learner has opened in an attempt, read back for their tutor.

`scenarios.engine.use_hint` records each hint opened as a marker "<task id>:<index>" in
`Attempt.hints_used`; this module turns those markers into what the tutor reads."""

from __future__ import annotations

from typing import NamedTuple

from ..models import Attempt
from ..scenarios.schema import Scenario


class UsedHint(NamedTuple):
    task_title: str
    number: int  # counted from 1, as the learner's page numbers them
    text: str


def hints_used(attempt: Attempt, scenario: Scenario) -> list[UsedHint]:
    """The hints opened in the attempt, in the order they were opened. A marker that no longer
    names a hint of the scenario (a malformed one, or a task or hint since removed) is
    left out rather than shown wrongly."""
    tasks = {t.id: t for t in scenario.tasks}
    used = []
    for marker in attempt.hints_used or []:
        task_id, _, index = marker.partition(":")
        task = tasks.get(task_id)
        if task is not None and index.isdigit() and int(index) < len(task.hints):
            used.append(UsedHint(task.title, int(index) + 1, task.hints[int(index)]))
    return used
