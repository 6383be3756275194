"""Provisioning: copy a standard sandbox from its template, against the bare SQL limit.

`provision_ms` is `provisioning.provision()` plus the commit, as a learner's first visit does
it. `provision_limit_ms` copies exactly the same rows in the same database with one bare
`INSERT ... SELECT` per table through the driver (sqlite3, or psycopg), no ORM; the two are
measured alternately so that a busy machine slows both alike. Where the app copies without
PostgreSQL's per-row foreign-key triggers (`provisioning.integrity`, reported as `copy_path`),
so does the bare copy, which does not check the references afterwards as the app does.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from .common import figure, fresh_app, is_postgres, libpq_dsn, make_learners, ms_since, timed

PROFILE, SEED, SIZE = "retail", 1, "standard"


def _tables():
    from crm_sandbox.services.provisioning.tables import _fk_parent, copied_tables

    return [(t, {c.name: _fk_parent(c) for c in t.c}) for t in copied_tables()]


def row_counts(sandbox_id: int) -> dict[str, int]:
    """Rows of each copied table in one sandbox (only tables that have any)."""
    from crm_sandbox.extensions import db

    counts = {}
    for table, _ in _tables():
        n = db.session.scalar(
            select(func.count()).select_from(table).where(table.c.sandbox_id == sandbox_id)
        )
        if n:
            counts[table.name] = n
    return counts


class BareCopier:
    """The lower limit: the same rows copied with the driver alone. A sandbox row is made
    from the template's, then one INSERT ... SELECT per table with ids shifted past the
    table's largest id (and, on PostgreSQL, the id sequences moved past them)."""

    def __init__(self, url: str, template_id: int, skip_fk_triggers: bool = False):
        self.postgres = is_postgres(url)
        self.template_id = template_id
        self.skip_fk_triggers = skip_fk_triggers
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(libpq_dsn(url))
            self.mark = "%s"
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.mark = "?"
        self.statements = self._statements()

    def _statements(self) -> list[tuple[str, str, str, str]]:
        from crm_sandbox.models import Sandbox

        sandbox_cols = [c.name for c in Sandbox.__table__.c if c.name != "id"]
        self.sandbox_sql = (
            f"INSERT INTO sandboxes ({', '.join(sandbox_cols)}) SELECT "  # noqa: S608
            + ", ".join(
                f"'practice' AS {c}"
                if c == "kind"
                else f"{self.mark} AS {c}"
                if c == "template_id"
                else c
                for c in sandbox_cols
            )
            + f" FROM sandboxes WHERE id = {self.mark}"
        )
        made = []
        for table, parents in _tables():
            exprs = []
            for name, parent in parents.items():
                if name == "id":
                    exprs.append(f"id + {{{table.name}}}")
                elif name == "sandbox_id":
                    exprs.append("{sandbox}")
                elif parent and parent != "sandboxes":
                    exprs.append(f"{name} + {{{parent}}}")
                else:
                    exprs.append(name)
            insert = (
                f"INSERT INTO {table.name} ({', '.join(parents)}) "  # noqa: S608 - our names
                f"SELECT {', '.join(exprs)} FROM {table.name} WHERE sandbox_id = {{template}}"
            )
            made.append(
                (
                    table.name,
                    f"SELECT MIN(id) FROM {table.name} WHERE sandbox_id = {self.template_id}",  # noqa: S608
                    f"SELECT MAX(id) FROM {table.name}",  # noqa: S608
                    insert,
                )
            )
        return made

    def copy(self) -> int:
        """Copy the template once; the new sandbox's id."""
        cur = self.conn.cursor()
        cur.execute("BEGIN")
        if self.skip_fk_triggers:
            cur.execute("SET LOCAL session_replication_role = replica")
        if self.postgres:
            cur.execute(self.sandbox_sql + " RETURNING id", (self.template_id, self.template_id))
            sandbox_id = cur.fetchone()[0]
        else:
            cur.execute(self.sandbox_sql, (self.template_id, self.template_id))
            sandbox_id = cur.lastrowid
        offsets = {"sandbox": sandbox_id, "template": self.template_id}
        for name, min_sql, max_sql, _ in self.statements:
            first = cur.execute(min_sql).fetchone()[0]
            if first is not None:
                offsets[name] = (cur.execute(max_sql).fetchone()[0] or 0) + 1 - first
        for name, _, _, insert in self.statements:
            if name in offsets:
                cur.execute(insert.format(**offsets))
        if self.postgres:
            for name, _, _, _ in self.statements:
                if name in offsets:
                    sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    sql += f"(SELECT MAX(id) FROM {name}))"  # noqa: S608 - our table names
                    cur.execute(sql)
        cur.execute("COMMIT")
        return sandbox_id

    def checkpoint(self) -> None:
        """SQLite: write the WAL back into the database file and empty it, outside the timing.

        SQLite checkpoints automatically inside whichever commit takes the WAL past 1,000
        pages (several milliseconds with an fsync); a standard copy writes about half that,
        so with the two copies alternated the checkpoint fell into the same one of them
        every time (measured: the app's copy took 10 or 18 ms by turns, the bare copy 8 ms
        always). Starting every timed copy from an empty WAL makes each sample its own."""
        if not self.postgres:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.conn.close()


