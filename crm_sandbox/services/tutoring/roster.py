"""A tutor's groups and the learners in them: renaming, archiving and restoring a group, and
putting a learner in it (creating a group is `groups.create_group`).
"""

from __future__ import annotations

from ...models import Group, Role, User, db
from ...wording import article
from .. import accounts, groups
from ..errors import ServiceError
from ..staff_audit import record_staff_action


def rename_group(group: Group, name: str) -> Group:
    """Give a group a new name (still unique across the college, ignoring capitals)."""
    old_name = group.name
    name = groups.check_group_name(name, renaming=group)
    group.name = name
    db.session.flush()
    if name != old_name:
        record_staff_action(
            "group.renamed",
            "group",
            group.id,
            group_id=group.id,
            before={"name": old_name},
            after={"name": name},
        )
    return group


def archive_group(group: Group) -> Group:
    """Archive a group: it leaves the lists, its learners and their work are kept."""
    if group.archived:
        raise ServiceError("This group is already archived.")
    group.archived = True
    db.session.flush()
    record_staff_action(
        "group.archived",
        "group",
        group.id,
        group_id=group.id,
        before={"archived": False},
        after={"archived": True},
    )
    return group


def restore_group(group: Group) -> Group:
    """Bring an archived group back into the lists."""
    was = group.archived
    group.archived = False
    db.session.flush()
    if was:
        record_staff_action(
            "group.restored",
            "group",
            group.id,
            group_id=group.id,
            before={"archived": True},
            after={"archived": False},
        )
    return group


def add_learner(group: Group, name: str, email: str, by: User | None) -> tuple[User, str | None]:
    """Put a learner in the group as `by`: the existing learner with this email (a tutor only
    one who is in no other tutor's group, see `groups.check_may_add`), or a new account with
    a generated first password (returned so it can be shown once)."""
    email = accounts.normalise_email(email)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        if existing.role_enum != Role.LEARNER:
            raise ServiceError(
                f"{email} belongs to {article(existing.role)}, not a learner.", "email"
            )
        if existing in group.learners:
            raise ServiceError(f"{existing.name} is already in this group.", "email")
        groups.add_member(group, existing, by=by)
        return existing, None
    password = accounts.generate_password()
    learner = accounts.create_user(
        name=accounts.check_name(name),
        email=email,
        role=Role.LEARNER,
        password=password,
        must_change_password=True,  # the tutor saw it: the learner chooses their own
    )
    groups.add_member(group, learner, by=by)
    return learner, password
