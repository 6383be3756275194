"""Writing a checked import: every account, group and membership in one short transaction
of a handful of statements, and the command line's whole import in this process.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select

from ...models import Group, Role, User, db, group_assessors, group_members
from ...models.base import utcnow
from .. import accounts, groups
from ..errors import ServiceError
from ..staff_audit import record_staff_actions
from .checking import ImportResult, Row, _group_problems, _taken_emails, check
from .passwords import hash_passwords


def _users_by_email(emails: list[str]) -> dict[str, User]:
    """The accounts with these (normalised) emails, a query per 500."""
    found: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(
            (u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    return found


def write(
    rows: list[Row],
    hashes: list[str],
    default_tutor: User | None = None,
    by: User | None = None,
) -> ImportResult:
    """Create every account (with its hashed first password) and group, or none: the rows
    are checked again first, since other users may have taken an email or made a group since
    `check`. The caller commits on success and rolls back otherwise; `created` pairs each
    user with an empty password (the caller knows the passwords).

    It runs inside the write lock, so it is a handful of statements whatever the size: one
    batched INSERT of the accounts, one per new group, one of the memberships (the rows were
    validated by `check`; the email's unique index still refuses a duplicate). Each account
    and membership is on the staff audit log as made by `by` (None: the command line)."""
    result = ImportResult()
    result.problems = sorted(
        _taken_emails(rows) + _group_problems(rows, default_tutor), key=lambda p: p.line
    )
    if result.problems:
        return result
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "name": row.name,
                "email": row.email,
                "role": row.role.value,
                "password_hash": password_hash,
                "active": True,
                # The importer saw the first password: its owner chooses their own at sign-in.
                "must_change_password": True,
                "created_at": now,
            }
            for row, password_hash in zip(rows, hashes, strict=True)
        ],
    )
    created = _users_by_email([row.email for row in rows])
    result.created = [(created[row.email], "") for row in rows]
    owner_rows = {r.group.lower(): r for r in rows if r.role == Role.TUTOR and r.group}
    group_of: dict[str, Group] = {}
    members, assessors = [], []
    for row in rows:
        if not row.group:
            continue
        key = row.group.lower()
        if key not in group_of:
            group = groups.find_group(row.group)
            if group is None:
                owner_row = owner_rows.get(key)
                owner = created[owner_row.email] if owner_row else default_tutor
                group = groups.create_group(name=row.group, tutor=owner, by=by)
                result.groups_created.append(group.name)
            group_of[key] = group
        link = {"group_id": group_of[key].id, "user_id": created[row.email].id}
        if row.role == Role.LEARNER:
            members.append(link)
        elif row.role == Role.ASSESSOR:
            assessors.append(link)
        elif row.role == Role.ADMIN:
            raise ServiceError("admins do not belong to groups")  # refused by `check`
    for table, links in ((group_members, members), (group_assessors, assessors)):
        if links:
            db.session.execute(insert(table), links)
    for group in group_of.values():
        db.session.expire(group, ["learners", "assessors"])
    _record_on_audit_log(rows, created, group_of, by)
    return result


def _record_on_audit_log(rows: list[Row], created: dict, group_of: dict, by: User | None) -> None:
    """The staff audit rows of an import, batched: each account made, and each membership."""
    actions = []
    for row in rows:
        user = created[row.email]
        learner_id = user.id if row.role == Role.LEARNER else None
        actions.append(
            dict(
                verb="account.created",
                object_type="user",
                object_id=user.id,
                actor=by,
                learner_id=learner_id,
                after=accounts.account_values(user),
            )
        )
        if row.group and row.role in (Role.LEARNER, Role.ASSESSOR):
            learner = row.role == Role.LEARNER
            actions.append(
                dict(
                    verb="group.learner_added" if learner else "group.assessor_added",
                    object_type="user",
                    object_id=user.id,
                    actor=by,
                    group_id=group_of[row.group.lower()].id,
                    learner_id=learner_id,
                    after=None if learner else {"assessor": user.email},
                )
            )
    record_staff_actions(actions)


def import_users(
    data: bytes,
    default_tutor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check, hash and write a whole file in this process (the command line's import): the
    checking transaction ends before hashing, so the write lock is held only by `write`.

    The caller commits on success (rolls back otherwise); `created` pairs each user with
    their first password."""
    rows, problems = check(data, default_tutor)
    default_tutor_id = default_tutor.id if default_tutor is not None else None
    db.session.rollback()  # nothing was written: only ends the checking transaction
    if problems:
        return ImportResult(problems=problems)
    passwords = [accounts.generate_password() for _ in rows]
    total = len(rows)
    hashes = hash_passwords(passwords, (lambda done: progress(done, total)) if progress else None)
    tutor = db.session.get(User, default_tutor_id) if default_tutor_id is not None else None
    result = write(rows, hashes, tutor)
    if result.ok:
        by_email = dict(zip((r.email for r in rows), passwords, strict=True))
        result.created = [(user, by_email[user.email]) for user, _ in result.created]
    return result
