"""Groups: who owns them, who can see them, who may join them, and which attempts belong
to them.

The group is the boundary between members of staff: a tutor or an assessor sees a learner's
work only through one of their own groups, so a learner in two groups shows each group's
staff only that group's work (`attempts_in_groups`).
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from ..criteria import load_catalogue
from ..models import (
    Assignment,
    Attempt,
    AttemptStatus,
    Group,
    Role,
    User,
    db,
    group_assessors,
    group_members,
)
from ..models.groups import group_name_key
from ..scoping import MAX_ID
from ..wording import article
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
    if viewer.role_enum == Role.EQA:
        from .eqa import granted_group_ids  # eqa imports the staff audit, as this module does

        return query.where(Group.id.in_(granted_group_ids(viewer)))
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
    """The group with this name, whatever its case or Unicode form (`group_name_key`); None
    when there is none (the oldest, should two older names clash)."""
    return db.session.scalar(
        select(Group).where(Group.name_key == group_name_key(name)).order_by(Group.id).limit(1)
    )


def check_group_name(name: str, renaming: Group | None = None) -> str:
    """The name, stripped; ServiceError when it is empty, too long, or the same as another
    group's name but for case, accents' encoding or width."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter a group name.", field="name")
    if len(name) > GROUP_NAME_MAX:
        raise ServiceError(f"A group name can be at most {GROUP_NAME_MAX} characters.", "name")
    existing = find_group(name)
    if existing is not None and (renaming is None or existing.id != renaming.id):
        raise ServiceError(
            f"A group called {existing.name!r} already exists (group names are compared "
            "ignoring capitals); choose another name.",
            field="name",
        )
    return name


def qualification_bodies() -> list[tuple[str, str]]:
    """The catalogue's awarding bodies as (id, name), for choosing a group's qualification."""
    return [(body.id, body.name) for body in load_catalogue().bodies]


def _check_body(body_id: str) -> str:
    if body_id not in {b for b, _ in qualification_bodies()}:
        raise ServiceError("Choose a qualification from the list.", field="body_id")
    return body_id


def create_group(
    *, name: str, tutor: User, by: User | None = None, body_id: str | None = None
) -> Group:
    """Create a group owned by a tutor; names are unique across the college, whatever their
    case (`group_name_key`). `by`: who is acting, when not the signed-in user (a background
    import). `body_id`: the qualification the group studies (one of `qualification_bodies`;
    the model's default when not given)."""
    if body_id is not None:
        _check_body(body_id)
    name = check_group_name(name)
    if tutor.role_enum != Role.TUTOR:
        raise ServiceError(f"{tutor.email} is not a tutor, so cannot own a group.", "tutor")
    group = Group(name=name, tutor_id=tutor.id)
    if body_id is not None:
        group.body_id = body_id
    db.session.add(group)
    db.session.flush()
    record_staff_action(
        "group.created",
        "group",
        group.id,
        actor=by,
        group_id=group.id,
        after={"name": group.name, "tutor": tutor.email, "qualification": group.body_id},
    )
    return group


def check_may_add(by: User | None, group: Group, user: User) -> None:
    """Refuse (ServiceError) a membership this person may not make. An admin, or the command
    line (`by` None: whoever runs it holds the server), may put anyone in any group. A tutor
    may add learners to their own groups only, and only a learner who is in no other tutor's
    group (archived ones too): that learner's tutor, or an admin, adds them instead."""
    if by is None or by.role_enum == Role.ADMIN:
        return
    if by.role_enum != Role.TUTOR or group.tutor_id != by.id:
        raise ServiceError("Only the group's tutor or an admin can add people to it.")
    if user.role_enum != Role.LEARNER:
        raise ServiceError(
            f"{user.email} belongs to {article(user.role)}, not a learner: ask an admin.", "email"
        )
    tutors = list(
        db.session.scalars(
            select(User)
            .join(Group, Group.tutor_id == User.id)
            .join(group_members, group_members.c.group_id == Group.id)
            .where(group_members.c.user_id == user.id, Group.tutor_id != by.id)
            .distinct()
            .order_by(User.name)
        )
    )
    if tutors:
        names = " or ".join(t.name for t in tutors)
        raise ServiceError(
            f"{user.name} is in another tutor's group, so you cannot add them yourself: ask "
            f"{names}, or an admin, to add them to {group.name!r}.",
            "email",
        )