def run(database_url: str | None, quick: bool = False) -> dict:
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Group, Role, User
    from crm_sandbox.services import provisioning

    reps = 2 if quick else 7
    size = "small" if quick else SIZE
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-provision-") as tmp,
        fresh_app(database_url, Path(tmp), "provision") as app,
    ):
        url = app.config["SQLALCHEMY_DATABASE_URI"]

        # Building a template from Faker (rolled back each time, then kept once).
        generate = []
        for _ in range(1 if quick else 5):
            ms, _ = timed(lambda: provisioning.get_or_create_template(PROFILE, SEED, size))
            generate.append(ms)
            db.session.rollback()
        template = provisioning.get_or_create_template(PROFILE, SEED, size)
        db.session.commit()
        template_rows = row_counts(template.id)

        learners = make_learners(reps + 1, "p")
        db.session.commit()
        provisioning.provision(learners[-1], size=size)  # warm up: first use of each statement
        db.session.commit()

        copy_path = _copy_path(url)
        bare = BareCopier(url, template.id, skip_fk_triggers=copy_path == "checked")
        app_ms, limit_ms, ratios = [], [], []
        try:
            db.session.rollback()  # hold no transaction while the bare copy writes
            bare.copy()  # warm up
            for learner in learners[:reps]:
                bare.checkpoint()
                start = _now()
                sandbox = provisioning.provision(learner, size=size)
                db.session.commit()
                app_ms.append(ms_since(start))
                sandbox_id = sandbox.id
                db.session.rollback()
                bare.checkpoint()
                limit, bare_id = timed(bare.copy)
                limit_ms.append(limit)
                ratios.append(app_ms[-1] / limit)
        finally:
            bare.close()
        rows = row_counts(sandbox_id)
        bare_rows = row_counts(bare_id)

        # A group of 30 learners gets its practice sandboxes (what
        # `crm-sandbox sandbox provision --group` does: one transaction, copied together).
        group_ms = []
        tutor = User(name="Bench tutor", email="t@bench.invalid", role=Role.TUTOR.value)
        tutor.password_hash = "!"  # noqa: S105 - nobody signs in
        db.session.add(tutor)
        for rep in range(1 if quick else 5):
            group = Group(name=f"Bench group {rep}", tutor=tutor)
            group.learners = make_learners(30 if not quick else 3, f"g{rep}")
            db.session.add(group)
            db.session.commit()
            start = _now()
            provisioning.provision_missing(list(group.learners), size=size)
            db.session.commit()
            group_ms.append(ms_since(start))

    return {
        "size": size,
        "rows": rows,
        "rows_total": sum(rows.values()),
        "template_rows_total": sum(template_rows.values()),
        "same_rows_in_limit": rows == bare_rows,
        "template_generate_ms": figure(generate),
        "provision_ms": figure(app_ms),
        "provision_limit_ms": figure(limit_ms),
        "provision_ratio": figure(ratios, 3),
        "provision_group30_ms": figure(group_ms),
        "copy_path": copy_path,
        "group_size": 30 if not quick else 3,
    }


def _now() -> float:
    import time

    return time.perf_counter()


def _copy_path(url: str) -> str:
    """How the app copies here: "checked" (PostgreSQL without the per-row foreign-key
    triggers, references checked at once), "per-row" (PostgreSQL's triggers) or "sqlite"."""
    from crm_sandbox.extensions import db
    from crm_sandbox.services.provisioning import integrity

    if not is_postgres(url):
        return "sqlite"
    allowed, _ = integrity._set_replica_role_allowed()
    db.session.rollback()
    return "checked" if allowed else "per-row"
