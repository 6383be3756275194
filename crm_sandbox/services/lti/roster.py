"""The course's roster from the learning platform (LTI Names and Role Provisioning Services,
NRPS 2.0): a tutor pulls the members of the course a group was made from into the group.

`fetch_members` asks the platform (PyLTI1p3's `NamesRolesProvisioningService`, every page);
`plan` says, without changing anything, who would be added as a learner, who as the group's
assessor, who is already there and who is skipped and why; `import_members` makes the plan
in one transaction, with staff-audit entries. People are matched by the platform's user id
within the registration (`LtiIdentity`), never by the email the platform claims.

Roles (the LIS vocabulary the platform sends), as a launch maps them:
- learner: `http://purl.imsglobal.org/vocab/lis/v2/membership#Learner` (or `Learner`);
- assessor: `.../membership/Instructor#TeachingAssistant` (what Canvas sends for a TA, with
  Instructor), `.../membership#TeachingAssistant` or `TeachingAssistant`. `Mentor` is not an
  assessor: Canvas sends its observers (parents) as Mentor. Moodle sends every teacher,
  editing or not, as Instructor, so a Moodle course's assessor is assigned on the group page;
- other instructors (`Instructor` alone) are skipped: the course's instructor is the group's
  tutor here;
- anyone inactive on the course, or with none of these roles, is skipped, with the reason.

A member new here gets an account (no password: their way in is the platform) with the
platform's email when it is valid and nobody's yet, else a placeholder
`lti-<registration>-<digest>@lti.example` that never receives mail, as a launch does: an
account that already uses the email is never matched by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from ...models import Group, LtiContext, LtiIdentity, LtiRegistration, Role, User, db
from .. import accounts, groups
from ..errors import ServiceError
from ..staff_audit import record_staff_action
from . import identities
from .grades import _Session, platform_words
from .tool_conf import pylti_registration

MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = "learner"
ASSESSOR = "assessor"
INSTRUCTOR = "instructor"
SUBJECT_MAX = 255  # lti_identities.subject
# A course of thousands is not a group: stop following pages after this many.
MAX_PAGES = 200


@dataclass(frozen=True)
class Member:
    """One person on the course, as the platform lists them."""

    user_id: str
    name: str = ""
    email: str = ""
    roles: tuple[str, ...] = ()
    status: str = "Active"

    @classmethod
    def from_nrps(cls, data: dict) -> Member:
        name = (data.get("name") or "").strip() or " ".join(
            p for p in (data.get("given_name"), data.get("family_name")) if p
        )
        return cls(
            user_id=str(data.get("user_id") or "").strip(),
            name=name,
            email=str(data.get("email") or "").strip(),
            roles=tuple(str(r) for r in data.get("roles") or ()),
            status=str(data.get("status") or "Active"),
        )

    def as_dict(self) -> dict:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "roles": list(self.roles),
            "status": self.status,
        }


_ROSTER_ROLES = {Role.ASSESSOR: ASSESSOR, Role.TUTOR: INSTRUCTOR, Role.LEARNER: LEARNER}


def role_of(roles) -> str | None:
    """learner, assessor or instructor from the member's LIS roles, exactly as a launch decides
    (`identities.role_from_claims`); None when none of them is a role used here."""
    return _ROSTER_ROLES.get(identities.role_from_claims([str(r) for r in roles]))


# ---------------------------------------------------------------- asking the platform


def course_of(group: Group) -> LtiContext | None:
    """The course this group was made from that offers its roster (the latest one)."""
    return db.session.scalar(
        select(LtiContext)
        .where(LtiContext.group_id == group.id, LtiContext.memberships_url != "")
        .order_by(LtiContext.id.desc())
        .limit(1)
    )


def _next_page(headers) -> str | None:
    """The next page's address from the Link header, as given (PyLTI1p3's own parse
    lower-cases it, which breaks a platform's mixed-case addresses)."""
    link = next((v for k, v in headers.items() if k.lower() == "link"), "")
    for item in requests.utils.parse_header_links(link) if link else ():
        if item.get("rel", "").lower() == "next" and item.get("url"):
            return item["url"]
    return None


def fetch_members(context: LtiContext) -> list[Member]:
    """Every member of the course, following the platform's pages. ServiceError, in words
    for the tutor, when the platform cannot or will not give them."""
    row: LtiRegistration = context.registration
    if not row.active:
        raise ServiceError(
            f"The registration of {row.name} is switched off, so its roster cannot be read: "
            "ask an admin."
        )
    if not context.memberships_url:
        raise ServiceError(f"{row.name} did not offer this course's roster (Names and Roles).")
    registration, name, url = pylti_registration(row), row.name, context.memberships_url
    members: list[Member] = []
    seen: set[str] = set()
    try:
        with _Session() as session:
            service = NamesRolesProvisioningService(
                ServiceConnector(registration, session), {"context_memberships_url": url}
            )
            while url and url not in seen and len(seen) < MAX_PAGES:
                seen.add(url)
                data = service.get_nrps_data(url)
                body = data.get("body") or {}
                members.extend(
                    Member.from_nrps(m) for m in body.get("members", []) if isinstance(m, dict)
                )
                url = _next_page(data["headers"])
    except LtiServiceException as exc:
        status = exc.response.status_code
        said = platform_words(exc.response)
        if status in (401, 403):
            raise ServiceError(
                f"{name} refused to share the course's roster ({status}: {said}). Check that "
                "the tool is allowed Names and Role Provisioning on the platform."
            ) from None
        raise ServiceError(
            f"{name} could not give the course's roster ({status}: {said}). Nothing was "
            "changed; try again in a few minutes."
        ) from None
    except (requests.RequestException, LtiException, ValueError) as exc:
        raise ServiceError(
            f"{name} did not answer ({exc.__class__.__name__}). Nothing was changed; try "
            "again in a few minutes."
        ) from None
    return members


