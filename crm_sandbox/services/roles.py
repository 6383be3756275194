"""Accounts as an admin manages them in the browser: creating one with a first password, and
changing its role (what happens to the groups a tutor owns or an assessor assesses, and the
rule that the college always keeps an admin)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..models import Group, Role, Sandbox, User, db, group_assessors, group_members
from . import accounts, groups, personal_data
from .errors import ServiceError
from .staff_audit import account_values, record_staff_action


@dataclass
class RoleChange:
    """What a role change did besides the role: the groups the account stopped assessing."""

    user: User
    before: Role
    after: Role
    assessor_groups_left: list[Group] = field(default_factory=list)


def create_account(
    *, name: str, email: str, role: str, password: str = "", by: User | None
) -> tuple[User, str]:
    """An admin creates an account (`accounts.create_user`, staff-audited there) with the
    password they typed, or a generated one when blank; returns the account and the first
    password, to show once."""
    if by is not None and by.role_enum != Role.ADMIN:
        raise ServiceError("Only an admin can create accounts.")
    first = password or accounts.generate_password()
    # The admin has seen this password, so it is one the user must change at first sign-in.
    user = accounts.create_user(
        name=name, email=email, role=role, password=first, must_change_password=True
    )
    return user, first


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id
        )
    )


def owned_groups(user: User) -> list[Group]:
    """The groups (archived ones too) this account owns as their tutor."""
    return list(
        db.session.scalars(select(Group).where(Group.tutor_id == user.id).order_by(Group.name))
    )


def assessed_groups(user: User) -> list[Group]:
    """The groups this account is assigned to as an assessor."""
    return list(
        db.session.scalars(
            select(Group)
            .join(group_assessors, group_assessors.c.group_id == Group.id)
            .where(group_assessors.c.user_id == user.id)
            .order_by(Group.name)
        )
    )


def _check_learner_leaving(user: User) -> None:
    """A learner's account carries their work: it may become staff only while it has none."""
    in_groups = db.session.scalar(
        select(func.count()).select_from(group_members).where(group_members.c.user_id == user.id)
    )
    sandboxes = db.session.scalar(select(func.count(Sandbox.id)).where(Sandbox.owner_id == user.id))
    if in_groups or sandboxes:
        raise ServiceError(
            f"{user.name} is a learner with work or groups ({_count(in_groups, 'group')}, "
            f"{_count(sandboxes, 'sandbox', 'sandboxes')}): their account stays a learner's. "
            "Create a separate "
            "staff account for them instead.",
            field="role",
        )


def _check_change(user: User, new: Role) -> None:
    if personal_data.is_erased(user):
        raise ServiceError("This account has been erased; its role cannot change.")
    if new == user.role_enum:
        raise ServiceError(f"{user.name} is already {_a(new)}.", field="role")
    if user.role_enum == Role.LEARNER:
        _check_learner_leaving(user)
    if user.role_enum == Role.ADMIN and _active_admins_besides(user) == 0:
        raise ServiceError(
            f"{user.name} is the last enabled admin: make another account an admin first, "
            "or nobody could manage accounts.",
            field="role",
        )
    owned = owned_groups(user)
    if owned:
        names = ", ".join(repr(g.name) for g in owned)
        raise ServiceError(
            f"{user.name} is the tutor of {_count(len(owned), 'group')} ({names}), archived "
            "ones included. Give each group another tutor first (the group's page, 'Tutor'); "
            "then change the role.",
            field="role",
        )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _a(role: Role) -> str:
    return ("an " if role.value[0] in "aeiou" else "a ") + role.value


def change_role(user: User, role: str | Role, *, by: User | None) -> RoleChange:
    """Change an account's role, as an admin (or the command line, `by` None). Refused for the
    last enabled admin, for a tutor who still owns groups (they are given another tutor
    first), and for a learner who has work or groups. An assessor who stops being one is
    taken off the groups they assessed (each removal audited)."""
    if by is not None and by.role_enum != Role.ADMIN:
        raise ServiceError("Only an admin can change a role.")
    new = accounts.parse_role(role.value if isinstance(role, Role) else role)
    _check_change(user, new)
    old = user.role_enum
    before = account_values(user)
    change = RoleChange(user, old, new)
    if old == Role.ASSESSOR:
        for group in assessed_groups(user):
            groups.remove_assessor(group, user, by=by)
            change.assessor_groups_left.append(group)
    user.role = new.value
    db.session.flush()
    record_staff_action(
        "account.role_changed",
        "user",
        user.id,
        actor=by,
        learner_id=user.id if Role.LEARNER in (old, new) else None,
        before=before,
        after=account_values(user),
    )
    return change
