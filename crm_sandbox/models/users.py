"""Users, their roles and their signed-in sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    TUTOR = "tutor"
    ASSESSOR = "assessor"
    ADMIN = "admin"
    EQA = "eqa"  # external quality assurer: reads granted groups' assessment, changes nothing

    @property
    def label(self) -> str:
        return "EQA" if self is Role.EQA else self.value.capitalize()


ROLE_VALUES = tuple(r.value for r in Role)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A password someone else chose or saw (a reset's one-time password, an import's or a
    # tutor's first password): every page but choosing a new one is closed until it changes.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user")

    # Set by the session loader: the signed-in session this user object was loaded for.
    current_session_token = None  # not a column

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    # Flask-Login's interface, written out: its UserMixin compares users by get_id(), which
    # would make every user without a session "equal" to every other.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def get_id(self) -> str | None:  # Flask-Login keeps this in the cookie, not the user id
        return self.current_session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """A signed-in session held on the server: the cookie carries only its random token.

    Signing out revokes the row, so a copy of the cookie taken before sign-out is refused.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(back_populates="sessions")
