"""External quality assurance: an admin grants an EQA (external verifier) read-only access to
chosen groups for a period; the EQA reads those groups' submitted work, decisions, judgements
and IQA samples, and downloads evidence packs, and every look is in the staff audit log.

A grant runs from `starts_on` to `ends_on` inclusive (UTC days) unless an admin ends it early.
Outside every grant's period the EQA sees nothing: `granted_group_ids` is the one condition
the group and attempt lookups (`groups._visible_groups`, `assessment.lookups`) apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..models import Attempt, EqaGrant, Group, Role, User, db
from ..models.base import utcnow
from .errors import NotFound, ServiceError
from .staff_audit import group_of_sandbox, record_staff_action

SCHEDULED, ACTIVE, EXPIRED, ENDED = "scheduled", "active", "expired", "ended early"
LONGEST_GRANT_DAYS = 366


def today() -> date:
    """The current UTC day: grants are whole days."""
    return utcnow().date()


def granted_group_ids(eqa: User, on: date | None = None):
    """A subquery of the ids of the groups this EQA may read today (or `on` that day)."""
    day = on or today()
    return select(EqaGrant.group_id).where(
        EqaGrant.eqa_id == eqa.id,
        EqaGrant.ended_at.is_(None),
        EqaGrant.starts_on <= day,
        EqaGrant.ends_on >= day,
    )


def status_of(grant: EqaGrant, on: date | None = None) -> str:
    """Where a grant stands: scheduled, active, expired or ended early."""
    day = on or today()
    if grant.ended_at is not None:
        return ENDED
    if day < grant.starts_on:
        return SCHEDULED
    if day > grant.ends_on:
        return EXPIRED
    return ACTIVE


@dataclass
class GrantRow:
    grant: EqaGrant
    group: Group
    status: str


def _rows(query) -> list[GrantRow]:
    found = db.session.execute(query.join(Group, Group.id == EqaGrant.group_id).add_columns(Group))
    return [GrantRow(grant, group, status_of(grant)) for grant, group in found]


def all_grants() -> list[GrantRow]:
    """Every grant, newest first, for the admin's page and the command line."""
    return _rows(select(EqaGrant).order_by(EqaGrant.created_at.desc(), EqaGrant.id.desc()))


def grants_of(eqa: User) -> list[GrantRow]:
    """One EQA's grants, latest ending first: what they see on their home page."""
    return _rows(
        select(EqaGrant)
        .where(EqaGrant.eqa_id == eqa.id)
        .order_by(EqaGrant.ends_on.desc(), EqaGrant.id.desc())
    )


def eqa_accounts() -> list[User]:
    """Active EQA accounts, by name, for the grant form."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.EQA.value, User.active.is_(True))
            .order_by(User.name)
        )
    )


def get_grant(grant_id: int) -> EqaGrant:
    """One grant by id; NotFound otherwise."""
    grant = db.session.get(EqaGrant, grant_id) if 0 < grant_id < 2**31 else None
    if grant is None:
        raise NotFound("No such EQA grant.")
    return grant


def _check_period(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is None or ends_on is None:
        raise ServiceError("Give the first and the last day of the access.", "starts_on")
    if ends_on < starts_on:
        raise ServiceError("The last day is before the first day.", "ends_on")
    if ends_on < today():
        raise ServiceError(
            "The last day has already passed: give a period that is to come.", "ends_on"
        )
    if (ends_on - starts_on).days >= LONGEST_GRANT_DAYS:
        raise ServiceError("Grant at most a year at a time.", "ends_on")


def grant(eqa: User, group: Group, starts_on: date, ends_on: date, *, by: User | None) -> EqaGrant:
    """Let an EQA read one group's assessment from `starts_on` to `ends_on` (inclusive)."""
    if eqa.role_enum != Role.EQA or not eqa.active:
        raise ServiceError("Access can be granted only to an active EQA account.", "eqa")
    _check_period(starts_on, ends_on)
    made = EqaGrant(
        eqa_id=eqa.id,
        group_id=group.id,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by_id=by.id if by is not None else None,
        created_at=utcnow(),
    )
    db.session.add(made)
    db.session.flush()
    record_staff_action(
        "eqa.granted",
        "eqa_grant",
        made.id,
        actor=by,
        group_id=group.id,
        after={"eqa": eqa.email, "group": group.name, "from": starts_on, "until": ends_on},
    )
    return made


def end_grant(made: EqaGrant, *, by: User | None) -> EqaGrant:
    """End a grant now, before its last day; the EQA loses access at once."""
    status = status_of(made)
    if status in (ENDED, EXPIRED):
        raise ServiceError(f"This access has already {'ended' if status == ENDED else 'expired'}.")
    made.ended_at = utcnow()
    db.session.flush()
    record_staff_action(
        "eqa.grant_ended",
        "eqa_grant",
        made.id,
        actor=by,
        group_id=made.group_id,
        before={"until": made.ends_on},
        after={"ended_at": made.ended_at},
    )
    return made


def require_eqa(viewer: User) -> None:
    """Refuse anyone who is not an EQA (the EQA pages' services are theirs only)."""
    if viewer.role_enum != Role.EQA:
        raise ServiceError("Only an external quality assurer has this view.")


def record_viewed(eqa: User, attempt: Attempt) -> None:
    """Log that the EQA opened a piece of work (in the staff audit log)."""
    require_eqa(eqa)
    record_staff_action(
        "eqa.viewed",
        "attempt",
        attempt.id,
        actor=eqa,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
    )


def record_downloaded(eqa: User, attempt: Attempt) -> None:
    """Log that the EQA downloaded the evidence pack of the learner whose work this is."""
    require_eqa(eqa)
    record_staff_action(
        "eqa.downloaded",
        "attempt",
        attempt.id,
        actor=eqa,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
    )


def work_in_group(eqa: User, group_id: int) -> list[Attempt]:
    """The submitted and decided work of one granted group, oldest submission first."""
    from . import groups
    from .assessment.lookups import _visible_attempts

    return list(
        db.session.scalars(
            _visible_attempts(eqa)
            .where(groups.attempts_in_groups([group_id]))
            .order_by(Attempt.submitted_at, Attempt.id)
        )
    )
