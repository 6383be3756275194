"""The demo cohort: an admin, a tutor, an assessor and a group of six learners."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..models import Role, User, db
from . import accounts, assignments, groups

DEMO_DOMAIN = "demo-college.ac.uk"
DEMO_GROUP = "Business Admin L2 (demo)"
# Fixed and printed: the demo is for trying the product on one's own machine, not for real data.
DEMO_PASSWORDS = {
    Role.ADMIN: "demo-admin-pass",
    Role.TUTOR: "demo-tutor-pass",
    Role.ASSESSOR: "demo-assessor-pass",
    Role.LEARNER: "demo-learner-pass",
}
DEMO_PEOPLE = [
    (Role.ADMIN, "Alex Admin", "admin"),
    (Role.TUTOR, "Tara Tutor", "tutor"),
    (Role.ASSESSOR, "Asha Assessor", "assessor"),
    (Role.LEARNER, "Leah Learner", "learner1"),
    (Role.LEARNER, "Liam Learner", "learner2"),
    (Role.LEARNER, "Lola Learner", "learner3"),
    (Role.LEARNER, "Luca Learner", "learner4"),
    (Role.LEARNER, "Layla Learner", "learner5"),
    (Role.LEARNER, "Leo Learner", "learner6"),
]


@dataclass
class DemoAccount:
    role: str
    email: str
    password: str


def has_admin() -> bool:
    """Whether any admin account exists."""
    return (
        db.session.scalar(select(User.id).where(User.role == Role.ADMIN.value).limit(1)) is not None
    )


def ensure_demo_cohort() -> list[DemoAccount]:
    """Create the demo accounts and group if missing; reuse them if present (idempotent)."""
    accounts_out = []
    users: dict[str, User] = {}
    for role, name, local in DEMO_PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.create_user(
                name=name, email=email, role=role, password=DEMO_PASSWORDS[role]
            )
        users[local] = user
        accounts_out.append(DemoAccount(role.value, email, DEMO_PASSWORDS[role]))
    group = groups.find_group(DEMO_GROUP)
    if group is None:
        group = groups.create_group(name=DEMO_GROUP, tutor=users["tutor"])
    for user in users.values():
        if user.role_enum in (Role.LEARNER, Role.ASSESSOR):
            groups.add_member(group, user, by=None)
    return accounts_out


DEMO_SCENARIO = "first-complaint"


def ensure_demo_assignment() -> int:
    """Give the demo learners the first scenario (learners who have it keep theirs)."""
    group = groups.find_group(DEMO_GROUP)
    return assignments.assign(
        DEMO_SCENARIO, list(group.learners), set_by=group.tutor, group_id=group.id
    )
