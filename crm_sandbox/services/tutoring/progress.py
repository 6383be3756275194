"""The progress grid: a group's learners by the scenarios set for the group, with each
attempt's status, latest score and whether it is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from ...models import Assignment, Attempt, Group, User, db
from ...models.base import utcnow
from ...models.scenarios import PROGRESS_LABELS
from .. import groups
from .assigning import due_of, is_overdue

# An attempt's cell says what the learner's home says (`Attempt.progress`: "Not started"
# until the learner first opens it); two more say why a cell has no attempt.
STATUS_LABELS = {
    "not_assigned": "Not assigned",
    **PROGRESS_LABELS,
    "other_group": "Set in another group",
}


@dataclass
class Cell:
    """One learner's attempt at one column's scenario, as the grid shows it."""

    attempt: Attempt | None
    status: str
    score: float | None = None
    due_at: datetime | None = None
    overdue: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Column:
    """A scenario set for the group, and the key that sorts the grid by its scores."""

    assignment: Assignment
    sort_key: str


@dataclass
class Row:
    """A learner and their cells, one per column."""

    learner: User
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Grid:
    """The whole grid: its columns, its rows and the sort they are in."""

    group: Group
    columns: list[Column]
    rows: list[Row]
    sort: str


def progress_grid(group: Group, sort: str = "name") -> Grid:
    """Learners by the group's assignments (one column per scenario): status, latest check
    score and whether overdue. `sort` is "name" or "score-<assignment id>" (best first)."""
    columns = _grid_columns(group)
    learners = list(group.learners)
    attempts: dict[tuple[int, str], Attempt] = {}
    # A learner who is also in another group may have done the scenario there: that work is
    # the other group's, so the cell says so and shows none of it.
    elsewhere: set[tuple[int, str]] = set()
    if columns and learners:
        ours = case((groups.attempts_in_groups([group.id]), True), else_=False)
        found = db.session.execute(
            select(Attempt, ours)
            .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
            .where(
                Attempt.learner_id.in_([u.id for u in learners]),
                Attempt.scenario_id.in_([c.assignment.scenario_id for c in columns]),
            )
            .options(selectinload(Attempt.assignment))  # due dates, without a query per cell
            .order_by(Attempt.id)
        )
        for attempt, in_group in found:
            if in_group:
                attempts[(attempt.learner_id, attempt.scenario_id)] = attempt
            else:
                elsewhere.add((attempt.learner_id, attempt.scenario_id))
    now = utcnow()
    rows = []
    for learner in learners:
        row = Row(learner)
        for column in columns:
            key = (learner.id, column.assignment.scenario_id)
            attempt = attempts.get(key)
            if attempt is None:
                row.cells.append(Cell(None, "other_group" if key in elsewhere else "not_assigned"))
                continue
            row.cells.append(
                Cell(
                    attempt,
                    attempt.progress,
                    attempt.latest_score,
                    due_of(attempt),
                    is_overdue(attempt, now),
                )
            )
        rows.append(row)
    sort = _sort_rows(rows, columns, sort)
    return Grid(group, columns, rows, sort)


def _grid_columns(group: Group) -> list[Column]:
    """One column per scenario set for the group, in the order they were first set."""
    set_for_group = db.session.scalars(
        select(Assignment)
        .where(Assignment.group_id == group.id)
        .order_by(Assignment.created_at, Assignment.id)
    )
    columns: list[Column] = []
    seen = set()
    for assignment in set_for_group:
        if assignment.scenario_id not in seen:  # set twice for different learners: one column
            seen.add(assignment.scenario_id)
            columns.append(Column(assignment, f"score-{assignment.id}"))
    return columns


def _sort_rows(rows: list[Row], columns: list[Column], sort: str) -> str:
    """Sort the rows in place by a column's score (best first) or else by name; return the
    sort used."""
    keys = [c.sort_key for c in columns]
    if sort in keys:
        index = keys.index(sort)

        def best_first(r: Row):  # no score last; ties by name
            score = r.cells[index].score
            return (score is None, -(score or 0.0), r.learner.name.lower())

        rows.sort(key=best_first)
    else:
        sort = "name"
        rows.sort(key=lambda r: r.learner.name.lower())
    return sort
