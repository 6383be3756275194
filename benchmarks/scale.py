"""Scale: one database holding 500 standard sandboxes (a college's worth of classes) against
one holding only the sandbox being measured. The queries a learner's pages really run (the
same service functions the views call, inside the sandbox scope a request sets) must cost
the same in both: `scale_ratio` = p95 in the big database / p95 in the single one.

The databases are built once (provisioning's INSERT ... SELECT copies, each other sandbox
with a short log of its own) and kept in a temporary folder (SQLite) or in two databases
beside BENCH_DATABASE_URL (PostgreSQL), keyed by a digest of the migrations, models, seed
and copying code: a stale one is rebuilt.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

from . import logfill
from .common import (
    CACHE_DIR,
    empty_postgres,
    figure,
    make_app,
    make_learners,
    ms_since,
    schema_key,
    sibling_database,
)

# A whole college (issue 20: 5,000 learners, 20,000 sandboxes) is BENCH_SCALE_SANDBOXES=20000:
# hours to build and tens of GB; `make bench` keeps 500.
SANDBOXES = int(os.environ.get("BENCH_SCALE_SANDBOXES", "500"))
SCENARIO = "first-complaint"  # contacts, a complaint and its stages: every page has data
MEASURED_LOG = 500  # entries in the measured sandbox's log
OTHER_LOG = 100  # entries in each other sandbox's log
QUERIES = (
    "contacts_first_page",
    "contacts_late_page",
    "contacts_search",
    "complaints_by_stage",
    "check_my_work",
)


def _meta(key: str | None = None) -> dict | None:
    """The build record kept in the database (None if there is none or it is stale)."""
    from crm_sandbox.extensions import db

    try:
        row = db.session.execute(
            text("SELECT key, attempt_id, sandboxes, build_s, logs_s FROM bench_meta")
        ).one_or_none()
    except Exception:  # noqa: BLE001 - no such table: not built yet
        db.session.rollback()
        return None
    db.session.rollback()
    if row is None or (key is not None and row.key != key):
        return None
    return dict(row._mapping)


def _build(app, sandboxes: int, size: str, key: str, measured_at: int) -> dict:
    """Fill an empty, migrated database: `sandboxes` practice sandboxes and, at position
    `measured_at`, the measured learner's scenario attempt (model answer replayed)."""
    from crm_sandbox.cli import upgrade_database
    from crm_sandbox.extensions import db
    from crm_sandbox.scenarios import engine
    from crm_sandbox.scenarios.loader import LIBRARY, load_file
    from crm_sandbox.services import provisioning

    start = time.perf_counter()
    with app.app_context():
        upgrade_database()
        provisioning.get_or_create_template("retail", 1, size)
        measured = make_learners(1, "m")[0]
        db.session.commit()
        attempt_id = None
        logs_s = 0.0
        for n in range(sandboxes):
            if n == measured_at:
                path = LIBRARY / f"{SCENARIO}.yaml"
                scenario = load_file(path)
                scenario = scenario.model_copy(update={"size": size})
                attempt = engine.start_attempt(measured, scenario, path.read_text())
                engine.replay(attempt, scenario.model_answer)
                sandbox = attempt.sandbox
                logfill.append(
                    sandbox,
                    logfill.inbound_interactions(sandbox, MEASURED_LOG - sandbox.log_seq),
                    "Bench filler",
                )
                attempt_id = attempt.id
            else:
                sandbox = provisioning.provision(None)
                logs_start = time.perf_counter()
                logfill.append(
                    sandbox, logfill.inbound_interactions(sandbox, OTHER_LOG - 1), "Bench filler"
                )
                logs_s += time.perf_counter() - logs_start
            if n % 25 == 24:
                db.session.commit()
        db.session.commit()
        build_s = round(time.perf_counter() - start, 1)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE bench_meta (key VARCHAR(40), attempt_id INTEGER, "
                    "sandboxes INTEGER, build_s FLOAT, logs_s FLOAT)"
                )
            )
            conn.execute(
                text("INSERT INTO bench_meta VALUES (:k, :a, :s, :b, :l)"),
                {"k": key, "a": attempt_id, "s": sandboxes, "b": build_s, "l": round(logs_s, 1)},
            )
            conn.execute(text("ANALYZE"))
        return {
            "key": key,
            "attempt_id": attempt_id,
            "sandboxes": sandboxes,
            "build_s": build_s,
            "logs_s": round(logs_s, 1),
        }


