"""An attempt opened from a platform's link, made the way a launch makes it.

A resource-link launch (services/lti/launch.py, built in parallel) writes, for a learner who
opens a scenario from a course: the platform's `LtiRegistration`, the learner's
`LtiIdentity` (registration + platform `sub` -> user), the course's `LtiContext` (course ->
group, with the NRPS memberships URL), the link's `LtiResourceLink` (scenario, AGS line item,
line items URL and scopes) and the `LtiAttemptLink` (attempt -> link + identity). `linked`
creates exactly those rows directly, pointing at the simulator platform's URLs, for the
grades and roster tests; the end-to-end test does the same with a real launch.

It also gives the platform our public key set (`platform.tool_key_set`), as registering the
tool on a platform does, so the platform can check our token requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_sandbox.extensions import db
from crm_sandbox.models import (
    Attempt,
    Group,
    LtiAttemptLink,
    LtiContext,
    LtiIdentity,
    LtiRegistration,
    LtiResourceLink,
    Role,
    User,
)
from crm_sandbox.services import accounts, assignments, groups
from crm_sandbox.services.lti import keys

from .platform_services import LINEITEM, LINEITEM_READONLY, RESULT_READONLY, SCORE

SCENARIO = "first-complaint"
AGS_SCOPES = [LINEITEM, LINEITEM_READONLY, RESULT_READONLY, SCORE]


@dataclass
class Linked:
    registration: LtiRegistration
    context: LtiContext
    link: LtiResourceLink
    identity: LtiIdentity
    attempt: Attempt
    learner: User
    group: Group
    lineitem: dict | None


def registration_for(platform) -> LtiRegistration:
    """The platform's registration, as an admin makes it (one per platform and client id)."""
    found = db.session.query(LtiRegistration).filter_by(issuer=platform.issuer).one_or_none()
    if found is not None:
        return found
    platform.tool_key_set = keys.published()
    row = LtiRegistration(
        name=platform.name,
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        key_set_url=platform.key_set_url,
        auth_audience="",
        deployment_ids=[platform.deployment_id],
        active=True,
    )
    db.session.add(row)
    db.session.flush()
    return row


def identity_for(registration: LtiRegistration, user: User, subject: str) -> LtiIdentity:
    identity = LtiIdentity(registration_id=registration.id, subject=subject, user_id=user.id)
    db.session.add(identity)
    db.session.flush()
    return identity


def course_for(
    platform, registration: LtiRegistration, group: Group, context_id: str = "Course-101"
) -> LtiContext:
    """The course as a launch records it: its group and its NRPS memberships URL."""
    found = (
        db.session.query(LtiContext)
        .filter_by(registration_id=registration.id, context_id=context_id)
        .one_or_none()
    )
    if found is not None:
        return found
    context = LtiContext(
        registration_id=registration.id,
        deployment_id=platform.deployment_id,
        context_id=context_id,
        title=f"Course {context_id}",
        group_id=group.id,
        memberships_url=platform.memberships_url(context_id),
    )
    db.session.add(context)
    db.session.flush()
    return context


def linked(
    platform,
    *,
    learner: User | None = None,
    group: Group | None = None,
    tutor: User | None = None,
    subject: str = "moodle-user-7",
    scenario: str = SCENARIO,
    context_id: str = "Course-101",
    with_lineitem: bool = True,
    ags_scopes: list[str] | None = None,
) -> Linked:
    """A learner's attempt at a library scenario, opened from a link in a course on the
    platform whose line item (made on the platform, unless `with_lineitem` is false: then the
    link offers only the line items URL) receives the grades. Commits."""
    registration = registration_for(platform)
    if group is None:
        tutor = tutor or accounts.create_user(
            name="Tess Tutor",
            email=f"tutor-{context_id.lower()}@college.example.org",
            role=Role.TUTOR,
            password="correct horse battery",
        )
        group = groups.create_group(name=f"Course {context_id}", tutor=tutor)
    if learner is None:
        learner = accounts.create_user(
            name="Lola Learner",
            email=f"{subject}@college.example.org",
            role=Role.LEARNER,
            password="correct horse battery",
        )
    groups.add_member(group, learner, by=None)
    context = course_for(platform, registration, group, context_id)
    resource_link_id = f"link-{scenario}"
    lineitem = None
    if with_lineitem:
        lineitem = platform.add_lineitem(
            context_id, label=scenario, resourceLinkId=resource_link_id, tag=scenario
        )
    link = LtiResourceLink(
        context_pk=context.id,
        resource_link_id=resource_link_id,
        title=scenario,
        scenario_slug=scenario,
        lineitem_url=lineitem["id"] if lineitem else "",
        lineitems_url=platform.lineitems_url(context_id),
        ags_scopes=list(AGS_SCOPES if ags_scopes is None else ags_scopes),
    )
    db.session.add(link)
    db.session.flush()
    identity = identity_for(registration, learner, subject)
    assignments.assign(scenario, [learner], group.tutor, group_id=group.id)
    attempt = next(a for a in assignments.attempts_of(learner) if a.scenario_id == scenario)
    db.session.add(
        LtiAttemptLink(attempt_id=attempt.id, resource_link_pk=link.id, identity_id=identity.id)
    )
    db.session.commit()
    return Linked(registration, context, link, identity, attempt, learner, group, lineitem)
