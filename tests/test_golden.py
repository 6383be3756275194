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
        "housing/small": "74ad1ee73ecb5a163e75ecda9b9dd9333ed71485e5aa3de99dd0de8986acd845",
        "housing/standard": "57b0c6b47c28c34c756ad2e5fe892a0c2997864b2a40f161880540a78d077006",
        "housing/large": "7894ec779e0c55a7c23625cdbd5b6f559b78e78dc8dfbb4de105ca6777e1009b",
        "it_services/small": "546aa6e3e7c1e0cf34b4984cdd0f29c1dcb3fbdc7f56c81001f5c349ca30b602",
        "it_services/standard": "eb37b9510531f566f64c147a8e9f189b427e4397431df142b5caed749ecb4ba8",
        "it_services/large": "f371e12064410202824d8a7c00b4459910f811944b270be74939765e0f630d24",
        "leisure/small": "e4034ff47492ef00cd53cac56ff95fc8ab4777beb1d5cdb95506f7fcea3e61db",
        "leisure/standard": "d1d100accea5da9030d727f95bb87377bd6332a3cc6dc886e2ee12f405c4164e",
        "leisure/large": "3418364d6244eda7e8bd3f43909c118a2142d642fdc7b0a8cbbe5986285e240c",
        "retail/small": "266ff0793a94d2e03d74cfb9421898a904df19cf9961d0bff3c65c56e52eb254",
        "retail/standard": "de4e90dd45074d6f63c9c2f3cb6f70e87989f5bd97c69f3d69a8397545bdb525",
        "retail/large": "e74d3b9ad6172f12b81284c137121ebc46013eebf717754b3c6a5a6ac5495bee",
    },
    "provisioned": {
        "housing": "432683c7650b09601dd3c13e3b92c0c7d57d2dae91a887a239403d676747f2d9",
        "it_services": "aadd473f3d84f2583418b07f18cda078c987a5ceb2cae3b61524306f37a98777",
        "leisure": "f3d7f836e6bb58ffc224e23f382f71cc523fa0aaf1baf8a933e2d55bcbac82eb",
        "retail": "d4797e4eb5d4fcc3ec9567ac6dad80eea9221d331405654b6923d1677cd901df",
    },
    "selftest": "541ab4c51a76e6cbd3427ece7bf1375f10e54d880275ed1b96ca3d43f933010e",
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