def _database(url: str, instance: Path, sandboxes: int, size: str, key: str, fresh: bool):
    """(app, build record, whether it was reused) for a database with `sandboxes`."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        app = make_app(url, instance)
        if not fresh and path.exists():
            with app.app_context():
                meta = _meta(key)
            if meta is not None:
                return app, meta, True
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        app = make_app(url, instance)
    else:
        app = make_app(url, instance)
        if not fresh:
            with app.app_context():
                meta = _meta(key)
            if meta is not None:
                return app, meta, True
        empty_postgres(url)
    return app, _build(app, sandboxes, size, key, measured_at=sandboxes // 2), False


class Probe:
    """The measured learner's queries in one database, as their pages run them."""

    def __init__(self, app, attempt_id: int):
        from crm_sandbox.extensions import db
        from crm_sandbox.models import Attempt, Contact
        from crm_sandbox.services import contacts
        from crm_sandbox.services.context import SandboxContext

        self.app = app
        self.attempt_id = attempt_id
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            self.sandbox_id = attempt.sandbox_id
            ctx = SandboxContext(attempt.sandbox, attempt.learner)
            # The last page's cursor, by following the pages as a learner clicks "Next".
            cursor, self.pages = "", 1
            while True:
                _, following, _ = contacts.list_contacts(ctx, contacts.ContactFilters(), cursor)
                if following is None:
                    break
                cursor, self.pages = following, self.pages + 1
            self.late_cursor = cursor
            # A search for a surname that is in the sandbox (the middle contact's).
            names = db.session.scalars(
                Contact.__table__.select()
                .with_only_columns(Contact.last_name)
                .where(Contact.sandbox_id == self.sandbox_id, Contact.last_name != "")
                .order_by(Contact.id)
            ).all()
            self.search = names[len(names) // 2][:5].lower()
            db.session.rollback()

    @contextlib.contextmanager
    def request(self, writes: bool = False):
        """What a request does around the view: an app context, the sandbox scope, a read
        (deferred) transaction for a GET, the sandbox and learner loaded."""
        from crm_sandbox.database import set_read_only_transactions
        from crm_sandbox.extensions import db
        from crm_sandbox.models import Attempt
        from crm_sandbox.scoping import enter_sandbox
        from crm_sandbox.services.context import SandboxContext

        token = set_read_only_transactions(not writes)
        try:
            with self.app.app_context():
                enter_sandbox(self.sandbox_id)
                attempt = db.session.get(Attempt, self.attempt_id)
                ctx = SandboxContext(attempt.sandbox, attempt.learner)
                try:
                    yield ctx, attempt
                finally:
                    db.session.rollback()
        finally:
            from crm_sandbox.database import reset_transaction_mode

            reset_transaction_mode(token)

    def query(self, name: str, ctx, attempt):
        from crm_sandbox.scenarios import engine
        from crm_sandbox.services import complaints, contacts

        everyone = contacts.ContactFilters()
        if name == "contacts_first_page":
            contacts.list_contacts(ctx, everyone)  # the page and its count
        elif name == "contacts_late_page":
            contacts.list_contacts(ctx, everyone, after=self.late_cursor)
        elif name == "contacts_search":
            found = contacts.ContactFilters(search=self.search)
            rows, _, _ = contacts.list_contacts(ctx, found)
            if not rows:
                raise RuntimeError(f"the search for {self.search!r} found nobody")
        elif name == "complaints_by_stage":
            complaints.counts_by_stage(ctx)
        elif name == "check_my_work":
            engine.check_my_work(attempt, attempt.learner)  # rolled back afterwards
        else:
            raise ValueError(name)

    def sample(self, name: str) -> float:
        with self.request(writes=name == "check_my_work") as (ctx, attempt):
            start = time.perf_counter()
            self.query(name, ctx, attempt)
            return ms_since(start)

    def plans(self) -> dict[str, list[str]]:
        """SQLite's plan for every statement each query runs: a full table scan ('SCAN t'
        without an index) would make the cost grow with other sandboxes' rows."""
        from crm_sandbox.extensions import db

        found = {}
        for name in QUERIES:
            statements = []
            with self.request(writes=name == "check_my_work") as (ctx, attempt):
                engine = db.engine

                def capture(conn, cursor, statement, parameters, context, executemany):
                    if statement.lstrip().upper().startswith("SELECT"):
                        statements.append((statement, parameters))  # noqa: B023

                event.listen(engine, "before_cursor_execute", capture)
                try:
                    self.query(name, ctx, attempt)
                finally:
                    event.remove(engine, "before_cursor_execute", capture)
                lines = []
                for statement, parameters in statements:
                    rows = db.session.connection().exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                    lines.extend(r[-1] for r in rows)
            found[name] = sorted(set(lines))
        return found


def run(database_url: str | None, quick: bool = False) -> dict:
    sandboxes = 5 if quick else SANDBOXES
    size = "small" if quick else "standard"
    reps = {"check_my_work": 4 if quick else 20}
    default_reps = 4 if quick else 60  # sub-millisecond queries: p95 needs many samples
    key = schema_key() + ("-quick" if quick else "")
    with tempfile.TemporaryDirectory(prefix="crm-bench-scale-") as tmp:
        tmp = Path(tmp)
        if database_url:
            urls = (
                sibling_database(database_url, f"scale{sandboxes}"),
                sibling_database(database_url, "scale1"),
            )
        elif quick:
            urls = (f"sqlite:///{tmp / 'big.sqlite3'}", f"sqlite:///{tmp / 'single.sqlite3'}")
        else:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            for old in CACHE_DIR.glob("scale-*.sqlite3*"):
                if key not in old.name:
                    old.unlink()  # built by other code: stale
            urls = tuple(
                f"sqlite:///{CACHE_DIR / f'scale-{key}-{n}.sqlite3'}" for n in ("big", "single")
            )
        big_app, big_meta, big_cached = _database(urls[0], tmp / "big", sandboxes, size, key, quick)
        one_app, one_meta, one_cached = _database(urls[1], tmp / "one", 1, size, key, quick)
        big, one = Probe(big_app, big_meta["attempt_id"]), Probe(one_app, one_meta["attempt_id"])
        for probe in (big, one):  # warm up: first use of each statement
            for name in QUERIES:
                probe.sample(name)
        result = {
            "sandboxes": sandboxes,
            "size": size,
            "rows_big": _rows(big_app),
            "rows_single": _rows(one_app),
            "cached": big_cached and one_cached,
            "build_s": figure([big_meta["build_s"]], 1),
            "build_logs_s": big_meta["logs_s"],
            "other_sandbox_log_entries": OTHER_LOG,
            "measured_sandbox": {
                "scenario": SCENARIO,
                "log_entries": MEASURED_LOG,
                "contact_pages": big.pages,
                "search": big.search,
                "position": f"{sandboxes // 2 + 1} of {sandboxes}",
            },
        }
        for name in QUERIES:
            big_ms, one_ms = [], []
            for _ in range(reps.get(name, default_reps)):  # alternate: noise hits both alike
                big_ms.append(big.sample(name))
                one_ms.append(one.sample(name))
            b, o = figure(big_ms), figure(one_ms)
            result[name] = {
                "big_ms": b,
                "single_ms": o,
                "scale_ratio": round(b["p95"] / o["p95"], 3),
                "median_ratio": round(b["median"] / o["median"], 3),
            }
        if not database_url:
            result["sqlite_plans"] = big.plans()
            result["full_scans"] = sorted(
                {
                    line
                    for lines in result["sqlite_plans"].values()
                    for line in lines
                    if line.startswith("SCAN ") and "USING" not in line
                }
            )
        for app in (big_app, one_app):
            with app.app_context():
                from crm_sandbox.extensions import db

                db.engine.dispose()
    return result


def _rows(app) -> int:
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Base

    with app.app_context():
        total = 0
        for table in Base.metadata.sorted_tables:
            total += db.session.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar()  # noqa: S608
        db.session.rollback()
        return total
