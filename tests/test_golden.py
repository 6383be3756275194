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
        "housing/small": "214dace5dee828b27311c8563aed19a78459406a5944b9e2f3a0b9293e467b97",
        "housing/standard": "78a01edc2b4909fd7cc2147ead22f25da88f941954123276f981ddac2261b4a4",
        "housing/large": "3fac8c9227e7b59004ba3c00443dc367c87d9fe790d0355353a2dd53e15e48b1",
        "it_services/small": "d63f2ba4cee25760a91723a8c6a2ad9ccdb859b71f4e9853ee305978a7618e3e",
        "it_services/standard": "b68b796cea1e6e4913446ac1cb6b3390b4259c213b6fbf4b1633f260ec546d1a",
        "it_services/large": "200a987d5f2b9a162d71e000fe14b9352998f7adf0dcdfbd383c296566aadf6a",
        "leisure/small": "17456b8f25d6a629f2a721f545c33f6414f6670e422a232a8ac7ade05bd7abba",
        "leisure/standard": "68afd41822f568ea3bcd860b4782d87c947d2589692839ba6ec4a3d2ed804bf2",
        "leisure/large": "3aabc2c374fd11bd7f9bde2d3cb2af73860d50e3a45ab9b9d9b5f8d3c38b3072",
        "retail/small": "be1c7a0c6b283378889277c808b711ce8d81bb05b6b872d1e9c725b88dccd9a0",
        "retail/standard": "eb0e7fc1f0e22eb2ce4e59011eb7075bb45ca4dc367725fb62d7409f2b28d205",
        "retail/large": "997a03e5b59b966a6e3478ead3c049bde5158d6f1b29f605930f75347714bac0",
    },
    "provisioned": {
        "housing": "1339ab41545d83dcf16bd87c54d6cf1537338b871fc8e979c2ebdfe38be1b3e6",
        "it_services": "30dda6ac327bdb7a3e4996cbced7a26b7df761166e7f5479304548cd8fce9a5e",
        "leisure": "fa49f824adff8bb29c1f20d3cac30566cbe11f171bf9a73bf4f9e599374bfced",
        "retail": "d3b4c007f44aa2cf2da9cd0ca37eb64c4418d271b563e5b30ec97d673308f0c6",
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
