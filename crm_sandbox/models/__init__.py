"""The data model: a module per aggregate. Importing this package registers every table."""

from .action_log import ActionLogEntry
from .base import Base, db
from .contacts import (
    AccountType,
    Category,
    ConfirmationMethod,
    Contact,
    Lifecycle,
    Need,
    Preference,
    Segment,
)
from .groups import Group, group_assessors, group_members
from .interactions import Channel, Direction, Initiative, Interaction
from .sandboxes import Organisation, Sandbox, SandboxKind, SandboxScoped
from .users import Role, User, UserSession

__all__ = [
    "AccountType",
    "ActionLogEntry",
    "Category",
    "Channel",
    "ConfirmationMethod",
    "Contact",
    "Direction",
    "Initiative",
    "Interaction",
    "Lifecycle",
    "Need",
    "Organisation",
    "Preference",
    "Sandbox",
    "SandboxKind",
    "SandboxScoped",
    "Segment",
    "Base",
    "db",
    "Group",
    "group_assessors",
    "group_members",
    "Role",
    "User",
    "UserSession",
]
