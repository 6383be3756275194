"""Who is acting, in which sandbox: the first argument of every sandbox service function."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..models import Organisation, Sandbox, User, db
from ..scoping import get_in_sandbox
from . import clock
from .errors import ServiceError


class SandboxContext:
    """The sandbox a service works in and who is acting (None: the system or a scenario event).

    Built from a `Sandbox` row, or with `for_page` from its id and the clock fields a page read
    at the start of the request: then the row itself is loaded only when a service first asks
    for `sandbox` (a page that lists records never needs it)."""

    __slots__ = (
        "_sandbox",
        "_sandbox_id",
        "_clock",
        "_hours",
        "_organisation",
        "actor",
        "actor_label_override",
    )

    def __init__(
        self,
        sandbox: Sandbox | None,
        actor: User | None = None,
        actor_label_override: str | None = None,
        *,
        sandbox_id: int | None = None,
        clock_fields=None,
        hours_fields=None,
    ):
        self._sandbox = sandbox
        self._sandbox_id = sandbox.id if sandbox is not None else sandbox_id
        self._clock = clock_fields
        self._hours = hours_fields
        self._organisation = None
        self.actor = actor
        self.actor_label_override = actor_label_override

    @classmethod
    def for_page(cls, sandbox_id: int, clock_fields, actor, hours_fields=None) -> SandboxContext:
        """A context for a CRM page: `clock_fields` is any object with the sandbox's clock
        fields (`clock_start`, `clock_anchor`, `clock_offset_seconds`, and for a scenario's
        clock `clock_runs_on_work`, `clock_worked_seconds`, `clock_running`) as read for this
        request; `now()` reads them until the row itself is loaded. `hours_fields`, when
        given, has the organisation's `working_days`, `opens_at` and `closes_at`, which
        `calendar()` reads the same way (two statements fewer on a page that needs it)."""
        return cls(
            None, actor, sandbox_id=sandbox_id, clock_fields=clock_fields, hours_fields=hours_fields
        )

    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            self._sandbox = db.session.get(Sandbox, self._sandbox_id)
        return self._sandbox

    @property
    def organisation(self) -> Organisation:
        """The sandbox's organisation: through the `Sandbox` row when it is loaded, else read
        by its sandbox id (one statement, where the row and then its organisation are two)."""
        if self._sandbox is not None:
            return self._sandbox.organisation
        if self._organisation is None:
            self._organisation = db.session.scalars(
                select(Organisation).where(Organisation.sandbox_id == self._sandbox_id)
            ).one()
        return self._organisation

    def organisation_read(self, organisation) -> None:
        """The organisation as a page read it with its other reads (every column of its row,
        a `together.Record`): `organisation` gives it until the sandbox row is loaded, as
        `now()` gives the page's clock fields."""
        self._organisation = organisation

    @property
    def sandbox_id(self) -> int:
        return self._sandbox_id

    @property
    def actor_label(self) -> str:
        if self.actor_label_override:
            return self.actor_label_override
        if self.actor is None:
            return "System"
        return f"{self.actor.name} ({self.actor.role})"

    def now(self) -> datetime:
        """Sandbox business time now."""
        # Once the row is loaded a service may have moved its clock: the row is the truth.
        return clock.sandbox_now(self._sandbox if self._sandbox is not None else self._clock)

    @property
    def clock_start(self) -> datetime:
        """When the sandbox's business time began (read like `now()`)."""
        return (self._sandbox if self._sandbox is not None else self._clock).clock_start

    def get(self, model, object_id):
        """An object of this sandbox by id, or NotFound."""
        return get_in_sandbox(model, object_id, self._sandbox_id)

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
        # As with now(): the page's fields until the rows are loaded, then the rows.
        if self._sandbox is None and self._hours is not None:
            return clock.WorkingCalendar.for_organisation(self._hours)
        return clock.WorkingCalendar.for_organisation(self.organisation)
