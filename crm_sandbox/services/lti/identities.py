"""Who a launch is, here: the person (by the platform's user id), their role, the course's group,
the link's scenario, and where they land.

- **People** are matched by (registration, `sub`) and nothing else. A platform's email is kept as
  contact details on a new account when it is free; when it is missing, invalid or already
  someone's, the account gets a placeholder `lti-<registration id>-<digest of sub>@lti.example`
  (the reserved `.example` domain: it can never receive mail; `.invalid` is refused by the email
  checks). Accounts made here have no password (`NO_PASSWORD`, which no password matches) and
  never need to change it: their way in is the platform. Roster imports (`roster.py`) make
  people the same way (`new_account`).
- **Roles** come from the LTI roles claim: TeachingAssistant (`membership/Instructor#
  TeachingAssistant`, what Canvas sends for a TA) -> assessor; Instructor -> tutor; Learner ->
  learner. A platform Administrator (system or institution role) is nobody special here, and a
  launch with none of these roles is refused. An existing account whose role differs is refused,
  never changed: an admin decides.
- **Courses** become groups at the first launch by an instructor, who becomes the group's tutor;
  a learner or assessor launching into a course nobody has set up is told to wait for their
  tutor. Later launches add learners as members and assessors as the group's assessor.
- **Links** open the scenario named by the link's custom parameter `scenario=<slug>` (what our
  deep-linking response sets), or else by `?scenario=<slug>` on the target link URI. A learner's
  launch assigns the scenario to the group for them if it is not yet (as the group's tutor would),
  finds or starts their attempt in their own sandbox, and records which link it came from
  (`LtiAttemptLink`, read by the grades).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import url_for
from sqlalchemy import select

from ...models import (
    Attempt,
    Group,
    LtiAttemptLink,
    LtiContext,
    LtiIdentity,
    LtiRegistration,
    LtiResourceLink,
    Role,
    User,
    db,
)
from ...models.base import utcnow
from ...wording import article
from .. import accounts, groups
from ..errors import ServiceError
from ..tutoring import assigning
from .launch import (
    CLAIM,
    DEEP_LINKING_REQUEST,
    RESOURCE_LINK_REQUEST,
    LaunchRefused,
    ValidLaunch,
    subject_digest,
)

ROLES_CLAIM = CLAIM + "roles"
CONTEXT_CLAIM = CLAIM + "context"
RESOURCE_LINK_CLAIM = CLAIM + "resource_link"
CUSTOM_CLAIM = CLAIM + "custom"
TARGET_LINK_CLAIM = CLAIM + "target_link_uri"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEACHING_ASSISTANT = {
    f"{MEMBERSHIP}/Instructor#TeachingAssistant",
    f"{MEMBERSHIP}#TeachingAssistant",
    "TeachingAssistant",
}
INSTRUCTOR = {f"{MEMBERSHIP}#Instructor", "Instructor"}
LEARNER = {f"{MEMBERSHIP}#Learner", "Learner"}
PLACEHOLDER_DOMAIN = "lti.example"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

ROLE_WORDS = {Role.LEARNER: "a learner", Role.TUTOR: "an instructor", Role.ASSESSOR: "an assessor"}


def claim(body: dict, name: str) -> dict:
    """An object claim, or {} when it is missing or not an object (a platform's mistake is a
    refusal or an absence, never an error)."""
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _id(launch: ValidLaunch, value, what: str) -> str:
    """A platform id (user, course, link) as text; refused when longer than we keep."""
    text = str(value or "")
    if len(text) > 255:
        raise _refuse(
            launch,
            "malformed",
            f"the {what} id is over 255 characters",
            "The launch could not be read. Nothing was changed: tell your tutor.",
            400,
        )
    return text


def role_from_claims(roles: list | None) -> Role | None:
    """Our role for the LTI roles claim (see the module's docstring), or None."""
    given = {str(r) for r in roles} if isinstance(roles, list) else set()
    if given & TEACHING_ASSISTANT:
        return Role.ASSESSOR
    if given & INSTRUCTOR:
        return Role.TUTOR
    if given & LEARNER:
        return Role.LEARNER
    return None


def launch_role(launch: ValidLaunch) -> Role:
    """The launch's role here, or a refusal when it has none we use."""
    role = role_from_claims(launch.body.get(ROLES_CLAIM))
    if role is None:
        raise LaunchRefused(
            "role",
            f"no role we use in {launch.body.get(ROLES_CLAIM)!r} (Learner, Instructor or "
            "TeachingAssistant)",
            message=(
                "Only learners, instructors and teaching assistants in a course can open the CRM "
                "Sandbox from it. Nothing was changed."
            ),
            issuer=launch.registration.issuer,
            client_id=launch.registration.client_id,
        )
    return role


def _refuse(launch: ValidLaunch, kind: str, reason: str, message: str, status: int = 403):
    return LaunchRefused(
        kind,
        reason,
        message=message,
        status=status,
        issuer=launch.registration.issuer,
        client_id=launch.registration.client_id,
    )


# ---------------------------------------------------------------- people


def _name(body: dict, fallback: str) -> str:
    name = str(body.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(body.get(k) or "").strip() for k in ("given_name", "family_name")
        ).strip()
    name = "".join(ch for ch in name if ch.isprintable())[: accounts.NAME_MAX_LENGTH].strip()
    return name or fallback


def email_for(registration: LtiRegistration, subject: str, claimed: str) -> str:
    """The platform's email for a new account when it is valid and nobody's yet, else a
    placeholder (see the module's docstring): an account that already uses the email is never
    matched by it. Launches and roster imports both ask here."""
    if claimed:
        try:
            email = accounts.normalise_email(claimed)
        except ServiceError:
            email = ""
        if email and accounts.find_user_by_email(email) is None:
            return email
    return f"lti-{registration.id}-{subject_digest(registration.id, subject)}@{PLACEHOLDER_DOMAIN}"


# Accounts made from a platform sign in through it only: no password matches this (not a hash).
NO_PASSWORD = "!"  # noqa: S105


def new_account(
    registration: LtiRegistration, subject: str, name: str, claimed_email: str, role: Role
) -> tuple[LtiIdentity, User]:
    """Make the account for a platform user (`subject`) and link it: the one way launches and
    roster imports create people. No password: their way in is the platform."""
    user = accounts.create_user_with_hash(
        name=name,
        email=email_for(registration, subject, claimed_email),
        role=role,
        password_hash=NO_PASSWORD,
        must_change_password=False,
    )
    identity = LtiIdentity(registration_id=registration.id, subject=subject, user_id=user.id)
    db.session.add(identity)
    db.session.flush()
    return identity, user


def person(launch: ValidLaunch, role: Role) -> tuple[LtiIdentity, User]:
    """The identity and account for the launch's `sub`: found, or made with `role`. An account
    of another role, or disabled, is refused (never changed)."""
    registration, body = launch.registration, launch.body
    subject = _id(launch, body["sub"], "user")
    identity = db.session.scalar(
        select(LtiIdentity).where(
            LtiIdentity.registration_id == registration.id, LtiIdentity.subject == subject
        )
    )
    if identity is None:
        identity, user = new_account(
            registration,
            subject,
            _name(body, f"{role.label} from {registration.name}"),
            str(body.get("email") or ""),
            role,
        )
    else:
        user = db.session.get(User, identity.user_id)
    if user.role != role.value:
        raise _refuse(
            launch,
            "role_conflict",
            f"account {user.id} is {article(user.role)} here but launched as "
            f"{ROLE_WORDS.get(role, role.value)}",
            f"Your account here belongs to {article(user.role)}, but your course says you are "
            f"{ROLE_WORDS.get(role, role.value)}. Nothing was changed: ask the college's CRM "
            "Sandbox administrator to sort out your account.",
        )
    if not user.is_active:
        raise _refuse(
            launch,
            "disabled",
            f"account {user.id} is disabled",
            "Your account here has been disabled. Nothing was changed: ask the college's CRM "
            "Sandbox administrator.",
        )
    identity.last_launch_at = utcnow()
    return identity, user


# ---------------------------------------------------------------- courses and links


def _group_name(title: str, registration: LtiRegistration) -> str:
    base = (title or "Course").strip()[: groups.GROUP_NAME_MAX - 30] or "Course"
    for candidate in (base, f"{base} ({registration.name})"):
        candidate = candidate[: groups.GROUP_NAME_MAX]
        if groups.find_group(candidate) is None:
            return candidate
    n = 2
    while groups.find_group(f"{base} ({n})") is not None:
        n += 1
    return f"{base} ({n})"


def course(launch: ValidLaunch, role: Role, user: User) -> tuple[LtiContext, Group]:
    """The launch's course and its group: made at an instructor's first launch; refused for
    anyone else until then. The NRPS memberships URL is kept up to date."""
    registration, body = launch.registration, launch.body
    context_claim = claim(body, CONTEXT_CLAIM)
    context_id = _id(launch, context_claim.get("id"), "course")
    if not context_id:
        raise _refuse(
            launch,
            "no_context",
            "the launch names no course (context claim)",
            "This launch does not say which course it comes from, so the CRM Sandbox cannot "
            "tell which group you belong to. Nothing was changed: open the activity from within "
            "your course.",
            status=400,
        )
    context = db.session.scalar(
        select(LtiContext).where(
            LtiContext.registration_id == registration.id, LtiContext.context_id == context_id
        )
    )
    title = str(context_claim.get("title") or context_claim.get("label") or "")
    title = " ".join("".join(ch if ch.isprintable() else " " for ch in title).split())[:255]
    if context is None:
        if role != Role.TUTOR:
            raise _refuse(
                launch,
                "no_group",
                f"course {context_id!r} has no group yet: its instructor has not opened an "
                "activity",
                "Your tutor must open this activity first: that sets up your course in the CRM "
                "Sandbox. Nothing was changed; try again once they have.",
            )
        group = groups.create_group(name=_group_name(title, registration), tutor=user, by=user)
        context = LtiContext(
            registration_id=registration.id,
            deployment_id=str(body.get(CLAIM + "deployment_id") or ""),
            context_id=context_id,
            title=title,
            group_id=group.id,
        )
        db.session.add(context)
    else:
        group = db.session.get(Group, context.group_id)
        if title:
            context.title = title
    nrps = claim(body, NRPS_CLAIM)
    if nrps.get("context_memberships_url"):
        context.memberships_url = str(nrps["context_memberships_url"])[:500]
    db.session.flush()
    return context, group


def scenario_of(body: dict) -> str:
    """The scenario a link names: its custom parameter `scenario`, else `?scenario=` on the
    target link URI; "" when neither."""
    slug = str(claim(body, CUSTOM_CLAIM).get("scenario") or "").strip()
    if not slug:
        try:
            query = parse_qs(urlsplit(str(body.get(TARGET_LINK_CLAIM) or "")).query)
        except ValueError:  # not a URL: no scenario named there
            query = {}
        slug = (query.get("scenario") or [""])[0].strip()
    return slug


def known_scenarios() -> dict[str, str]:
    """The scenarios a link may open (the library's and published authored ones): id -> title."""
    return {s.id: s.title for s in assigning.assignable_scenarios()}


def resource_link(launch: ValidLaunch, context: LtiContext) -> LtiResourceLink:
    """The launch's link, with the scenario it opens and its grade column (AGS) kept current."""
    body = launch.body
    link_claim = claim(body, RESOURCE_LINK_CLAIM)
    slug = scenario_of(body)
    if not slug:
        raise _refuse(
            launch,
            "no_scenario",
            "the link names no scenario (custom parameter scenario=<id>)",
            "This activity does not say which scenario to open. Nothing was changed: ask your "
            "tutor to edit the activity and choose a scenario.",
            status=400,
        )
    if not SLUG.match(slug) or slug not in known_scenarios():
        raise _refuse(
            launch,
            "unknown_scenario",
            f"the link names a scenario we do not have: {slug[:80]!r}",
            "This activity names a scenario the CRM Sandbox does not have. Nothing was changed: "
            "ask your tutor to edit the activity and choose a scenario again.",
            status=400,
        )
    link_id = _id(launch, link_claim.get("id"), "resource link")
    link = db.session.scalar(
        select(LtiResourceLink).where(
            LtiResourceLink.context_pk == context.id, LtiResourceLink.resource_link_id == link_id
        )
    )
    if link is None:
        link = LtiResourceLink(context_pk=context.id, resource_link_id=link_id)
        db.session.add(link)
    link.title = str(link_claim.get("title") or "")[:255]
    link.scenario_slug = slug
    ags = claim(body, AGS_CLAIM)
    if ags:
        link.lineitem_url = str(ags.get("lineitem") or "")[:500]
        link.lineitems_url = str(ags.get("lineitems") or "")[:500]
        scopes = ags.get("scope")
        link.ags_scopes = [str(s) for s in scopes] if isinstance(scopes, list) else []
    db.session.flush()
    return link


def learner_attempt(
    group: Group, learner: User, slug: str, link: LtiResourceLink, identity: LtiIdentity
) -> Attempt:
    """The learner's attempt at the scenario: the scenario is assigned to them through the group
    (as its tutor would) if they have none; the attempt is tied to the link for its grades."""
    groups.add_member(group, learner, by=None)
    attempt = _latest_attempt(learner, slug)
    if attempt is None:
        tutor = db.session.get(User, group.tutor_id)
        assigning.assign_to_group(tutor, group, slug, [learner.id], None)
        attempt = _latest_attempt(learner, slug)
    tie = db.session.get(LtiAttemptLink, attempt.id)
    if tie is None:
        db.session.add(
            LtiAttemptLink(attempt_id=attempt.id, resource_link_pk=link.id, identity_id=identity.id)
        )
    else:
        tie.resource_link_pk, tie.identity_id = link.id, identity.id
    db.session.flush()
    return attempt


def _latest_attempt(learner: User, slug: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.learner_id == learner.id, Attempt.scenario_id == slug)
        .order_by(Attempt.assigned_at.desc(), Attempt.id.desc())
        .limit(1)
    )


