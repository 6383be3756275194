"""A learner's own sandboxes: finding them, and the practice sandbox made on first use."""

from __future__ import annotations

from sqlalchemy import select

from ...models import Sandbox, SandboxKind, User, db
from ..errors import ServiceError
from .copying import provision


def practice_sandbox(user: User) -> Sandbox | None:
    """The learner's free-practice sandbox, if it exists."""
    return db.session.scalar(
        select(Sandbox)
        .where(Sandbox.owner_id == user.id, Sandbox.kind == SandboxKind.PRACTICE.value)
        .order_by(Sandbox.id)
        .limit(1)
    )


def ensure_practice_sandbox(user: User) -> Sandbox:
    """The learner's practice sandbox, provisioned on first use."""
    if user.role != "learner":
        raise ServiceError("Only learners have practice sandboxes.")
    return practice_sandbox(user) or provision(user, actor=user)


def sandboxes_of(user: User) -> list[Sandbox]:
    """Every sandbox a learner owns, practice first."""
    return list(
        db.session.scalars(
            select(Sandbox)
            .where(Sandbox.owner_id == user.id)
            .order_by(Sandbox.kind.desc(), Sandbox.id)
        )
    )
