"""What a check reads: the sandbox's records (read-only queries, scoped to the sandbox) and
its ordered action log since the scenario started (or was last reset)."""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import Text, cast, func, select

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


class LogItem:
    """One action-log entry as the checks read it. The payload (values before and after) is
    kept as the JSON text the database returned and decoded the first time a check reads it:
    most checks skip most entries by verb, so a long log is not decoded in full."""

    __slots__ = ("seq", "verb", "object_type", "object_id", "sandbox_time", "_payload")

    def __init__(
        self,
        seq: int,
        verb: str,
        object_type: str,
        object_id: int | None,
        sandbox_time: datetime,
        payload: dict | str | None,
    ):
        self.seq = seq
        self.verb = verb
        self.object_type = object_type
        self.object_id = object_id
        self.sandbox_time = sandbox_time
        self._payload = payload

    @property
    def payload(self) -> dict | None:
        if isinstance(self._payload, str):
            self._payload = orjson.loads(self._payload)
        return self._payload

    @property
    def after(self) -> dict:
        return ((self.payload or {}).get("after")) or {}

    @property
    def before(self) -> dict:
        return ((self.payload or {}).get("before")) or {}

    def _key(self) -> tuple:
        return (self.seq, self.verb, self.object_type, self.object_id, self.sandbox_time)

    def __eq__(self, other) -> bool:
        if not isinstance(other, LogItem):
            return NotImplemented
        return self._key() == other._key() and self.payload == other.payload

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"LogItem(seq={self.seq}, verb={self.verb!r}, object_id={self.object_id})"


class SandboxState:
    """Read-only access to one sandbox for the checks. It lives for one evaluation, in which
    nothing changes, so a record or a whole table that several checks read is fetched once."""

    def __init__(self, sandbox: Sandbox, keys: dict[str, dict[str, int]]):
        self.sandbox = sandbox
        self.keys = keys
        self._got: dict[tuple[str, int], object] = {}
        self._tables: dict[type, list] = {}
        self.now = clock.sandbox_now(sandbox)
        self.calendar = clock.WorkingCalendar.for_organisation(sandbox.organisation)
        self.procedure = sandbox.organisation.complaints_procedure or {}

    def id_of(self, kind: str, key: str) -> int | None:
        return self.keys.get(kind, {}).get(key)

    def get(self, kind: str, key: str):
        object_id = self.id_of(kind, key)
        if object_id is None:
            return None
        if (kind, object_id) not in self._got:
            model = KIND_MODELS[kind]
            self._got[kind, object_id] = db.session.scalar(
                select(model).where(model.id == object_id, model.sandbox_id == self.sandbox.id)
            )
        return self._got[kind, object_id]

    def all(self, model, *conditions, order_by=None) -> list:
        if not conditions and order_by is None:  # a whole table, in id order: read once
            if model not in self._tables:
                self._tables[model] = self._query_all(model)
            return list(self._tables[model])
        return self._query_all(model, *conditions, order_by=order_by)

    def _query_all(self, model, *conditions, order_by=None) -> list:
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
            cast(ActionLogEntry.payload, Text),  # decoded lazily (LogItem.payload)
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
