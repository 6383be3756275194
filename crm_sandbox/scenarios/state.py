"""What a check reads: the sandbox's records (read-only queries, scoped to the sandbox) and
its ordered action log since the scenario started (or was last reset)."""

from __future__ import annotations

import heapq
from datetime import datetime
from operator import attrgetter

import orjson
from sqlalchemy import String, Text, bindparam, cast, func, select, type_coerce

from ..models import (
    ActionLogEntry,
    Complaint,
    Contact,
    Sandbox,
    ServiceStandard,
    Survey,
    db,
)
from ..scoping import read_in_sandbox
from ..services import clock

KIND_MODELS = {
    "contacts": Contact,
    "complaints": Complaint,
    "standards": ServiceStandard,
    "surveys": Survey,
}
START_VERBS = ("sandbox.provisioned", "sandbox.reset", "scenario.started")
START_OBJECT_TYPES = ("sandbox", "attempt")  # what those verbs are logged about


_UNREAD = object()  # LogItem.after_contact_id not given: read it from the payload


class LogItem:
    """One action-log entry as the checks read it. The payload (values before and after) is
    kept as the JSON text the database returned and decoded the first time a check reads it:
    most checks skip most entries by verb, so a long log is not decoded in full. Likewise the
    sandbox time, which SQLite returns as ISO text, is parsed only when a check reads it."""

    __slots__ = ("seq", "verb", "object_type", "object_id", "_time", "_payload", "_contact_id")

    def __init__(
        self,
        seq: int,
        verb: str,
        object_type: str,
        object_id: int | None,
        sandbox_time: datetime | str,
        payload: dict | str | None,
        contact_id: int | None | object = _UNREAD,
    ):
        self.seq = seq
        self.verb = verb
        self.object_type = object_type
        self.object_id = object_id
        self._time = sandbox_time
        self._payload = payload
        self._contact_id = contact_id

    @property
    def after_contact_id(self) -> int | None:
        """`after["contact_id"]`: most checks pick a customer's entries by it, so the database
        extracts it beside the payload and those checks decode only the entries they keep."""
        if self._contact_id is _UNREAD:
            self._contact_id = self.after.get("contact_id")
        return self._contact_id

    @property
    def sandbox_time(self) -> datetime:
        if isinstance(self._time, str):
            self._time = datetime.fromisoformat(self._time)
        return self._time

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


class Log(list):
    """The log items of one evaluation in seq order (a list, as the checks iterate it), with
    indexes built the first time a check asks: the items with given verbs, and the items about
    an object id. Most checks look at a few verbs or one record, so on a long log they walk
    those items only instead of every entry. The lists returned are shared: read them only."""

    def __init__(self, items=()):
        super().__init__(items)
        self._by_verb: dict[str, list[LogItem]] | None = None
        self._by_object: dict[int | None, list[LogItem]] | None = None
        self._merged: dict[tuple[str, ...], list[LogItem]] = {}

    def of(self, *verbs: str) -> list[LogItem]:
        """The items with any of these verbs, in seq order."""
        if self._by_verb is None:
            by_verb: dict[str, list[LogItem]] = {}
            for item in self:
                by_verb.setdefault(item.verb, []).append(item)
            self._by_verb = by_verb
        if len(verbs) == 1:
            return self._by_verb.get(verbs[0], [])
        if verbs not in self._merged:
            lists = [self._by_verb[v] for v in dict.fromkeys(verbs) if v in self._by_verb]
            self._merged[verbs] = list(heapq.merge(*lists, key=attrgetter("seq")))
        return self._merged[verbs]

    def verbs(self) -> list[str]:
        """Every verb that occurs in the log."""
        self.of()
        return list(self._by_verb)

    def about(self, object_id: int | None) -> list[LogItem]:
        """The items whose object id is this one (of any object type), in seq order."""
        if self._by_object is None:
            by_object: dict[int | None, list[LogItem]] = {}
            for item in self:
                by_object.setdefault(item.object_id, []).append(item)
            self._by_object = by_object
        return self._by_object.get(object_id, [])


def as_log(items) -> Log:
    """A Log of these items (the same object when it is one already)."""
    return items if isinstance(items, Log) else Log(items)


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
            # every record of this kind the scenario names, in one query (checks usually read
            # several of them); one the sandbox does not hold is None
            model = KIND_MODELS[kind]
            wanted = {object_id, *self.keys.get(kind, {}).values()}
            wanted -= {i for k, i in self._got if k == kind}
            found = {
                row.id: row
                for row in db.session.scalars(
                    select(model).where(model.id.in_(wanted), model.sandbox_id == self.sandbox.id)
                )
            }
            for one in wanted:
                self._got[kind, one] = found.get(one)
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


_LOG_SINCE = (
    select(
        ActionLogEntry.seq,
        ActionLogEntry.verb,
        ActionLogEntry.object_type,
        ActionLogEntry.object_id,
        # as the driver returns it: text on SQLite, parsed lazily (LogItem.sandbox_time)
        type_coerce(ActionLogEntry.sandbox_time, String),
        cast(ActionLogEntry.payload, Text),  # decoded lazily (LogItem.payload)
        ActionLogEntry.payload[("after", "contact_id")].as_integer(),
    )
    .where(
        ActionLogEntry.sandbox_id == bindparam("sandbox_id"),
        ActionLogEntry.seq >= bindparam("from_seq"),
    )
    .order_by(ActionLogEntry.seq)
)


def load_log(sandbox_id: int) -> Log:
    """The log since the attempt last started, oldest first (light rows; earlier attempts'
    entries are left in the database)."""
    # Core, not the ORM: plain rows, no ORM result machinery per row. One statement built at
    # import, so the scope check in read_in_sandbox looks at it once.
    rows = read_in_sandbox(
        sandbox_id,
        _LOG_SINCE,
        {"sandbox_id": sandbox_id, "from_seq": attempt_start_seq(sandbox_id)},
    )
    return Log([LogItem(*row) for row in rows])


def attempt_start_seq(sandbox_id: int) -> int:
    """The seq of the entry where the current attempt started (or was last restarted)."""
    return (
        db.session.scalar(
            select(func.max(ActionLogEntry.seq)).where(
                ActionLogEntry.sandbox_id == sandbox_id,
                # implied by the verbs; lets the (sandbox, object) index skip the other entries
                ActionLogEntry.object_type.in_(START_OBJECT_TYPES),
                ActionLogEntry.verb.in_(START_VERBS),
            )
        )
        or 0
    )
