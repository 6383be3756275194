"""The action log: appended in the same transaction as every change, hash-chained, verifiable.

entry_hash = SHA-256(prev_hash + canonical JSON of the entry header), where the header holds
the SHA-256 of the payload (values before and after). Erasing a payload for data protection
therefore leaves the chain verifiable.

The chain alone proves nothing to someone who can write to the database: they can edit an
entry and re-hash every entry after it. So each sandbox's head also carries a keyed checkpoint,
`log_mac` = HMAC-SHA256(log key, sandbox id, seq, head hash), rewritten with every entry. The
key lives outside the database (`CRM_SANDBOX_LOG_KEY` or `instance/log_key`), so a re-hashed
chain ends in a head whose checkpoint no one without the key can make.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, select

from .. import config, database
from ..models import ActionLogEntry, Sandbox, db
from ..models.base import utcnow
from . import clock

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot log a value of type {type(value).__name__}")


def canonical_json(value) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text.

    Strict JSON: NaN and Infinity are refused (ValueError) rather than written as the bare
    tokens strict parsers reject; the services refuse such numbers at input."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_default,
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(entry: ActionLogEntry) -> dict:
    return {
        "sandbox_id": entry.sandbox_id,
        "seq": entry.seq,
        "actor_id": entry.actor_id,
        "real_time": entry.real_time.isoformat(),
        "sandbox_time": entry.sandbox_time.isoformat(),
        "verb": entry.verb,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "payload_hash": entry.payload_hash,
    }


def compute_entry_hash(entry: ActionLogEntry) -> str:
    """The entry's link in its sandbox's hash chain: its header (with the payload's hash, not the
    payload) hashed after the previous entry's hash, so any edit or removal breaks the chain."""
    return _sha256(entry.prev_hash + canonical_json(_header(entry)))


def log_key() -> bytes:
    """The app's HMAC key for log checkpoints: `LOG_KEY` from the settings, else the instance
    folder's `log_key` file (generated on first use, mode 0600)."""
    key = current_app.config.get("LOG_KEY")
    if not key:
        key = current_app.config["LOG_KEY"] = config.instance_log_key(current_app.instance_path)
    return key.encode("utf-8") if isinstance(key, str) else key


def existing_log_key() -> bytes | None:
    """The log key if this app has one (settings or instance folder), never a new one: a key
    made up by a verifier could only fail every checkpoint."""
    key = current_app.config.get("LOG_KEY") or config.instance_log_key(
        current_app.instance_path, create=False
    )
    return key.encode("utf-8") if isinstance(key, str) else key


def head_mac(key: bytes, sandbox_id: int, seq: int, head: str) -> str:
    """The keyed checkpoint of a chain head: HMAC-SHA256 over the sandbox, seq and head hash."""
    # Fixed fields with a fixed separator (ids are integers, the head is hex): unambiguous,
    # and a tenth of the cost of canonical JSON on every append.
    message = f"crm-sandbox-log-head:{int(sandbox_id)}:{int(seq)}:{head}"
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def head_mac_matches(key: bytes, sandbox_id: int, seq: int, head: str, mac: str | None) -> bool:
    """Whether `mac` is the checkpoint of this head (compared in constant time)."""
    return isinstance(mac, str) and hmac.compare_digest(head_mac(key, sandbox_id, seq, head), mac)


def checkpoint(sandbox: Sandbox, key: bytes | None = None) -> None:
    """Set the sandbox's keyed checkpoint for its current head (after appending entries)."""
    sandbox.log_mac = head_mac(key or log_key(), sandbox.id, sandbox.log_seq, sandbox.log_head)


def lock_sandbox(sandbox: Sandbox) -> Sandbox:
    """Re-read the sandbox row with a row lock (PostgreSQL) so appends to one log queue up;
    on SQLite the write transaction (BEGIN IMMEDIATE) already serialises them."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Sandbox.id).where(Sandbox.id == sandbox.id).with_for_update())
        db.session.refresh(sandbox, attribute_names=["log_seq", "log_head"])
    return sandbox


# Who else must hear of an entry (grades to a learning platform, xAPI statements): functions
# called with each new entry of their verbs, in the same transaction, so what they enqueue in
# the outbox exists exactly when the entry does. Registered at import by the services that
# need them (services/lti, services/xapi), never by views.
_SUBSCRIBERS: dict[str, list] = {}


def subscribe(verbs, fn) -> None:
    """Call `fn(entry, ctx)` after each new entry whose verb is in `verbs`, in the same
    transaction. Raising refuses the action (keep subscribers to enqueueing)."""
    for verb in verbs:
        if fn not in _SUBSCRIBERS.setdefault(verb, []):
            _SUBSCRIBERS[verb].append(fn)


def record(
    ctx,
    verb: str,
    object_type: str,
    object_id: int | None,
    *,
    before=None,
    after=None,
    sandbox_time: datetime | None = None,
) -> ActionLogEntry:
    """Append one entry to the sandbox's log (flushes, does not commit)."""
    sandbox = lock_sandbox(ctx.sandbox)
    payload = json.loads(
        canonical_json({"actor": ctx.actor_label, "before": before, "after": after})
    )
    entry = ActionLogEntry(
        sandbox_id=sandbox.id,
        seq=sandbox.log_seq + 1,
        actor_id=ctx.actor.id if ctx.actor is not None else None,
        real_time=utcnow(),
        sandbox_time=sandbox_time or clock.sandbox_now(sandbox),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        payload=payload,
        payload_hash=_sha256(canonical_json(payload)),
        prev_hash=sandbox.log_head,
    )
    entry.entry_hash = compute_entry_hash(entry)
    sandbox.log_seq = entry.seq
    sandbox.log_head = entry.entry_hash
    checkpoint(sandbox)
    db.session.add(entry)
    db.session.flush()
    for fn in _SUBSCRIBERS.get(verb, ()):
        fn(entry, ctx)
    return entry


