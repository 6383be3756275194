"""Fill a sandbox's action log fast: many valid, hash-chained entries in bulk inserts.

Each entry is hashed exactly as `crm_sandbox.services.action_log.record` hashes it (the same
`canonical_json`, payload hash and header), so `crm-sandbox log verify` accepts the result; the
rows go in with one executemany per chunk instead of one ORM flush per entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select

CHUNK = 5000


def append(sandbox, items: Iterable[tuple[str, str, int | None, dict]], actor_label: str) -> int:
    """Append (verb, object_type, object_id, after) items to the sandbox's log, one second of
    sandbox time apart; returns how many were added. Flushes, does not commit."""
    from crm_sandbox.extensions import db
    from crm_sandbox.models import ActionLogEntry
    from crm_sandbox.models.base import utcnow
    from crm_sandbox.services import action_log, clock

    db.session.flush()
    table = ActionLogEntry.__table__
    seq, head = sandbox.log_seq, sandbox.log_head
    real_time = utcnow().replace(microsecond=0)
    when = clock.sandbox_now(sandbox)
    rows, added = [], 0
    payloads: dict[int, tuple[dict, str]] = {}  # the same values logged again: hashed once

    def flush_rows():
        if rows:
            db.session.execute(insert(table), rows)
            rows.clear()

    for verb, object_type, object_id, after in items:
        seq += 1
        when += timedelta(seconds=1)
        if id(after) not in payloads:
            payload = json.loads(
                action_log.canonical_json({"actor": actor_label, "before": None, "after": after})
            )
            payloads[id(after)] = (payload, action_log._sha256(action_log.canonical_json(payload)))
        payload, payload_hash = payloads[id(after)]
        entry = SimpleNamespace(
            sandbox_id=sandbox.id,
            seq=seq,
            actor_id=None,
            real_time=real_time,
            sandbox_time=when,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            payload=payload,
            payload_hash=payload_hash,
            prev_hash=head,
        )
        entry.entry_hash = action_log.compute_entry_hash(entry)
        head = entry.entry_hash
        rows.append(
            {
                "sandbox_id": sandbox.id,
                "seq": seq,
                "actor_id": None,
                "real_time": real_time,
                "sandbox_time": when,
                "verb": verb,
                "object_type": object_type,
                "object_id": object_id,
                "payload": payload,
                "payload_hash": entry.payload_hash,
                "prev_hash": entry.prev_hash,
                "entry_hash": entry.entry_hash,
            }
        )
        added += 1
        if len(rows) >= CHUNK:
            flush_rows()
    flush_rows()
    sandbox.log_seq, sandbox.log_head = seq, head
    action_log.checkpoint(sandbox)
    db.session.flush()
    return added


def inbound_interactions(sandbox, count: int):
    """`count` log items recording inbound, reactive interactions with the sandbox's seeded
    contacts (real rows of the sandbox, cycled): the everyday bulk of a busy log, which every
    check that reads interactions has to look through."""
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Interaction
    from crm_sandbox.services.interactions import snapshot

    if count <= 0:
        return
    seeded = list(
        db.session.scalars(
            select(Interaction)
            .where(Interaction.sandbox_id == sandbox.id, Interaction.direction == "inbound")
            .order_by(Interaction.id)
            .limit(count)  # cycled: no more are needed
        )
    )
    if not seeded:
        raise RuntimeError("the sandbox has no inbound interactions to log")
    after = [json.loads(_canonical(snapshot(i))) for i in seeded]
    for n in range(count):
        i = n % len(seeded)
        yield "interaction.logged", "interaction", seeded[i].id, after[i]


def _canonical(value) -> str:
    from crm_sandbox.services.action_log import canonical_json

    return canonical_json(value)