# ---------------------------------------------------------------- the plan


@dataclass
class Person:
    member: Member
    role: str | None  # learner, assessor, instructor or None
    user: User | None = None  # their account here, when they have one (matched by user id)
    reason: str = ""  # why they are skipped
    email_taken: bool = False  # new here, and another account uses their platform email

    @property
    def name(self) -> str:
        return self.user.name if self.user else _display_name(self.member)


@dataclass
class RosterPlan:
    group: Group
    context: LtiContext
    learners: list[Person] = field(default_factory=list)  # to add as learners
    assessors: list[Person] = field(default_factory=list)  # to add as the group's assessors
    present: list[Person] = field(default_factory=list)  # already in the group
    skipped: list[Person] = field(default_factory=list)

    @property
    def to_add(self) -> list[Person]:
        return self.learners + self.assessors


def _display_name(member: Member) -> str:
    try:
        return accounts.check_name(member.name)
    except ServiceError:
        return f"Platform user {member.user_id[:40]}"


def identity_of(registration_id: int, subject: str) -> LtiIdentity | None:
    """The link between the platform's user id and an account here, if there is one."""
    return db.session.scalar(
        select(LtiIdentity).where(
            LtiIdentity.registration_id == registration_id, LtiIdentity.subject == subject
        )
    )


def _skip_reason(person: Person, group: Group, by: User | None) -> str:
    """Why this person, who has an account here, cannot be added as planned ("" when they
    can, and for someone new)."""
    user = person.user
    if user is None:
        return ""
    if user.role != person.role:
        return (
            f"has {_article(user.role)} account here ({user.email}); a roster never changes "
            "an account's role"
        )
    if not user.active:
        return "their account here is disabled"
    if person.role == LEARNER:
        try:
            groups.check_may_add(by, group, user)
        except ServiceError as exc:
            return str(exc)
    return ""


def _article(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def _course_reason(person: Person, group: Group) -> str:
    """Why the course's own listing rules this member out ("" when it does not)."""
    member = person.member
    if not member.user_id:
        return "the platform gave no user id"
    if len(member.user_id) > SUBJECT_MAX:
        return f"the platform's user id is longer than {SUBJECT_MAX} characters"
    if member.status != "Active":
        return f"{member.status.lower()} on the course"
    if person.role == INSTRUCTOR:
        return (
            "an instructor on the course: instructors are tutors here, and "
            f"{group.tutor.name} is this group's tutor"
        )
    if person.role is None:
        return "no role used here (learner or teaching assistant)"
    return ""


def plan(group: Group, context: LtiContext, members: list[Member], by: User | None) -> RosterPlan:
    """Who the members would become here; changes nothing."""
    result = RosterPlan(group, context)
    seen: set[str] = set()
    for member in members:
        if member.user_id and member.user_id in seen:
            continue  # listed twice
        seen.add(member.user_id)
        person = Person(member, role_of(member.roles))
        person.reason = _course_reason(person, group)
        if person.reason:
            result.skipped.append(person)
            continue
        identity = identity_of(context.registration_id, member.user_id)
        person.user = db.session.get(User, identity.user_id) if identity is not None else None
        in_group = group.learners if person.role == LEARNER else group.assessors
        if person.user is not None and person.user in in_group:
            result.present.append(person)
            continue
        person.reason = _skip_reason(person, group, by)
        if person.user is None and member.email:
            person.email_taken = (
                identities.email_for(context.registration, member.user_id, member.email)
                != member.email.lower()
            )
        if person.reason:
            result.skipped.append(person)
        elif person.role == LEARNER:
            result.learners.append(person)
        else:
            result.assessors.append(person)
    return result


# ---------------------------------------------------------------- making it


def user_for(
    registration: LtiRegistration, sub: str, name: str, email: str, role: Role | str
) -> User:
    """The account for the platform's user `sub`: the one linked to it (`LtiIdentity`), or a
    new one made as a launch makes it (`identities.new_account`: never matched by email)."""
    identity = identity_of(registration.id, sub)
    if identity is not None:
        return db.session.get(User, identity.user_id)
    member = Member(user_id=sub, name=name, email=email)
    return identities.new_account(registration, sub, _display_name(member), email, Role(role))[1]


def import_members(
    group: Group, context: LtiContext, members: list[Member], by: User | None
) -> RosterPlan:
    """Add the course's learners to the group and its teaching assistants as the group's
    assessors, as `plan` says, in the caller's transaction (flushes, never commits), with a
    staff-audit entry for each account made, each person added and the import itself. Doing it
    again adds nobody: everyone is then already there."""
    if by is not None and by.role_enum != Role.ADMIN and group.tutor_id != by.id:
        raise ServiceError("Only the group's tutor or an admin can add the course's members.")
    made = plan(group, context, members, by)
    registration = context.registration
    for person in made.to_add:
        member = person.member
        user = person.user or user_for(
            registration, member.user_id, member.name, member.email, Role(person.role)
        )
        person.user = user
        if person.role == LEARNER:
            groups.add_member(group, user, by=by)
        else:
            groups.assign_assessor(group, user, by=by)
    record_staff_action(
        "lti.roster_imported",
        "group",
        group.id,
        actor=by,
        group_id=group.id,
        after={
            "platform": registration.name,
            "course": context.context_id,
            "learners_added": len(made.learners),
            "assessors_added": len(made.assessors),
            "already_there": len(made.present),
            "skipped": len(made.skipped),
        },
    )
    return made
