"""Database engine set-up: SQLite pragmas and write transactions that take the lock up front.

SQLite in WAL mode lets readers run beside one writer, but a transaction that reads and then
writes can fail with "database is locked" (or read a stale counter) when another writer got in
between. So every transaction that may write starts with BEGIN IMMEDIATE, which waits
(busy_timeout) for the write lock before reading anything. Read-only requests (GET, HEAD) use a
plain deferred BEGIN so that readers never queue behind each other.

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

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10000
BEGIN_BUSY_TIMEOUT_MS = 2  # per attempt at the write lock; begin_immediate retries
WRITE_LOCK_WAIT_SECONDS = 60  # how long a write transaction waits for the lock in all

_immediate = contextvars.ContextVar("crm_sandbox_sqlite_immediate", default=True)

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
    """Attach the SQLite connection set-up to an engine (PostgreSQL needs none), and create
    a SQLite file that does not exist yet with owner-only permissions."""
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
