"""Database engine set-up: SQLite pragmas and write transactions that take the lock up front.

SQLite in WAL mode lets readers run beside one writer, but a transaction that reads and then
writes can fail with "database is locked" (or read a stale counter) when another writer got in
between. So every transaction that may write starts with BEGIN IMMEDIATE, which waits
(busy_timeout) for the write lock before reading anything. Read-only requests (GET, HEAD) use a
plain deferred BEGIN so that readers never queue behind each other.

On PostgreSQL a read-only request runs without a transaction at all (autocommit, set through
SQLAlchemy's `isolation_level="AUTOCOMMIT"` execution option when the request's connection is
made): psycopg would otherwise send BEGIN before its first statement and ROLLBACK when the
session closes, two round trips and a little server CPU on every page for nothing. It reads
no less consistently: PostgreSQL's default isolation (READ COMMITTED) gives each statement its
own snapshot inside a transaction too, so a page that needs several of its rows to agree must
read them in one statement either way (a CRM page's header, its list with its count). Writes
stay transactional: `write_transactions()` (which the transaction helper and the user loader
enter before writing) makes the next connection an ordinary one, and a flush on an autocommit
connection is refused rather than committed statement by statement. SQLite keeps its read
transactions (a statement there is no round trip, and the snapshot spans the request).

The SQLite file holds password hashes, so it is created readable by its owner only (0600);
SQLite gives its -wal and -shm files the database file's permissions.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import random
import sqlite3
import time
from pathlib import Path

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 10000
BEGIN_BUSY_TIMEOUT_MS = 2  # per attempt at the write lock; begin_immediate retries
WRITE_LOCK_WAIT_SECONDS = 60  # how long a write transaction waits for the lock in all

_immediate = contextvars.ContextVar("crm_sandbox_sqlite_immediate", default=True)
# A read-only web request (GET, HEAD): on PostgreSQL its connections run in autocommit.
_read_request = contextvars.ContextVar("crm_sandbox_read_request", default=False)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
)


def create_private_file(path: str | Path) -> bool:
    """Create an empty file only its owner can read and write (0600), unless one exists;
    True when it was created. A missing folder is left for the caller's own error."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):
        return False
    os.close(fd)
    return True


def configure_engine(engine: Engine) -> None:
    """Attach the connection set-up to an engine: on PostgreSQL, autocommit for read-only
    requests; on SQLite, the pragmas and BEGIN IMMEDIATE for writes, and a file that does not
    exist yet created with owner-only permissions."""
    if not event.contains(Session, "before_flush", _refuse_flush_in_autocommit):
        event.listen(Session, "before_flush", _refuse_flush_in_autocommit)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "engine_connect", _autocommit_when_reading)
        return
    if engine.dialect.name != "sqlite":
        return
    from .config import sqlite_file

    path = sqlite_file(engine.url)

    @event.listens_for(engine, "do_connect")
    def _create_private(_dialect, _record, _cargs, _cparams):
        # Just before SQLite would create a missing file with the umask's (0644) mode; only
        # when something connects, so commands that never open the database make no file.
        if path is not None:
            create_private_file(path)

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
        if _immediate.get():
            begin_immediate(connection.connection.driver_connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _autocommit_when_reading(connection) -> None:
    # A new Connection, before its first statement: no transaction is open yet, so the
    # isolation level can change (SQLAlchemy restores the pool's default when it is returned).
    if reads_in_autocommit():
        connection.execution_options(isolation_level="AUTOCOMMIT")


def _refuse_flush_in_autocommit(session, _flush_context, _instances) -> None:
    if reads_in_autocommit() and (
        session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    ):
        raise RuntimeError(
            "A read-only request tried to write outside a write transaction: run the change "
            "in web.transaction.transaction() (or database.write_transactions())."
        )


def reads_in_autocommit() -> bool:
    """Whether this context is a read-only request outside any write transaction (its
    PostgreSQL connections run in autocommit)."""
    return _read_request.get() and not _immediate.get()


def streaming(rows: int) -> dict:
    """Execution options that fetch a large result `rows` at a time (`yield_per`), or none in
    a read-only request: PostgreSQL streams through a server-side cursor, which only lives in
    a transaction, and such a request has none (it reads in autocommit). There the result is
    fetched whole, as the page (a download built in memory) uses all of it anyway."""
    return {} if reads_in_autocommit() else {"yield_per": rows}


def begin_immediate(dbapi_connection, wait_seconds: float = WRITE_LOCK_WAIT_SECONDS) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock with short, jittered retries.

    SQLite's own busy handler polls ever more slowly (every 100 ms once it has waited a
    while), so under many writers a waiting process mostly wakes while the lock is held
    again and can starve past any timeout (measured: 2 of 1600 transactions got "database is
    locked" after 10 s with 16 writer processes). Retrying every few milliseconds catches
    the short gaps between transactions instead.
    """
    deadline = time.monotonic() + wait_seconds
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BEGIN_BUSY_TIMEOUT_MS}")
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.0005, 0.003))  # noqa: S311 - jitter, not secrets
    finally:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()


def set_read_only_transactions(read_only: bool) -> tuple[contextvars.Token, contextvars.Token]:
    """Mark the transactions started from now on in this context as read-only (deferred).
    Inside a web request (a GET or HEAD) PostgreSQL connections then run in autocommit; a
    test's or a command's own session keeps its transactions on both databases."""
    return _immediate.set(not read_only), _read_request.set(read_only and has_request_context())


def reset_transaction_mode(token: tuple[contextvars.Token, contextvars.Token]) -> None:
    """Undo `set_read_only_transactions`."""
    immediate, read_request = token
    _read_request.reset(read_request)
    _immediate.reset(immediate)


@contextlib.contextmanager
def write_transactions():
    """Within this block, SQLite transactions start with BEGIN IMMEDIATE (they may write)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)
