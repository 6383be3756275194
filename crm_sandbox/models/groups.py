"""Teaching groups: a tutor owns a group, learners belong to it, assessors are assigned to it."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Base, UTCDateTime, utcnow
from .users import User


def group_name_form(name: str) -> str:
    """The form two group names share when people would read them as one name: Unicode case
    folded ("CAFÉ" and "Café", "STRASSE" and "Straße") and compatibility normalised (a composed
    "é" and "e" with a combining accent, full-width letters, ligatures)."""
    folded = unicodedata.normalize("NFKC", (name or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)  # casefolding can undo the normal form


def group_name_key(name: str) -> str:
    """`group_name_form` as a SHA-256 hex digest: an index of bounded width, however far NFKC
    expands a name (one character can become eighteen)."""
    return hashlib.sha256(group_name_form(name).encode("utf-8")).hexdigest()


group_members = Table(
    "group_members",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_members_user_id", "user_id"),
)

group_assessors = Table(
    "group_assessors",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_assessors_user_id", "user_id"),
)


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("name", name="uq_groups_name"),
        Index("ix_groups_tutor_id", "tutor_id"),
        Index("ix_groups_name_key", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Set with the name (`group_name_key`), for finding a group by name whatever its case.
    # Not unique in the database: names that clash this way may predate it; the service
    # refuses new clashes.
    name_key: Mapped[str | None] = mapped_column(String(64))
    tutor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The qualification the group studies: its criteria are the ones assessed.
    body_id: Mapped[str] = mapped_column(String(20), default="vtct", server_default="vtct")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tutor: Mapped[User] = relationship(foreign_keys=[tutor_id])
    learners: Mapped[list[User]] = relationship(
        secondary=group_members, order_by=User.name, lazy="selectin"
    )
    assessors: Mapped[list[User]] = relationship(secondary=group_assessors, order_by=User.name)

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        self.name_key = group_name_key(name)
        return name
