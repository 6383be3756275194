"""A learner's attempt as its tutor sees it: finding it, its log, its sandbox's contacts and
complaints, and starting it again.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ...models import Assignment, Attempt, Complaint, Contact, User, db
from ...scenarios import engine
from .. import groups, log_words
from ..errors import NotFound, ServiceError
from .viewers import _is_admin

RESET_REASON_MAX = 500
LOG_LIMIT = 500
CONTACTS_PER_PAGE = 100


def get_attempt(viewer: User, attempt_id: int) -> Attempt:
    """An attempt that belongs to one of the tutor's groups (`groups.attempts_in_groups`; any
    attempt for an admin); NotFound for any other, including another group's attempt of a
    learner who is in both groups."""
    query = (
        select(Attempt)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(Attempt.id == attempt_id)
    )
    if not _is_admin(viewer):
        query = query.where(groups.attempts_in_groups(groups.staff_group_ids(viewer)))
    attempt = db.session.scalar(query)
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def attempt_timeline(attempt: Attempt, limit: int = LOG_LIMIT) -> list[log_words.Described]:
    """The attempt's sandbox log in words, newest first (the most recent `limit` entries)."""
    return log_words.timeline(attempt.sandbox_id, newest_first=True, limit=limit)


def reset_attempt(attempt: Attempt, tutor: User, reason: str) -> Attempt:
    """Start the learner's scenario again in the same sandbox; the reason goes in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for the reset (it is recorded).", "reason")
    if len(reason) > RESET_REASON_MAX:
        raise ServiceError(f"Keep the reason under {RESET_REASON_MAX} characters.", "reason")
    return engine.reset_attempt(attempt, tutor, reason)


def sandbox_contacts(attempt: Attempt, page: int = 1) -> tuple[list[Contact], int, int]:
    """One page of the attempt sandbox's contacts by name, how many there are, and which page
    that is: a page number below the first or past the last (a typed or stale address) shows
    the first or the last page."""
    where = Contact.sandbox_id == attempt.sandbox_id
    total = db.session.scalar(select(func.count()).select_from(Contact).where(where)) or 0
    last_page = max(1, -(-total // CONTACTS_PER_PAGE))
    page = min(max(page, 1), last_page)
    found = db.session.scalars(
        select(Contact)
        .where(where)
        .order_by(Contact.sort_name, Contact.id)
        .offset((page - 1) * CONTACTS_PER_PAGE)
        .limit(CONTACTS_PER_PAGE)
    )
    return list(found), total, page


def sandbox_complaints(attempt: Attempt) -> list[Complaint]:
    """The attempt sandbox's complaints, newest first."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.sandbox_id == attempt.sandbox_id)
            .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        )
    )
