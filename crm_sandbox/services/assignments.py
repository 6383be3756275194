"""Assigning scenarios to learners and finding their attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..models import Assignment, Attempt, User, db
from ..scenarios import engine
from ..scenarios.loader import library, library_source
from .errors import NotFound, ServiceError
from .staff_audit import record_staff_action


def scenario_source(scenario_id: str) -> tuple[object, str]:
    """The library scenario with this id and its file text."""
    found = library_source(scenario_id)
    if found is None:
        known = ", ".join(sorted(library())) or "none"
        raise ServiceError(f"No scenario {scenario_id!r} in the library (known: {known}).")
    return found


def assign(
    scenario_id: str,
    learners: list[User],
    set_by: User | None,
    due_at: datetime | None = None,
    group_id: int | None = None,
) -> int:
    """Assign a library scenario (see `assign_scenario`)."""
    scenario, source = scenario_source(scenario_id)
    return assign_scenario(scenario, source, learners, set_by, due_at, group_id)


def assign_scenario(
    scenario,
    source: str,
    learners: list[User],
    set_by: User | None,
    due_at: datetime | None = None,
    group_id: int | None = None,
) -> int:
    """Create an assignment and an attempt (with its own sandbox) for each learner; learners
    who already have an attempt at it keep theirs. Returns how many were started."""

    for learner in learners:
        if learner.role != "learner":
            raise ServiceError(f"{learner.email} is not a learner.")
    have = set(
        db.session.scalars(
            select(Attempt.learner_id).where(
                Attempt.scenario_id == scenario.id, Attempt.learner_id.in_([u.id for u in learners])
            )
        )
    )
    needing = [u for u in learners if u.id not in have]
    if not needing:
        return 0
    assignment = Assignment(
        scenario_id=scenario.id,
        title=scenario.title,
        group_id=group_id,
        set_by_id=set_by.id if set_by else None,
        due_at=due_at,
    )
    db.session.add(assignment)
    db.session.flush()
    for learner in needing:
        engine.start_attempt(learner, scenario, source, assignment.id)
    record_staff_action(
        "assignment.created",
        "assignment",
        assignment.id,
        actor=set_by,
        group_id=group_id,
        learner_id=needing[0].id if len(needing) == 1 else None,
        after={
            "scenario_id": scenario.id,
            "due_at": due_at,
            "learner_ids": [u.id for u in needing],
        },
    )
    return len(needing)


def attempts_of(learner: User) -> list[Attempt]:
    """The learner's own attempts, newest first, for their list of scenario work."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.learner_id == learner.id)
            .order_by(Attempt.assigned_at.desc(), Attempt.id.desc())
        )
    )


def attempt_for(learner: User, attempt_id: int) -> Attempt:
    """One of the learner's own attempts; NotFound for anyone else's."""
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.id == attempt_id, Attempt.learner_id == learner.id)
    )
    if attempt is None:
        raise NotFound("No such scenario.")
    return attempt


def attempt_for_sandbox(sandbox_id: int) -> Attempt | None:
    """The attempt a sandbox was made for, or None for a free-practice sandbox, so its
    scenario's timed events can run."""
    return db.session.scalar(select(Attempt).where(Attempt.sandbox_id == sandbox_id))
