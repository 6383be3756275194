"""Who sees which work, and finding it: the assessor's queue and its filters, the one piece of
work a member of staff may open, the group it was set for, its title, and how long it has
waited. Assessors see their own groups' work; admins see everyone's; an EQA the work of the
groups granted to them, during the grant.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ...models import Assignment, Attempt, AttemptStatus, Group, Role, User, db
from ...models.base import utcnow
from .. import groups
from ..errors import NotFound

# Work an assessor may open: submitted, or already decided.
ASSESSABLE = (
    AttemptStatus.SUBMITTED.value,
    AttemptStatus.ASSESSED.value,
    AttemptStatus.RETURNED.value,
)


def _visible_attempts(viewer: User):
    """The one place that decides which attempts a member of staff may assess."""
    query = (
        select(Attempt)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(Attempt.status.in_(ASSESSABLE))
    )
    if viewer.role_enum == Role.ADMIN:
        return query
    if viewer.role_enum in (Role.ASSESSOR, Role.EQA):  # an EQA: the groups granted, today
        return query.where(groups.attempts_in_groups(groups.staff_group_ids(viewer)))
    return query.where(False)


def visible_attempts_of(viewer: User, learner: User) -> list[Attempt]:
    """The learner's attempts this assessor may open (their groups' work, submitted or
    decided; every learner's for an admin), oldest first."""
    return list(
        db.session.scalars(
            _visible_attempts(viewer)
            .where(Attempt.learner_id == learner.id)
            .order_by(Attempt.assigned_at, Attempt.id)
        )
    )


def queue(
    viewer: User,
    group_id: int | None = None,
    scenario_id: str | None = None,
    older_than_days: int | None = None,
) -> list[Attempt]:
    """Submitted work waiting for this assessor (admins: everyone's), oldest first, optionally
    only one group's, one scenario's, or work submitted more than N days ago."""
    query = _visible_attempts(viewer).where(Attempt.status == AttemptStatus.SUBMITTED.value)
    if group_id is not None:
        query = query.where(groups.attempts_in_groups([group_id]))
    if scenario_id:
        query = query.where(Attempt.scenario_id == scenario_id)
    if older_than_days:
        query = query.where(Attempt.submitted_at <= utcnow() - timedelta(days=older_than_days))
    return list(db.session.scalars(query.order_by(Attempt.submitted_at, Attempt.id)))


def queue_scenarios(viewer: User) -> list[tuple[str, str]]:
    """(scenario id, title) of the scenarios this assessor has work for, for the filter."""
    rows = db.session.execute(
        _visible_attempts(viewer)
        .with_only_columns(Attempt.scenario_id, Assignment.title)
        .distinct()
        .order_by(Attempt.scenario_id)
    )
    titles: dict[str, str] = {}
    for scenario_id, title in rows:
        titles.setdefault(scenario_id, title or scenario_id)
    return list(titles.items())


def attempt_for_assessor(viewer: User, attempt_id: int) -> Attempt:
    """One piece of submitted or decided work this assessor may open; NotFound otherwise
    (another group's work, work still in progress, or no such attempt)."""
    attempt = db.session.scalar(_visible_attempts(viewer).where(Attempt.id == attempt_id))
    if attempt is None:
        raise NotFound("No such submission.")
    return attempt


def group_of(attempt: Attempt, viewer: User) -> Group | None:
    """The group the work was set for (or, for work set to the learner personally, the first
    of their groups this person sees: never another group's name)."""
    if attempt.assignment is not None and attempt.assignment.group_id is not None:
        return db.session.get(Group, attempt.assignment.group_id)
    visible = {g.id for g in groups.groups_for(viewer, include_archived=True)}
    found = [g for g in groups.groups_of_learner(attempt.learner) if g.id in visible]
    return found[0] if found else None


def title_of(attempt: Attempt) -> str:
    """The scenario's title as the learner saw it."""
    if attempt.assignment is not None:
        return attempt.assignment.title
    return attempt.sandbox.title or attempt.scenario_id


def days_waiting(attempt: Attempt, now: datetime | None = None) -> int:
    """Whole days since the work was submitted."""
    if attempt.submitted_at is None:
        return 0
    return ((now or utcnow()) - attempt.submitted_at).days
