"""What an insider with write access to the database (and the source code, but not the log
key) does to rewrite history: drop the guard triggers, edit an entry, re-hash the rest."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from sqlalchemy import text, update

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Sandbox
from crm_sandbox.services import action_log

from .conftest import TEST_DATABASE_URL

HEADER_FIELDS = (
    "sandbox_id",
    "seq",
    "actor_id",
    "real_time",
    "sandbox_time",
    "verb",
    "object_type",
    "object_id",
)


def drop_guards() -> None:
    """Remove the triggers that refuse UPDATE and DELETE on the action log."""
    if TEST_DATABASE_URL:
        db.session.execute(text("ALTER TABLE action_log DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER action_log_no_update"))
        db.session.execute(text("DROP TRIGGER action_log_no_delete"))


def rewrite_and_rehash(sandbox_id: int, seq: int, change) -> None:
    """Replace entry `seq`'s payload with `change(payload)`, then recompute the payload hash
    and every following entry hash exactly as `action_log.record` does, and move the
    sandbox's head to the new last hash. Commits."""
    drop_guards()
    db.session.commit()
    entries = action_log.entries(sandbox_id, newest_first=False)
    table = ActionLogEntry.__table__
    prev_hash = entries[seq - 2].entry_hash if seq > 1 else action_log.GENESIS
    for entry in entries[seq - 1 :]:
        payload = change(entry.payload) if entry.seq == seq else entry.payload
        payload_hash = hashlib.sha256(
            action_log.canonical_json(payload).encode("utf-8")
        ).hexdigest()
        forged = SimpleNamespace(
            **{name: getattr(entry, name) for name in HEADER_FIELDS},
            payload_hash=payload_hash,
            prev_hash=prev_hash,
        )
        entry_hash = action_log.compute_entry_hash(forged)
        db.session.execute(
            update(table)
            .where(table.c.id == entry.id)
            .values(
                payload=payload,
                payload_hash=payload_hash,
                prev_hash=prev_hash,
                entry_hash=entry_hash,
            )
        )
        prev_hash = entry_hash
    db.session.execute(
        update(Sandbox.__table__).where(Sandbox.id == sandbox_id).values(log_head=prev_hash)
    )
    db.session.commit()
    db.session.expire_all()