# ---------------------------------------------------------------- where a launch lands


@dataclass
class Landing:
    """Who is signed in, and where they go: an endpoint and its values, with a note."""

    user: User
    endpoint: str
    values: dict
    note: str = ""

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.values)


def arrive(launch: ValidLaunch) -> Landing:
    """What a validated launch does: a resource link lands (`land`); a deep-linking request by
    an instructor goes to the picker; any other message is refused. A service's refusal on the
    way (a group name, an assignment) refuses the launch with its words."""
    try:
        if launch.message_type == RESOURCE_LINK_REQUEST:
            return land(launch)
        if launch.message_type == DEEP_LINKING_REQUEST:
            user, _group = instructor_for_deep_linking(launch)
            return Landing(user, "lti.deep_link", {"launch": launch.launch_id})
    except ServiceError as exc:
        raise _refuse(
            launch,
            "service",
            f"refused here: {exc.message}",
            f"The CRM Sandbox could not set this up: {exc.message} Nothing was changed.",
            status=400,
        ) from None
    raise _refuse(
        launch,
        "message",
        f"a {launch.message_type!r} message, which we do not handle",
        "The CRM Sandbox cannot open this kind of launch. Nothing was changed.",
        status=400,
    )


def land(launch: ValidLaunch) -> Landing:
    """Everything a launch does here (see the module's docstring), in the caller's transaction."""
    role = launch_role(launch)
    identity, user = person(launch, role)
    context, group = course(launch, role, user)
    link = resource_link(launch, context)
    if role == Role.LEARNER:
        attempt = learner_attempt(group, user, link.scenario_slug, link, identity)
        return Landing(user, "learner.scenario", {"attempt_id": attempt.id})
    if role == Role.ASSESSOR:
        groups.add_member(group, user, by=None)
        return Landing(user, "assessor.home", {}, f"You assess {group.name}.")
    if group.tutor_id == user.id:
        return Landing(user, "tutor.group", {"group_id": group.id})
    owner = db.session.get(User, group.tutor_id)
    return Landing(
        user,
        "tutor.home",
        {},
        f"This course's group, {group.name}, belongs to {owner.name}: ask them or an admin to "
        "give it to you if you teach it.",
    )


