"""Referential integrity of a copy, proven once per copy instead of once per row.

On PostgreSQL every copied row fires one foreign-key trigger per foreign key (44 in all; a
standard sandbox is 3,268 rows), each a lookup of the referenced row with a key-share lock:
measured, four fifths of a copy. A copy is consistent by construction (ids and references
shifted by the same offsets from a template that satisfied its keys), so where the app's
role may set it, the copy's INSERTs run with PostgreSQL's documented
`session_replication_role = replica` (SET LOCAL: this transaction only, put back right
after the INSERTs), which skips those triggers, and the same transaction then proves what
they would have proven, set-based:

- the target sandboxes exist, locked `FOR KEY SHARE` as the `sandbox_id` triggers would
  lock them (the one reference that leaves the copied tables);
- every reference of the target sandboxes' rows finds its row in the same sandbox: one
  anti-join per foreign key, all in one statement. That is stricter than the keys (which
  only ask that the row exists somewhere), and it needs no locks: the referenced rows are
  the copy's own, written by this transaction, so no other can delete them before it
  commits (a reset deletes the sandbox's rows first, and copying holds the copied tables
  against other writers, `tables._serialise_copies`).

Anything dangling raises `DanglingReferences`, which rolls the transaction back. Where the
role may not set the parameter (or on SQLite, whose checks run in-process), the copy runs
with the ordinary per-row checks; which path is used is logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Integer, any_, bindparam, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from ...models import db
from .tables import _is_postgres, copied_tables

log = logging.getLogger(__name__)
_logged_path: str | None = None  # the path last logged, so each is logged once


class DanglingReferences(RuntimeError):
    """A copy would leave rows referencing rows that are not in their sandbox."""


def _set_replica_role_allowed() -> tuple[bool, str]:
    """Whether this role may SET session_replication_role, and its value now (one query).
    PostgreSQL 15 and later say so for a granted role; before 15 only a superuser may."""
    if db.session.get_bind().dialect.server_version_info >= (15,):
        allowed = "has_parameter_privilege('session_replication_role', 'SET')"
    else:
        allowed = "current_setting('is_superuser') = 'on'"
    row = db.session.execute(
        text(f"SELECT {allowed}, current_setting('session_replication_role')")
    ).one()
    return bool(row[0]), row[1]


def _log_path(path: str) -> None:
    global _logged_path
    if path != _logged_path:
        _logged_path = path
        if path == "checked":
            log.info(
                "Copying sandboxes without per-row foreign-key triggers "
                "(session_replication_role), each copy's references checked at once."
            )
        else:
            log.info(
                "Copying sandboxes with PostgreSQL's per-row foreign-key checks: this role "
                "may not set session_replication_role (see the README's production section)."
            )


@contextmanager
def checked_copy(targets: list[int]) -> Iterator[None]:
    """Run the copy INSERTs into the sandboxes `targets` inside this block: on PostgreSQL,
    where allowed, without per-row foreign-key triggers and checked as a whole afterwards."""
    if not _is_postgres():
        yield
        return
    allowed, previous = _set_replica_role_allowed()
    _log_path("checked" if allowed else "per-row")
    if not allowed:
        yield
        return
    _lock_sandboxes(targets)
    set_role = text("SELECT set_config('session_replication_role', :value, true)")
    db.session.execute(set_role, {"value": "replica"})
    yield  # on an error the rollback (of the transaction or savepoint) puts it back
    db.session.execute(set_role, {"value": previous})
    _check_references(targets)


def _lock_sandboxes(targets: list[int]) -> None:
    """Lock the target sandboxes as the `sandbox_id` triggers would; all must exist."""
    found = db.session.execute(
        text("SELECT count(*) FROM (SELECT FROM sandboxes WHERE id = ANY(:ids) FOR KEY SHARE) s"),
        {"ids": list(targets)},
    ).scalar_one()
    if found != len(set(targets)):
        raise DanglingReferences(f"Sandboxes {sorted(targets)}: not all of them exist.")


def _check_references(targets: list[int]) -> None:
    names, query = _dangling_query()
    row = db.session.execute(query, {"targets": list(targets)}).one()
    dangling = [name for name, found in zip(names, row, strict=True) if found]
    if dangling:
        raise DanglingReferences(
            f"Copying into sandboxes {sorted(targets)} would leave references to rows "
            f"outside their sandbox: {', '.join(dangling)}."
        )


@lru_cache(maxsize=1)
def _dangling_query() -> tuple[list[str], object]:
    """One statement: for every foreign key of the copied tables, whether any row of the
    target sandboxes references a row that is not in the same sandbox.

    The target sandboxes' rows of each table are read once, into a materialised CTE of their
    ids and references, and each key is a hashed anti-join of two of those: the cost follows
    the size of the copies, not of the database (measured: with the tables themselves joined,
    the planner walked whole tables or primary-key indexes, 0.6-1.2 s for a group of 30)."""
    tables = copied_tables()
    copied = {t.name for t in tables}
    targets = bindparam("targets", type_=ARRAY(Integer))
    refs: dict[str, list] = {}
    for table in tables:
        for column in table.c:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if column.name == "sandbox_id" and parent == "sandboxes":
                    continue  # the target sandboxes: locked and counted by _lock_sandboxes
                if parent not in copied or fk.column.name != "id":
                    raise RuntimeError(
                        f"{table.name}.{column.name} references {parent}.{fk.column.name}, "
                        "outside the copied ids: lock and check those rows too before "
                        "copying without triggers."
                    )
                refs.setdefault(table.name, []).append((column.name, parent))
    used = {name for name in refs} | {parent for pairs in refs.values() for _, parent in pairs}
    rows = {
        t.name: select(t.c.id, t.c.sandbox_id, *(t.c[c] for c, _ in refs.get(t.name, ())))
        .where(t.c.sandbox_id == any_(targets))
        .cte(f"new_{t.name}")
        .prefix_with("MATERIALIZED")
        for t in tables
        if t.name in used
    }
    names, checks = [], []
    for table_name, pairs in refs.items():
        child = rows[table_name]
        for column_name, parent_name in pairs:
            parent = rows[parent_name].alias(f"p_{table_name}_{column_name}")
            ref = child.c[column_name]
            in_sandbox = select(literal_column("1")).where(
                parent.c.id == ref, parent.c.sandbox_id == child.c.sandbox_id
            )
            names.append(f"{table_name}.{column_name}")
            # a count, not EXISTS: planned for the whole result, so hashed, where EXISTS is
            # planned for its first row as a nested loop (measured: 62 s against 0.1 s)
            checks.append(
                select(func.count())
                .select_from(child)
                .where(ref.is_not(None), ~in_sandbox.exists())
                .scalar_subquery()
            )
    return names, select(*(check.label(f"c{i}") for i, check in enumerate(checks)))
