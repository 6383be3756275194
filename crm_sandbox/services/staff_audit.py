"""The staff audit log: every change staff make to accounts, groups, assignments, due dates,
sandboxes and scenarios, appended in the same transaction as the change.

Who acted: the user a service is given, else the signed-in user of the web request, else the
command line (`crm-sandbox ...` runs with nobody signed in). Staff are recorded with their
email and role as they were then, so a later change or erasure of the account does not lose
who did it. A learner's email or name is never copied into a row (a learner acting on their
own account is recorded by id only), so erasing a learner leaves the rows as they are: the
learner id stays and names the anonymised account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context
from sqlalchemy import func, insert, or_, select

from ..models import Assignment, Attempt, Group, Role, StaffAuditEntry, User, db
from ..models.base import utcnow
from ..scoping import MAX_ID
from .action_log import canonical_json
from .errors import ServiceError

COMMAND_LINE = "command-line"
PAGE_SIZE = 50
PAGE_SIZE_MAX = 500

# Every verb written, with how the admin page names it (the filter lists them in this order).
VERBS = {
    "account.created": "Account created",
    "account.enabled": "Account enabled",
    "account.disabled": "Account disabled",
    "account.password_changed": "Password changed",
    "account.password_reset": "Password reset (one-time password given)",
    "account.password_set": "Password set from the command line",
    "account.email_changed": "Email changed",
    "account.erased": "Personal data erased",
    "account.role_changed": "Role changed",
    "group.created": "Group created",
    "group.renamed": "Group renamed",
    "group.archived": "Group archived",
    "group.restored": "Group restored",
    "group.learner_added": "Learner added to group",
    "group.assessor_added": "Assessor assigned to group",
    "group.assessor_removed": "Assessor removed from group",
    "group.tutor_changed": "Group's tutor changed",
    "backup.taken": "Backup taken",
    "backup.downloaded": "Backup downloaded",
    "assignment.created": "Scenario assigned",
    "attempt.due_changed": "Due date changed",
    "sandbox.reset": "Sandbox reset by staff",
    "scenario.uploaded": "Scenario written or uploaded",
    "scenario.edited": "Scenario edited",
    "scenario.published": "Scenario published",
    "assessment.reviewed": "Decision quality-reviewed",
    "iqa.plan_set": "IQA sampling plan set",
    "eqa.granted": "EQA access granted",
    "eqa.grant_ended": "EQA access ended early",
    "eqa.viewed": "EQA viewed work",
    "eqa.downloaded": "EQA downloaded an evidence pack",
    "lti.registration_created": "LTI platform registered",
    "lti.registration_changed": "LTI platform registration changed",
    "lti.registration_deactivated": "LTI platform deactivated",
    "lti.registration_activated": "LTI platform activated again",
    "lti.roster_imported": "Course members added from the learning platform",
    "outbox.resent": "Refused outbox message sent again",
    "background_job.run_again": "Failed background task run again",
}

# What the learner's evidence pack shows of this log: what staff did to their attempts.
ATTEMPT_VERBS = ("assignment.created", "attempt.due_changed", "sandbox.reset")


def _acting_user(actor):
    if actor is not None:
        return actor
    if has_request_context():
        # Imported here: the services run without Flask-Login (command line, tests).
        from flask_login import current_user

        if current_user.is_authenticated:
            return current_user
    return None


def _plain(values: dict | None) -> dict | None:
    """The values as JSON would give them back (dates as ISO text), so a row reads the same
    straight after it is written as after a reload."""
    if values is None:
        return None
    return json.loads(canonical_json(values))


def record_staff_action(verb: str, object_type: str, object_id: int | None, **details):
    """Append one row to the staff audit log in the caller's transaction (flushes, does not
    commit), so the row is saved exactly when the change is. `details` are `_values`'s
    (actor, group_id, learner_id, before, after); `actor` defaults to the signed-in user of
    the request, else the command line."""
    entry = StaffAuditEntry(**_values(verb, object_type, object_id, **details))
    db.session.add(entry)
    db.session.flush()
    return entry


def record_staff_actions(actions: list[dict]) -> None:
    """Append many rows at once (each dict holds `record_staff_action`'s arguments by name),
    in one flush: a 1,000-account import writes them in a few batched statements while it
    holds the write lock, not one statement per row."""
    if actions:
        db.session.execute(
            insert(StaffAuditEntry.__table__), [_values(**action) for action in actions]
        )


def _values(
    verb: str,
    object_type: str,
    object_id: int | None,
    *,
    actor=None,
    group_id: int | None = None,
    learner_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> dict:
    if verb not in VERBS:
        raise ValueError(f"unknown staff audit verb {verb!r}")  # a programming error
    who = _acting_user(actor)
    if who is None:
        actor_id, actor_email, actor_role = None, None, COMMAND_LINE
    else:
        actor_id, actor_role = who.id, who.role
        actor_email = None if who.role == Role.LEARNER.value else who.email
    return dict(
        real_time=utcnow(),
        actor_id=actor_id,
        actor_email=actor_email,
        actor_role=actor_role,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        group_id=group_id,
        learner_id=learner_id,
        before=_plain(before),
        after=_plain(after),
    )


def account_values(user: User) -> dict:
    """What a row keeps about an account: the role, and the email only for staff (a
    learner's email would have to be erased with them, and this log changes for nobody)."""
    values = {"role": user.role}
    if user.role != Role.LEARNER.value:
        values["email"] = user.email
    return values


def group_of_sandbox(sandbox_id: int) -> int | None:
    """The group an attempt's sandbox was assigned through, if any (for filtering by group)."""
    return db.session.scalar(
        select(Assignment.group_id)
        .join(Attempt, Attempt.assignment_id == Assignment.id)
        .where(Attempt.sandbox_id == sandbox_id)
    )


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Filters:
    """What the admin page and `crm-sandbox audit list` filter by (all optional)."""

    actor: str = ""  # an email: the actor as recorded then, or the account's email now
    verb: str = ""
    group_id: int | None = None
    since: date | None = None  # from the start of this day, UTC
    until: date | None = None  # to the end of this day, UTC


@dataclass
class Page:
    entries: list[StaffAuditEntry]
    next_before: int | None  # the id to ask `before=` for the next (older) page; None: last


def parse_day(value: str | None, label: str) -> date | None:
    """A YYYY-MM-DD day from a filter, or None when blank; ServiceError when unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"{label}: give a date as YYYY-MM-DD, e.g. 2026-12-01.", label) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(filters: Filters):
    query = select(StaffAuditEntry)
    if filters.actor.strip():
        email = filters.actor.strip().lower()
        account_ids = select(User.id).where(func.lower(User.email) == email)
        query = query.where(
            or_(
                func.lower(StaffAuditEntry.actor_email) == email,
                StaffAuditEntry.actor_id.in_(account_ids),
            )
        )
    if filters.verb:
        if filters.verb not in VERBS:
            raise ServiceError("Choose an action from the list.", "verb")
        query = query.where(StaffAuditEntry.verb == filters.verb)
    if filters.group_id is not None:
        query = query.where(StaffAuditEntry.group_id == filters.group_id)
    if filters.since is not None:
        query = query.where(StaffAuditEntry.real_time >= _start_of(filters.since))
    if filters.until is not None:
        query = query.where(StaffAuditEntry.real_time < _start_of(filters.until + timedelta(1)))
    if filters.since and filters.until and filters.since > filters.until:
        raise ServiceError("The 'from' date is after the 'to' date.", "since")
    return query


def list_entries(
    filters: Filters = Filters(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of matching rows, newest first (ids grow with time). Keyset paging: pass the
    page's `next_before` as `before` for the next, older page."""
    limit = max(1, min(int(limit), PAGE_SIZE_MAX))
    for number in (filters.group_id, before):
        # ids are database integers: a larger one (from an address) matches nothing, and
        # PostgreSQL would refuse to compare it at all
        if number is not None and not 0 < number <= MAX_ID:
            raise ServiceError("No group or page has that number; nothing was filtered.")
    query = _filtered(filters)
    if before is not None:
        query = query.where(StaffAuditEntry.id < before)
    rows = list(db.session.scalars(query.order_by(StaffAuditEntry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more else None)


def for_attempt(attempt: Attempt) -> list[StaffAuditEntry]:
    """What staff did to one attempt, oldest first: the assignment (with its due date), due
    date changes and resets of its sandbox."""
    about = [
        (StaffAuditEntry.object_type == "attempt") & (StaffAuditEntry.object_id == attempt.id),
        (StaffAuditEntry.object_type == "sandbox")
        & (StaffAuditEntry.object_id == attempt.sandbox_id),
    ]
    if attempt.assignment_id is not None:
        about.append(
            (StaffAuditEntry.object_type == "assignment")
            & (StaffAuditEntry.object_id == attempt.assignment_id)
        )
    return list(
        db.session.scalars(
            select(StaffAuditEntry)
            .where(or_(*about), StaffAuditEntry.verb.in_(ATTEMPT_VERBS))
            .order_by(StaffAuditEntry.id)
        )
    )


def actor_label(entry: StaffAuditEntry) -> str:
    """Who acted, as recorded then: "email (role)", a learner by account id, or the command
    line."""
    if entry.actor_role == COMMAND_LINE:
        return "command line"
    if entry.actor_email:
        return f"{entry.actor_email} ({entry.actor_role})"
    return f"account {entry.actor_id} ({entry.actor_role})"


def describe(values: dict | None) -> str:
    """Before or after values as one line of text (for the page, the CLI and the PDF)."""
    if not values:
        return ""
    return "; ".join(f"{key}: {_show(value)}" for key, value in values.items())


def _show(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "-"
    return str(value)


def group_names(entries: list[StaffAuditEntry]) -> dict[int, str]:
    """The names of the groups these rows concern, in one query."""
    ids = {e.group_id for e in entries if e.group_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Group.id, Group.name).where(Group.id.in_(ids))).all())


def learner_names(entries: list[StaffAuditEntry]) -> dict[int, str]:
    """The current names of the learners these rows concern ("Erased user" once erased)."""
    ids = {e.learner_id for e in entries if e.learner_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def entry_json(entry: StaffAuditEntry) -> dict:
    """A row as plain JSON (the CLI's --json and the evidence pack)."""
    return {
        "id": entry.id,
        "real_time": entry.real_time.isoformat(),
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "actor_role": entry.actor_role,
        "verb": entry.verb,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "group_id": entry.group_id,
        "learner_id": entry.learner_id,
        "before": entry.before,
        "after": entry.after,
    }
