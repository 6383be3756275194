"""Teaching groups: a tutor owns a group, learners belong to it, assessors are assigned to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
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
