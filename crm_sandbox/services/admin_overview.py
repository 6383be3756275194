"""What the administrator's pages read: a page of accounts, and the dashboard's counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..models import Attempt, AttemptStatus, Group, Role, User, db
from . import accounts, groups

USERS_PER_PAGE = 25


@dataclass
class UserPage:
    users: list[User]
    page: int
    pages: int
    total: int


def user_page(role: str = "", search: str = "", page: int = 1) -> UserPage:
    """One page of accounts by role and name, optionally one role's or those whose name or
    email holds `search` (any case); a page past the last shows the last."""
    query = select(User)
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    search = (search or "").strip()[:254]
    if search:
        like = (
            "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(User.name).like(like, escape="\\"),
                func.lower(User.email).like(like, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // USERS_PER_PAGE))
    page = min(max(1, page), pages)
    users = db.session.scalars(
        query.order_by(User.role, User.name, User.id)
        .limit(USERS_PER_PAGE)
        .offset((page - 1) * USERS_PER_PAGE)
    )
    return UserPage(list(users), page, pages, total)


@dataclass
class Overview:
    counts: dict[Role, int]
    disabled: int
    groups_active: int
    groups_archived: int
    groups_without_assessor: list[Group]
    waiting: int


def overview() -> Overview:
    """The dashboard's figures: accounts by role, disabled accounts, groups, the active groups
    nobody assesses, and submissions waiting for a decision."""
    all_groups = list(db.session.scalars(select(Group).order_by(Group.name)))
    active = [g for g in all_groups if not g.archived]
    lacking = groups.groups_without_reviewer(active)
    return Overview(
        counts=accounts.count_by_role(),
        disabled=db.session.scalar(select(func.count(User.id)).where(User.active.is_(False))),
        groups_active=len(active),
        groups_archived=len(all_groups) - len(active),
        groups_without_assessor=[g for g in active if g.id in lacking],
        waiting=db.session.scalar(
            select(func.count(Attempt.id)).where(Attempt.status == AttemptStatus.SUBMITTED.value)
        ),
    )
