"""Setting scenarios for a group with a due date, and moving a learner's due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from ...models import Attempt, AttemptStatus, AuthoredScenario, Group, User, db
from ...models.base import utcnow
from ...scenarios.loader import library
from .. import action_log, assignments
from ..context import SandboxContext
from ..errors import ServiceError
from ..staff_audit import group_of_sandbox, record_staff_action
from .authoring import parse


@dataclass(frozen=True)
class AssignableScenario:
    """A scenario a tutor may set: from the library, or `authored` by a tutor."""

    id: str
    title: str
    authored: bool


def assignable_scenarios() -> list[AssignableScenario]:
    """The library's scenarios, then the published ones tutors wrote."""
    shipped = [AssignableScenario(s.id, s.title, False) for s in library().values()]
    shipped.sort(key=lambda s: s.title.lower())
    taken = {s.id for s in shipped}
    written = db.session.scalars(
        select(AuthoredScenario)
        .where(AuthoredScenario.status == "published")
        .order_by(func.lower(AuthoredScenario.title))
    )
    return shipped + [
        AssignableScenario(a.scenario_id, a.title, True)
        for a in written
        if a.scenario_id not in taken
    ]


def end_of_day(day: date) -> datetime:
    """A due date as the last second of that day, UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _due_from(day: date | None) -> datetime | None:
    if day is None:
        return None
    due = end_of_day(day)
    if due < utcnow():
        raise ServiceError("The due date has passed; choose today or a later day.", "due")
    return due


def due_of(attempt: Attempt) -> datetime | None:
    """When this learner's attempt is due: their own date, else the assignment's."""
    if attempt.due_at is not None:
        return attempt.due_at
    return attempt.assignment.due_at if attempt.assignment is not None else None


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Past its due date and not handed in."""
    due = due_of(attempt)
    open_states = (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value)
    return due is not None and attempt.status in open_states and due < (now or utcnow())


def start_authored_attempts(
    authored: AuthoredScenario,
    learners: list[User],
    set_by: User | None,
    due_at: datetime | None = None,
    group_id: int | None = None,
) -> int:
    """Assign a published authored scenario: an assignment, and an attempt with its own
    sandbox for each learner who has none at it yet. Returns how many were started."""
    if authored.status != "published":
        raise ServiceError("Publish the scenario before assigning it.")
    scenario = parse(authored.source, f"{authored.scenario_id}.yaml")
    return assignments.assign_scenario(
        scenario, authored.source, learners, set_by, due_at, group_id
    )


def assign_to_group(
    viewer: User,
    group: Group,
    scenario_id: str,
    learner_ids: list[int] | None,
    due_on: date | None,
) -> int:
    """Set a scenario (library or published authored) for the whole group, or the chosen
    learners of it, with an optional due date. Returns how many sandboxes were provisioned."""
    if learner_ids is None:
        chosen = list(group.learners)
    else:
        wanted = set(learner_ids)
        chosen = [u for u in group.learners if u.id in wanted]
        if not chosen:
            raise ServiceError("Tick at least one learner, or choose the whole group.", "learners")
    if not chosen:
        raise ServiceError("This group has no learners yet.")
    due_at = _due_from(due_on)
    if scenario_id in library():
        return assignments.assign(scenario_id, chosen, viewer, due_at, group.id)
    authored = db.session.scalar(
        select(AuthoredScenario).where(
            AuthoredScenario.scenario_id == scenario_id, AuthoredScenario.status == "published"
        )
    )
    if authored is None:
        raise ServiceError("Choose a scenario from the list.", "scenario")
    return start_authored_attempts(authored, chosen, viewer, due_at, group.id)


def extend_due_date(attempt: Attempt, tutor: User, day: date) -> Attempt:
    """Give this learner a later due date (the end of `day`, UTC), recorded in the log."""
    if attempt.status in (AttemptStatus.SUBMITTED.value, AttemptStatus.ASSESSED.value):
        raise ServiceError("This work has been handed in; there is no due date to extend.")
    if day is None:
        raise ServiceError("Choose the new due date.", "due")
    new_due = end_of_day(day)
    old_due = due_of(attempt)
    if old_due is not None and new_due <= old_due:
        raise ServiceError(f"Choose a day after the current due date ({old_due:%d %b %Y}).", "due")
    if new_due < utcnow():
        raise ServiceError("That day has passed; choose today or a later day.", "due")
    attempt.due_at = new_due
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, tutor),
        "assignment.due_extended",
        "attempt",
        attempt.id,
        before={"due_at": old_due},
        after={"due_at": new_due},
    )
    record_staff_action(
        "attempt.due_changed",
        "attempt",
        attempt.id,
        actor=tutor,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
        before={"due_at": old_due},
        after={"due_at": new_due},
    )
    return attempt