def instructor_for_deep_linking(launch: ValidLaunch) -> tuple[User, Group | None]:
    """A deep-linking launch: only an instructor may choose a scenario. Their account (and the
    course's group, made if this is the course's first launch) is found or made."""
    role = launch_role(launch)
    if role != Role.TUTOR:
        raise _refuse(
            launch,
            "not_instructor",
            f"a deep-linking launch by {ROLE_WORDS.get(role, role.value)}",
            "Only the course's instructor can choose a scenario for an activity. Nothing was "
            "changed.",
        )
    _identity, user = person(launch, role)
    group = None
    if claim(launch.body, CONTEXT_CLAIM).get("id"):
        _context, group = course(launch, role, user)
    return user, group


def launched_by(launch: ValidLaunch, user: User) -> bool:
    """Whether this launch was made by this account (its identity on that registration)."""
    return (
        db.session.scalar(
            select(LtiIdentity.id).where(
                LtiIdentity.registration_id == launch.registration.id,
                LtiIdentity.subject == str(launch.body.get("sub")),
                LtiIdentity.user_id == user.id,
            )
        )
        is not None
    )


def group_of(launch: ValidLaunch) -> Group | None:
    """The group of the launch's course, if it has one."""
    context_id = str(claim(launch.body, CONTEXT_CLAIM).get("id") or "")
    if not context_id:
        return None
    return db.session.scalar(
        select(Group)
        .join(LtiContext, LtiContext.group_id == Group.id)
        .where(
            LtiContext.registration_id == launch.registration.id,
            LtiContext.context_id == context_id,
        )
    )