@dataclass
class VerifyResult:
    sandbox_id: int
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""
    erased: int = 0  # payloads erased for data protection (the one allowed change)

    def __str__(self) -> str:
        if self.ok:
            erased = f", {self.erased} payload(s) erased for data protection" if self.erased else ""
            keyed = ", keyed checkpoint matches" if self.entries else ""
            return f"sandbox {self.sandbox_id}: {self.entries} entries{erased}, chain intact{keyed}"
        where = f"entry seq {self.first_bad_seq}"
        if self.first_bad_id is not None:
            where += f" (id {self.first_bad_id})"
        return f"sandbox {self.sandbox_id}: BROKEN at {where}: {self.reason}"


def verify(sandbox_id: int, key: bytes | None = None) -> VerifyResult:
    """Recompute the sandbox's chain, name the first entry that does not fit, and check the
    head against its keyed checkpoint (which a re-hashed chain cannot match)."""
    sandbox = db.session.get(Sandbox, sandbox_id)
    prev_hash = GENESIS
    expected_seq = 1
    count = erased = 0
    last_id = None
    rows = db.session.scalars(
        select(ActionLogEntry)
        .where(ActionLogEntry.sandbox_id == sandbox_id)
        .order_by(ActionLogEntry.id)
        .execution_options(**database.streaming(2000))
    )

    def broken(entry, reason):
        return VerifyResult(sandbox_id, count, False, entry.seq, entry.id, reason, erased)

    try:
        for entry in rows:
            count += 1
            if entry.seq != expected_seq:
                return broken(
                    entry,
                    f"expected seq {expected_seq}, found {entry.seq} "
                    "(an entry was removed, inserted or moved)",
                )
            if entry.prev_hash != prev_hash:
                return broken(entry, "does not follow the entry before it")
            if entry.payload is None:
                erased += 1
            elif _sha256(canonical_json(entry.payload)) != entry.payload_hash:
                return broken(entry, "its recorded values were changed")
            if compute_entry_hash(entry) != entry.entry_hash:
                return broken(entry, "its contents were changed")
            prev_hash = entry.entry_hash
            last_id = entry.id
            expected_seq += 1
    finally:
        rows.close()  # a server-side cursor on PostgreSQL when we stop early
    if sandbox is None:
        return VerifyResult(sandbox_id, count, True, erased=erased)
    if sandbox.log_seq != count or sandbox.log_head != prev_hash:
        return VerifyResult(
            sandbox_id,
            count,
            False,
            count + 1,
            None,
            f"the log should have {sandbox.log_seq} entries ending in {sandbox.log_head[:12]}…, "
            f"but has {count} ending in {prev_hash[:12]}… (entries at the end were removed)",
            erased,
        )
    if count and not head_mac_matches(
        key or log_key(), sandbox_id, count, prev_hash, sandbox.log_mac
    ):
        missing = "has no keyed checkpoint" if not sandbox.log_mac else "does not match"
        return VerifyResult(
            sandbox_id,
            count,
            False,
            count,
            last_id,
            f"the chain's head (seq {count}, {prev_hash[:12]}…) {missing} its keyed "
            "checkpoint: the log was rewritten and re-hashed by someone without the log key "
            "(or this is not the key the log was written with)",
            erased,
        )
    return VerifyResult(sandbox_id, count, True, erased=erased)


def entries(sandbox_id: int, newest_first: bool = True, limit: int | None = None):
    """The sandbox's log entries in order (for timelines)."""
    params = {"sandbox_id": sandbox_id}
    if limit:
        params["limit"] = limit
    return list(db.session.scalars(_entries_statement(newest_first, bool(limit)), params))


@functools.lru_cache(maxsize=8)
def _entries_statement(newest_first: bool, limited: bool):
    """Built once per shape, with bound parameters (the dashboard asks on every visit)."""
    query = select(ActionLogEntry).where(ActionLogEntry.sandbox_id == bindparam("sandbox_id"))
    query = query.order_by(ActionLogEntry.seq.desc() if newest_first else ActionLogEntry.seq)
    if limited:
        query = query.limit(bindparam("limit"))
    return query
