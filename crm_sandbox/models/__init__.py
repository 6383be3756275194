"""The data model: a module per aggregate. Importing this package registers every table."""

from .base import Base, db
from .groups import Group, group_assessors, group_members
from .users import Role, User, UserSession

__all__ = [
    "Base",
    "db",
    "Group",
    "group_assessors",
    "group_members",
    "Role",
    "User",
    "UserSession",
]
