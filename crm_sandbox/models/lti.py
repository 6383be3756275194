"""LTI 1.3 (IMS LTI Advantage): the learning platforms a college registered (Moodle, Canvas),
who is who on them, which course is which group and which link is which scenario.

People are matched by the platform's user id (`sub`) within a registration, never by an email
the platform claims. PyLTI1p3 reads the registrations (services/lti/tool_conf.py) and keeps
its login state, nonces and launches in `lti_launch_values` (services/lti/storage.py), so any
instance can finish a launch another began.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class LtiRegistration(Base):
    """A platform registered by an admin: its issuer and our client id on it, its URLs and the
    deployments it may launch from."""

    __tablename__ = "lti_registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # "College Moodle"
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(500))  # the platform's OIDC auth URL
    auth_token_url: Mapped[str] = mapped_column(String(500))  # OAuth2 token URL (AGS, NRPS)
    key_set_url: Mapped[str] = mapped_column(String(500))  # the platform's public JWKS
    # Canvas and some others want a different audience in the token request.
    auth_audience: Mapped[str] = mapped_column(String(500), default="")
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LtiIdentity(Base):
    """A person on a platform (its `sub`) and their account here."""

    __tablename__ = "lti_identities"
    __table_args__ = (
        UniqueConstraint("registration_id", "subject"),
        Index("ix_lti_identities_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registrations.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[LtiRegistration] = relationship()


class LtiContext(Base):
    """A course on a platform, and the group it became here."""

    __tablename__ = "lti_contexts"
    __table_args__ = (
        UniqueConstraint("registration_id", "context_id"),
        Index("ix_lti_contexts_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("lti_registrations.id", ondelete="CASCADE")
    )
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # Names and Role Provisioning: the memberships URL from the latest launch, if offered.
    memberships_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[LtiRegistration] = relationship()


class LtiResourceLink(Base):
    """A link in a course (an activity) and the scenario it opens, with its grade column
    (AGS line item) when the platform offers one."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("context_pk", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_pk: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    scenario_slug: Mapped[str] = mapped_column(String(120), default="")
    # Assignment and Grade Services: the line item (grade column) URL and the scopes granted.
    lineitem_url: Mapped[str] = mapped_column(String(500), default="")
    lineitems_url: Mapped[str] = mapped_column(String(500), default="")
    ags_scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    context: Mapped[LtiContext] = relationship()


class LtiAttemptLink(Base):
    """An attempt opened from a platform's link: where its grades go, and for whom."""

    __tablename__ = "lti_attempt_links"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    resource_link_pk: Mapped[int] = mapped_column(
        ForeignKey("lti_resource_links.id", ondelete="CASCADE")
    )
    identity_id: Mapped[int] = mapped_column(ForeignKey("lti_identities.id", ondelete="CASCADE"))

    resource_link: Mapped[LtiResourceLink] = relationship()
    identity: Mapped[LtiIdentity] = relationship()


class LtiLaunchValue(Base):
    """PyLTI1p3's launch data (login state, nonces, validated launches), with an expiry."""

    __tablename__ = "lti_launch_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict | list | str | bool | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LtiRefusal(Base):
    """A launch refused (bad signature, unknown issuer or deployment, replayed nonce, expired
    token, wrong audience...): kept for the admin's registration page."""

    __tablename__ = "lti_refusals"
    __table_args__ = (Index("ix_lti_refusals_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage: Mapped[str] = mapped_column(String(20))  # login, launch, deep_link
    issuer: Mapped[str] = mapped_column(String(255), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(Text)  # for the admin, in words
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