def add_member(group: Group, user: User, *, by: User | None) -> None:
    """Put a learner in a group, or assign an assessor to it, as `by` (None: the command line
    or set-up); refused when `check_may_add` says so."""
    check_may_add(by, group, user)
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
        raise ServiceError(
            f"Only learners and assessors join groups, not {article(user.role)}.", "role"
        )
    db.session.flush()
    record_staff_action(
        verb, "user", user.id, actor=by, group_id=group.id, learner_id=learner_id, after=after
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


def attempts_in_groups(group_ids):
    """A condition on `Attempt` (with `Assignment` outer-joined) for the attempts that belong
    to one of these groups: set for the group, or set to the learner personally (no group,
    from the command line) while they are a member. Another group's work never matches, even
    for a learner who is in both."""
    members = select(group_members.c.user_id).where(group_members.c.group_id.in_(group_ids))
    return or_(
        Assignment.group_id.in_(group_ids),
        and_(Assignment.group_id.is_(None), Attempt.learner_id.in_(members)),
    )


def staff_group_ids(viewer: User):
    """A subquery of the ids of the groups whose learners' work this tutor or assessor sees
    (every group for an admin; none for a learner)."""
    return _visible_groups(viewer).with_only_columns(Group.id)


# ---------------------------------------------------------------- assessors and tutors


def _check_may_manage(by: User | None, group: Group, what: str) -> None:
    """Refuse anyone but the group's tutor, an admin or the command line (`by` None)."""
    if by is None or by.role_enum == Role.ADMIN:
        return
    if by.role_enum != Role.TUTOR or group.tutor_id != by.id:
        raise ServiceError(f"Only the group's tutor or an admin can change its {what}.")


def active_assessors() -> list[User]:
    """Every enabled assessor account, by name: the people a group can be given."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.ASSESSOR.value, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def assessor_by_id(user_id) -> User:
    """The enabled assessor with this account id; ServiceError (on the form's `assessor_id`)
    for anyone else, so a forged id changes nothing."""
    user = _user_by_id(user_id)
    if user is None or user.role_enum != Role.ASSESSOR or not user.active:
        raise ServiceError("Choose an assessor from the list.", field="assessor_id")
    return user


def _user_by_id(user_id) -> User | None:
    try:
        number = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < number <= MAX_ID:
        return None
    return db.session.get(User, number)


def assign_assessor(group: Group, assessor: User, *, by: User | None) -> None:
    """Give a group an assessor (an enabled assessor account), as its tutor, an admin or the
    command line (`by` None). Their queue then holds the group's submitted work, including
    work submitted before they were assigned."""
    _check_may_manage(by, group, "assessors")
    if assessor.role_enum != Role.ASSESSOR:
        raise ServiceError(f"{assessor.name} is not an assessor.", field="assessor_id")
    if not assessor.active:
        raise ServiceError(f"{assessor.name}'s account is disabled.", field="assessor_id")
    if assessor in group.assessors:
        raise ServiceError(f"{assessor.name} already assesses {group.name!r}.", field="assessor_id")
    group.assessors.append(assessor)
    db.session.flush()
    record_staff_action(
        "group.assessor_added",
        "user",
        assessor.id,
        actor=by,
        group_id=group.id,
        after={"assessor": assessor.email},
    )


def remove_assessor(group: Group, assessor: User, *, by: User | None) -> None:
    """Take an assessor off a group, as its tutor, an admin or the command line. The
    group's work leaves their queue (decisions they signed stay theirs)."""
    _check_may_manage(by, group, "assessors")
    if assessor not in group.assessors:
        raise ServiceError(f"{assessor.name} is not one of {group.name!r}'s assessors.")
    group.assessors.remove(assessor)
    db.session.flush()
    record_staff_action(
        "group.assessor_removed",
        "user",
        assessor.id,
        actor=by,
        group_id=group.id,
        before={"assessor": assessor.email},
    )


def change_tutor(group: Group, tutor: User, *, by: User | None) -> None:
    """Give a group to another tutor (an admin's or the command line's decision): the new
    tutor sees it and its learners' work from then on, the old one no longer does."""
    if by is not None and by.role_enum != Role.ADMIN:
        raise ServiceError("Only an admin can give a group to another tutor.")
    if tutor.role_enum != Role.TUTOR or not tutor.active:
        raise ServiceError("Choose an enabled tutor from the list.", field="tutor_id")
    if tutor.id == group.tutor_id:
        raise ServiceError(f"{tutor.name} is already this group's tutor.", field="tutor_id")
    before = {"tutor": group.tutor.email}
    group.tutor_id = tutor.id
    group.tutor = tutor
    db.session.flush()
    record_staff_action(
        "group.tutor_changed",
        "group",
        group.id,
        actor=by,
        group_id=group.id,
        before=before,
        after={"tutor": tutor.email},
    )


def tutor_by_id(user_id) -> User:
    """The enabled tutor with this account id; ServiceError (on `tutor_id`) for anyone else."""
    user = _user_by_id(user_id)
    if user is None or user.role_enum != Role.TUTOR or not user.active:
        raise ServiceError("Choose an enabled tutor from the list.", field="tutor_id")
    return user


def active_tutors() -> list[User]:
    """Every enabled tutor account, by name: who can own a group."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.TUTOR.value, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _reviewing_group_ids():
    """A subquery of the ids of the groups that have at least one enabled assessor."""
    return (
        select(group_assessors.c.group_id)
        .join(User, User.id == group_assessors.c.user_id)
        .where(User.role == Role.ASSESSOR.value, User.active.is_(True))
    )


def has_reviewer(group: Group) -> bool:
    """Whether an enabled assessor is assigned to the group (someone will review its work)."""
    return bool(
        db.session.scalar(
            _reviewing_group_ids().where(group_assessors.c.group_id == group.id).limit(1)
        )
    )


def attempt_has_reviewer(attempt: Attempt) -> bool:
    """Whether an enabled assessor sees this attempt's work in their queue: one of the groups
    it belongs to (`attempts_in_groups`) has an assessor."""
    found = db.session.scalar(
        select(Attempt.id)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(Attempt.id == attempt.id, attempts_in_groups(_reviewing_group_ids()))
    )
    return found is not None


def waiting_submissions(group: Group) -> int:
    """How many of the group's submissions are waiting for an assessor's decision."""
    return db.session.scalar(
        select(func.count(Attempt.id))
        .select_from(Attempt)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(attempts_in_groups([group.id]), Attempt.status == AttemptStatus.SUBMITTED.value)
    )


def groups_without_reviewer(groups: list[Group]) -> set[int]:
    """The ids of those of these groups that have no enabled assessor, in one query."""
    if not groups:
        return set()
    reviewed = set(
        db.session.scalars(
            _reviewing_group_ids().where(group_assessors.c.group_id.in_([g.id for g in groups]))
        )
    )
    return {g.id for g in groups} - reviewed
