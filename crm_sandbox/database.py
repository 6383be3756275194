"""Database engine set-up: SQLite pragmas and write transactions that take the lock up front.

SQLite in WAL mode lets readers run beside one writer, but a transaction that reads and then
writes can fail with "database is locked" (or read a stale counter) when another writer got in
between. So every transaction that may write starts with BEGIN IMMEDIATE, which waits
(busy_timeout) for the write lock before reading anything. Read-only requests (GET, HEAD) use a
plain deferred BEGIN so that readers never queue behind each other.
"""

from __future__ import annotations

import contextlib
import contextvars

from sqlalchemy import event
from sqlalchemy.engine import Engine

_immediate = contextvars.ContextVar("crm_sandbox_sqlite_immediate", default=True)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
)


def configure_engine(engine: Engine) -> None:
    """Attach the SQLite connection set-up to an engine (PostgreSQL needs none)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def set_read_only_transactions(read_only: bool) -> contextvars.Token:
    """Mark the transactions started from now on in this context as read-only (deferred)."""
    return _immediate.set(not read_only)


def reset_transaction_mode(token: contextvars.Token) -> None:
    """Undo `set_read_only_transactions`."""
    _immediate.reset(token)


@contextlib.contextmanager
def write_transactions():
    """Within this block, SQLite transactions start with BEGIN IMMEDIATE (they may write)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)
