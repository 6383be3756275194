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
        "housing/small": "39d259d453d39fde9aea23a55ce22b884420a034a9b1298ed743cd8c737d6e2d",
        "housing/standard": "2cc6fbb81eaeedf435b1695a3ec99b6cfd8d6325664412294896c73cc341dfcd",
        "housing/large": "49baef9e2822bcc08bf16c5fbac8b540b55961e9d4eb28e7968b8a09e365836e",
        "it_services/small": "7e581dd0aca70d3daf1c2359f1ceceb8352c25ede6f2a816b161dbf0d0f399b2",
        "it_services/standard": "4e8625d4af7c128ee86298e6571600db55b2a83af4855259cfc9e13a243332a3",
        "it_services/large": "dad577fd966aaf9b2a411659c0ab124d2489132916aae953dd0c0a5c897cddc3",
        "leisure/small": "ae6c44be33513acc5684447c8bc45a26c00b4b184bd74fb8e43ea23b747b333b",
        "leisure/standard": "b8368f7343b0ded9eaed34f59e95a90820970e80a6ead63044965cac09f3dc92",
        "leisure/large": "7493bf970a3b910bed31fd48f79f58917f02fc971879a4348781d362bcc77627",
        "retail/small": "83cc50b7fffddb0ba82989175331a76df77a9f6ae025364ca3fa9d32fe0a98cf",
        "retail/standard": "1ab0eae87f47eea5f7e044a3a6d293fa9bce978c8203f4d1d5f4974bf69c0822",
        "retail/large": "d9c60cfaab2fa75c2f39c9f73577ede32b8253373143623e7858c800bc634b98",
    },
    "provisioned": {
        "housing": "ea8a595e4601645c909ff76d0e6b27997cc153aaefc286889f2fbb53ab271e8e",
        "it_services": "58fd76ece5668f3daa00ce397711f62831075c7010185038eb0f0f2111a36795",
        "leisure": "d0e26d92f1933afa29c2fcf4f1550f527d6d3a62414d4d1370e6fded8c9b85cd",
        "retail": "94158d6da8f80f5396296fff476af698678f04d3b79810a25118ef8dacbccd6e",
    },
    "selftest": "65fda88d78fba631fffb43b3367ca6fde49fc60d6a29e02dbdf21fd6e3570b48",
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
