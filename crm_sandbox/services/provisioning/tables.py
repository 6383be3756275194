"""The tables a sandbox's rows are copied in, and reserving their ids: the set-based SQL that
template generation and copying share.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table, func, select, text

from ...models import Base, SandboxScoped, db

NOT_COPIED = {"action_log"}  # each sandbox's log starts with its own first entry
_PG_LOCK_KEY = 7_263_001  # advisory lock that serialises template creation and copying


def copied_tables() -> list[Table]:
    """Every table of sandbox data (the models marked SandboxScoped), parents first."""
    scoped = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, SandboxScoped)
    }
    return [t for t in Base.metadata.sorted_tables if t.name in scoped - NOT_COPIED]


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _serialise_copies() -> None:
    if _is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        names = ", ".join(t.name for t in copied_tables())
        # Keep other writers out of these tables while ids are being reserved and copied.
        db.session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


def _next_free_id(table: Table) -> int:
    return _next_free_ids([table])[table.name]


def _next_free_ids(tables: list[Table]) -> dict[str, int]:
    """The next unused id of each table, in one query (one round trip per copy, not two per
    table)."""
    if not tables:
        return {}
    postgres = _is_postgres()
    row = db.session.execute(_next_free_query(tuple(tables), postgres)).one()
    return {
        t.name: (value or 0) + (0 if postgres else 1) for t, value in zip(tables, row, strict=True)
    }


@lru_cache(maxsize=8)
def _next_free_query(tables: tuple[Table, ...], postgres: bool):
    if postgres:
        return text(
            "SELECT "
            + ", ".join(f"nextval(pg_get_serial_sequence('{t.name}', 'id'))" for t in tables)
        )
    return select(*(select(func.max(t.c.id)).scalar_subquery().label(t.name) for t in tables))


def _sync_sequences(tables: list[Table]) -> None:
    """Move PostgreSQL's id sequences past the rows copied with explicit ids (one query)."""
    if not _is_postgres() or not tables:
        return
    # One query for all tables, built with SQLAlchemy (no SQL text from strings).
    calls = [
        func.setval(
            func.pg_get_serial_sequence(table.name, "id"),
            func.greatest(select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery(), 1),
        )
        for table in tables
    ]
    db.session.execute(select(*calls))


def _fk_parent(column) -> str | None:
    for fk in column.foreign_keys:
        return fk.column.table.name
    return None
