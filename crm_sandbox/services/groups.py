"""Groups: who owns them and who can see them."""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Group, Role, User, db, group_assessors, group_members
from .errors import NotFound, ServiceError
from .staff_audit import record_staff_action

GROUP_NAME_MAX = 120


def _visible_groups(viewer: User):
    """The one place that decides which groups a member of staff may see."""
    query = select(Group)
    if viewer.role_enum == Role.ADMIN:
        return query
    if viewer.role_enum == Role.TUTOR:
        return query.where(Group.tutor_id == viewer.id)
    if viewer.role_enum == Role.ASSESSOR:
        return query.join(group_assessors).where(group_assessors.c.user_id == viewer.id)
    return query.where(False)  # learners see no group pages


def groups_for(viewer: User, include_archived: bool = False) -> list[Group]:
    """The groups this person may see, by name."""
    query = _visible_groups(viewer)
    if not include_archived:
        query = query.where(Group.archived.is_(False))
    return list(db.session.scalars(query.order_by(Group.name)))


def get_group(viewer: User, group_id: int) -> Group:
    """One group this person may see; NotFound for any other (even if it exists)."""
    group = db.session.scalar(_visible_groups(viewer).where(Group.id == group_id))
    if group is None:
        raise NotFound("No such group.")
    return group


def learner_counts(groups: list[Group]) -> dict[int, int]:
    """How many learners each group has, in one query."""
    if not groups:
        return {}
    rows = db.session.execute(
        select(group_members.c.group_id, func.count())
        .where(group_members.c.group_id.in_([g.id for g in groups]))
        .group_by(group_members.c.group_id)
    )
    return {group_id: count for group_id, count in rows}


def find_group(name: str) -> Group | None:
    """The group with exactly this name (any case), or None."""
    return db.session.scalar(select(Group).where(func.lower(Group.name) == name.strip().lower()))


def create_group(*, name: str, tutor: User) -> Group:
    """Create a group owned by a tutor; names are unique across the college."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter a group name.", field="name")
    if len(name) > GROUP_NAME_MAX:
        raise ServiceError(f"A group name can be at most {GROUP_NAME_MAX} characters.", "name")
    if tutor.role_enum != Role.TUTOR:
        raise ServiceError(f"{tutor.email} is not a tutor, so cannot own a group.", "tutor")
    if find_group(name) is not None:
        raise ServiceError(f"A group called {name!r} already exists.", field="name")
    group = Group(name=name, tutor_id=tutor.id)
    db.session.add(group)
    db.session.flush()
    record_staff_action(
        "group.created",
        "group",
        group.id,
        group_id=group.id,
        after={"name": group.name, "tutor": tutor.email},
    )
    return group


def add_member(group: Group, user: User) -> None:
    """Put a learner in a group, or assign an assessor to it."""
    if user.role_enum == Role.LEARNER:
        if user in group.learners:
            return
        group.learners.append(user)
        verb, learner_id, after = "group.learner_added", user.id, None
    elif user.role_enum == Role.ASSESSOR:
        if user in group.assessors:
            return
        group.assessors.append(user)
        verb, learner_id, after = "group.assessor_added", None, {"assessor": user.email}
    else:
        raise ServiceError(f"Only learners and assessors join groups, not a {user.role}.", "role")
    db.session.flush()
    record_staff_action(
        verb, "user", user.id, group_id=group.id, learner_id=learner_id, after=after
    )


def groups_of_learner(learner: User) -> list[Group]:
    """The active groups a learner belongs to."""
    return list(
        db.session.scalars(
            select(Group)
            .join(group_members)
            .where(group_members.c.user_id == learner.id, Group.archived.is_(False))
            .order_by(Group.name)
        )
    )
