"""What a check reads: the sandbox's records (read-only queries, scoped to the sandbox) and
its ordered action log since the scenario started (or was last reset)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..models import (
    ActionLogEntry,
    Complaint,
    Contact,
    Sandbox,
    ServiceStandard,
    Survey,
    db,
)
from ..services import clock

KIND_MODELS = {
    "contacts": Contact,
    "complaints": Complaint,
    "standards": ServiceStandard,
    "surveys": Survey,
}
START_VERBS = ("sandbox.provisioned", "sandbox.reset", "scenario.started")


@dataclass(frozen=True)
class LogItem:
    seq: int
    verb: str
    object_type: str
    object_id: int | None
    sandbox_time: datetime
    payload: dict | None

    @property
    def after(self) -> dict:
        return ((self.payload or {}).get("after")) or {}

    @property
    def before(self) -> dict:
        return ((self.payload or {}).get("before")) or {}


class SandboxState:
    """Read-only access to one sandbox for the checks."""

    def __init__(self, sandbox: Sandbox, keys: dict[str, dict[str, int]]):
        self.sandbox = sandbox
        self.keys = keys
        self.now = clock.sandbox_now(sandbox)
        self.calendar = clock.WorkingCalendar.for_organisation(sandbox.organisation)
        self.procedure = sandbox.organisation.complaints_procedure or {}

    def id_of(self, kind: str, key: str) -> int | None:
        return self.keys.get(kind, {}).get(key)

    def get(self, kind: str, key: str):
        object_id = self.id_of(kind, key)
        if object_id is None:
            return None
        model = KIND_MODELS[kind]
        return db.session.scalar(
            select(model).where(model.id == object_id, model.sandbox_id == self.sandbox.id)
        )

    def all(self, model, *conditions, order_by=None) -> list:
        query = select(model).where(model.sandbox_id == self.sandbox.id, *conditions)
        return list(
            db.session.scalars(query.order_by(order_by if order_by is not None else model.id))
        )

    def contact_ids(self, keys) -> dict[int, str]:
        return {self.id_of("contacts", k): k for k in keys if self.id_of("contacts", k)}


def load_log(sandbox_id: int) -> list[LogItem]:
    """The log since the attempt last started, oldest first (light rows; earlier attempts'
    entries are left in the database)."""
    rows = db.session.execute(
        select(
            ActionLogEntry.seq,
            ActionLogEntry.verb,
            ActionLogEntry.object_type,
            ActionLogEntry.object_id,
            ActionLogEntry.sandbox_time,
            ActionLogEntry.payload,
        )
        .where(
            ActionLogEntry.sandbox_id == sandbox_id,
            ActionLogEntry.seq >= attempt_start_seq(sandbox_id),
        )
        .order_by(ActionLogEntry.seq)
    ).all()
    return [LogItem(*row) for row in rows]


def attempt_start_seq(sandbox_id: int) -> int:
    """The seq of the entry where the current attempt started (or was last restarted)."""
    return (
        db.session.scalar(
            select(func.max(ActionLogEntry.seq)).where(
                ActionLogEntry.sandbox_id == sandbox_id, ActionLogEntry.verb.in_(START_VERBS)
            )
        )
        or 0
    )
