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
        "housing/small": "3709c4a5640117241385912d5b7d58585026fa21ff2b2cda7a5ac1758564004f",
        "housing/standard": "33777985e074acb924e0a2ca36947889376dbd985b66b9f513bba7b50c0a1eac",
        "housing/large": "230bdbcc1d11af9b67ed97a0b2dfde24ec7a569901cf7e28677d30bc824dc282",
        "it_services/small": "b3d0e8350e9bf423c226e2a19f95a99f95e6b9e3734781a265ca1e592e4705d7",
        "it_services/standard": "fddf48d6d40504fe591961d704c88485583f25f34a59c64b0b66b5b331e8c76d",
        "it_services/large": "7f453ca8bd2402f17965bb47f32c5124987a9a69185e667bc215d2dd7384b5ae",
        "leisure/small": "198853e87b395b45ce9a371d18482d6062c792d079c87255648d706803ea30a4",
        "leisure/standard": "ed867f740773dff8e8ea2dc5cfcea4d199fd89c4357041552a4e8aaa07055500",
        "leisure/large": "621994f54f7b1d3d6490aa203b59a8179cca996c74188b9de242e7031c151fe7",
        "retail/small": "9a4b6a5cfda8bd4d83b77859142b9b60e8287c383118b3f64a78720d04c6b17d",
        "retail/standard": "fbe576b9fab7da36119100cc592589ade48ef13b6c31f2b6c2742e149f32726a",
        "retail/large": "4ad91b8c3101625c46b574b36f4a2e69b8d9660f004ae7f84c490af63dfe3439",
    },
    "provisioned": {
        "housing": "abebb48e964c74f30d8785a936016245b2a35b55d220b4e738472ec0a15eb801",
        "it_services": "e5407585e1d6f822cbf1c80c5b7bf284a604770d6140be5e4207885be7e55baa",
        "leisure": "f43330d1eca5b2a6ace8187ce41f2b6f410df5929848231602da701a66db90fb",
        "retail": "b955bd68c587b1e4263c55a369dc5be6f01051d061f04bcd75110f666d88dbd9",
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
