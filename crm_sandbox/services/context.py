"""Who is acting, in which sandbox: the first argument of every sandbox service function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..models import Sandbox, User
from ..scoping import get_in_sandbox
from . import clock
from .errors import ServiceError


@dataclass
class SandboxContext:
    sandbox: Sandbox
    actor: User | None = None  # None: the system or a scenario event
    actor_label_override: str | None = None

    @property
    def sandbox_id(self) -> int:
        return self.sandbox.id

    @property
    def actor_label(self) -> str:
        if self.actor_label_override:
            return self.actor_label_override
        if self.actor is None:
            return "System"
        return f"{self.actor.name} ({self.actor.role})"

    def now(self) -> datetime:
        """Sandbox business time now."""
        return clock.sandbox_now(self.sandbox)

    def get(self, model, object_id):
        """An object of this sandbox by id, or NotFound."""
        return get_in_sandbox(model, object_id, self.sandbox.id)

    def require_writable(self) -> None:
        """Refuse changes to a sandbox that is read-only (submitted, or a template)."""
        if self.sandbox.kind == "template":
            raise ServiceError("Templates are never changed directly.")
        if self.sandbox.read_only:
            raise ServiceError(
                "This sandbox is read-only because the work has been submitted. "
                "Nothing was changed."
            )

    def calendar(self) -> clock.WorkingCalendar:
        return clock.WorkingCalendar.for_organisation(self.sandbox.organisation)
