"""Golden hashes: a restructure of the seed code or the scenario engine changes no seeded row
and no self-test result.

Three things are hashed, each from a canonical JSON dump (sorted keys, rows in id order, ids
relative to their sandbox so autoincrement offsets do not matter):
- the generator's rows for every organisation profile at every sandbox size (Faker's call order
  shows up here first);
- a practice sandbox provisioned in the database for every profile (the organisation, every
  sandboxed table and the first action-log entry): what a learner actually gets;
- the summary `crm-sandbox scenarios selftest --json` prints (counts and failures; no timings).

Left out on purpose: real-time timestamps (`created_at`, the log's `real_time`) and the action
log's chain columns (`payload_hash`, `prev_hash`, `entry_hash`), whose keying may change
without the log's content changing.

When a change is meant to alter the seeded data, run this file, check the difference is the
intended one, and paste the new digests from the failure messages into GOLDEN.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from crm_sandbox.models import ActionLogEntry, Role, db
from crm_sandbox.models.base import UTCDateTime
from crm_sandbox.scenarios import selftest
from crm_sandbox.services import clock, provisioning
from seed.generate import SIZES, generate
from seed.profiles import PROFILES

SEED = provisioning.DEFAULT_SEED

GOLDEN = {
    "generate": {
        "housing/small": "4d3ae506a3ecb7182ef743994d1a61ec231a0b7475f27c51e064e2824a94fa48",
        "housing/standard": "8ac274c3a7b61b38c4c4f2740d09a13781c21155c5a2f223ee73cb82bf1a5b8d",
        "housing/large": "007b73ac6204bc1fc32d69be75f1295e8baf71cb98f8c6c351ef559a159624bb",
        "it_services/small": "6e5dceb1cbbf95a21f8dbd723184b5838f08913d2ca930224200d9d5091e0ec9",
        "it_services/standard": "a7e8c9c8d6941e9fb14b1595f7626a70b2def033f76aecdd4d43bef8f983790d",
        "it_services/large": "a889fb847709afa846a2cbdc067c9546ec6608f5da5bb3dee88756eafacd720b",
        "leisure/small": "823fec4f8899af3ca17b0165064540026e752030b4c7146ec74ffcaf753d2636",
        "leisure/standard": "4d8eea5284ef610b533f7e6339d80b59d9934099ec30d647a08a5af9d5da6ff6",
        "leisure/large": "7c6e5b45b91b68d1c0f63d4c3171599622d7217370d2f81208078dcc0272bb55",
        "retail/small": "aa2d011065cc121d2c58747b8dd4fb96efde78cc7c8afd0d7c9a1755b98eddef",
        "retail/standard": "6eff4b4e4a1ad5b885bc315b36498bcc304b70d7509f908c937198bab3d3c6f8",
        "retail/large": "97a4ec8f9854c4e1d1ee05355aa7a8a1792f794f9bb9f7c88ff2d028716ec757",
    },
    "provisioned": {
        "housing": "817dff4e2cab4756bc2a106df1f56a2b5b23bc0c35aecc087f7be4b90151ed9c",
        "it_services": "8af371db475cee618bf4a7011a5ecc2b0b71234898472468091a5bae89c6d3a5",
        "leisure": "4a3fd4e8dc2e28a3e19d69dd5d51a63fe6cca3f48e35d7c4ecbf0387d96c9745",
        "retail": "660d25f6539726d78514cace11a7bf2124579397b849f79170854e95aafc7648",
    },
    "selftest": "34067d6345d409c5d8ec7d3d5e8bc07c30803727286096ff2b726d73ba3532b0",
}
CHAIN_COLUMNS = {"payload_hash", "prev_hash", "entry_hash"}


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not in the canonical dump: {type(value).__name__}")


def digest(data) -> str:
    """SHA-256 of the canonical JSON of `data`."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_encode)
    return hashlib.sha256(text.encode()).hexdigest()


def sandbox_dump(sandbox) -> dict:
    """Every row of every sandboxed table of `sandbox`, ids renumbered 1, 2, 3 ... per table in
    id order (foreign keys likewise), real-time and chain-hash columns left out."""
    tables = [*provisioning.copied_tables(), ActionLogEntry.__table__]
    fetched = {
        table.name: db.session.execute(
            select(table).where(table.c.sandbox_id == sandbox.id).order_by(table.c.id)
        )
        .mappings()
        .all()
        for table in tables
    }
    local = {
        name: {row["id"]: n for n, row in enumerate(rows, start=1)}
        for name, rows in fetched.items()
    }
    dump = {}
    for table in tables:
        rows = []
        for row in fetched[table.name]:
            out = {}
            for column in table.c:
                name, value = column.name, row[column.name]
                if name == "sandbox_id" or name in CHAIN_COLUMNS:
                    continue
                if isinstance(column.type, UTCDateTime):  # real time, not the sandbox's
                    continue
                parent = next((fk.column.table.name for fk in column.foreign_keys), None)
                if name == "id":
                    value = local[table.name][value]
                elif value is not None and parent in local:
                    value = local[parent][value]
                elif value is not None and parent is not None:
                    value = f"<{parent}>"  # a user: not part of the sandbox
                out[name] = value
            if table.name == "action_log" and out["object_id"] is not None:
                if out["object_type"] == "sandbox" and out["object_id"] == sandbox.id:
                    out["object_id"] = "<this sandbox>"
                elif f"{out['object_type']}s" in local:
                    out["object_id"] = local[f"{out['object_type']}s"].get(out["object_id"])
            rows.append(out)
        dump[table.name] = rows
    dump["sandbox"] = {
        "profile": sandbox.profile,
        "seed": sandbox.seed,
        "size": sandbox.size,
        "kind": sandbox.kind,
        "title": sandbox.title,
        "clock_start": sandbox.clock_start,
    }
    return dump


def _mismatch(what: str, actual: str) -> str:
    return f"{what} changed: its digest is now {actual!r} (see this file's docstring)"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_generator_gives_the_golden_rows_for_every_profile_and_size(profile, size):
    key = f"{profile}/{size}"
    actual = digest(generate(profile, SEED, size, clock.DEFAULT_START))
    assert actual == GOLDEN["generate"][key], _mismatch(f"generate {key}", actual)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_provisioned_sandbox_holds_the_golden_rows(app, create_user, frozen, profile):
    # Real time is frozen: the log's sandbox time is the clock start plus the real time the copy
    # took, which crosses a second now and then on a busy machine.
    learner = create_user(Role.LEARNER)
    sandbox = provisioning.provision(learner, profile=profile, seed=SEED, size="standard")
    db.session.commit()
    dump = sandbox_dump(sandbox)
    assert len(dump["contacts"]) > 100 and len(dump["action_log"]) == 1
    actual = digest(dump)
    assert actual == GOLDEN["provisioned"][profile], _mismatch(f"provisioned {profile}", actual)


def test_the_scenario_selftest_gives_the_golden_summary(app, frozen):
    summary = selftest.run()
    assert summary["scenarios"] > 0
    actual = digest(summary)
    assert actual == GOLDEN["selftest"], _mismatch("selftest summary", actual)
