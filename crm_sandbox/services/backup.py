"""Consistent online backups and restores of the whole database.

SQLite: the backup is taken with SQLite's online backup API in a single step, which reads one
consistent snapshot (WAL mode lets writers carry on meanwhile); the live file is never copied
(its newest pages may still be in the -wal file). The copy is checked (`PRAGMA
integrity_check`) and written as one self-contained file. A restore copies a checked backup
into the configured database through the same API, so the target's WAL stays coherent.

PostgreSQL: `pg_dump --format=custom` (a consistent snapshot: it runs in one repeatable-read
transaction) and `pg_restore`; both must be installed (the `postgresql-client` package).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump / pg_restore with fixed arguments, no shell
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, literal, select, table
from sqlalchemy.engine import Engine

from ..database import create_private_file
from ..models.base import utcnow
from .errors import NotFound, ServiceError
from .staff_audit import record_staff_action


@dataclass
class BackupReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ServiceError(
            "The configured SQLite database is in memory; there is nothing to back up."
        )
    return Path(database)


def _libpq_url(engine: Engine) -> str:
    """The database URL as pg_dump/pg_restore understand it (no SQLAlchemy driver part)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServiceError(
            f"This database is PostgreSQL: backups use {name}, which is not installed here. "
            f"Install the PostgreSQL client tools (Debian: apt install postgresql-client) "
            f"or run {name} on the database server yourself (see the README, 'Backups')."
        )
    return path


def _table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'  # a name read from sqlite_master, quoted
        counts[name] = conn.execute("SELECT count(*) FROM " + quoted).fetchone()[0]  # noqa: S608  # nosec B608
    return counts


def _integrity(conn: sqlite3.Connection, what: str) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise ServiceError(f"{what} failed SQLite's integrity check: {'; '.join(result[:5])}")


def backup(engine: Engine, out: Path) -> BackupReport:
    """Write a consistent backup of the live database to `out` (which must not exist)."""
    out = Path(out)
    if out.exists():
        raise ServiceError(f"{out} exists already; give a new file name. Nothing was written.")
    if not out.parent.is_dir():
        raise ServiceError(f"The folder {out.parent} does not exist. Nothing was written.")
    if engine.dialect.name == "postgresql":
        pg_dump = _tool("pg_dump")
        create_private_file(out)  # the dump holds password hashes: owner-only (0600)
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [pg_dump, "--format=custom", "--no-owner", f"--file={out}", _libpq_url(engine)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            with contextlib.suppress(FileNotFoundError):
                out.unlink()
            raise ServiceError(f"pg_dump failed: {done.stderr.strip()}")
        return BackupReport(out)
    source_path = _sqlite_path(engine)
    if not source_path.exists():
        raise ServiceError(f"There is no database at {source_path} to back up.")
    partial = out.with_name(out.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    create_private_file(partial)  # the copy holds password hashes: owner-only (0600)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        # pages=-1: the whole database in one step, i.e. from one read snapshot.
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _integrity(target, "The backup")
        report = BackupReport(out, _table_counts(target))
    finally:
        target.close()
        source.close()
    partial.rename(out)
    return report


def database_is_empty(engine: Engine) -> bool:
    """True when the database has no tables or no rows in any application table."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        for name in names:
            if conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first():
                return False
    return True


def _check_sqlite_backup(path: Path) -> dict[str, int]:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ServiceError(f"{path} cannot be opened as a backup: {exc}") from exc
    try:
        try:
            _integrity(conn, f"The backup {path}")
            counts = _table_counts(conn)
        except sqlite3.DatabaseError as exc:
            raise ServiceError(
                f"{path} is not a CRM Sandbox SQLite backup ({exc}). Nothing was changed."
            ) from exc
    finally:
        conn.close()
    if "alembic_version" not in counts or "action_log" not in counts:
        raise ServiceError(f"{path} is not a CRM Sandbox backup (it has no CRM tables).")
    return counts


def restore(engine: Engine, source: Path, force: bool = False) -> BackupReport:
    """Replace the configured database with a backup. Refuses a database that has data
    unless `force`."""
    source = Path(source)
    if not source.is_file():
        raise ServiceError(f"There is no backup file at {source}.")
    if engine.dialect.name == "postgresql":
        pg_restore = _tool("pg_restore")
        if not force and not database_is_empty(engine):
            raise _not_empty()
        engine.dispose()
        args = [pg_restore, "--no-owner", "--single-transaction", f"--dbname={_libpq_url(engine)}"]
        if force:
            args[1:1] = ["--clean", "--if-exists"]
        done = subprocess.run(  # noqa: S603 - fixed arguments
            [*args, str(source)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ServiceError(f"pg_restore failed (nothing was changed): {done.stderr.strip()}")
        return BackupReport(source)
    counts = _check_sqlite_backup(source)
    target_path = _sqlite_path(engine)
    if target_path.exists() and not force and not database_is_empty(engine):
        raise _not_empty()
    engine.dispose()
    create_private_file(target_path)
    backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        target.execute("PRAGMA busy_timeout=30000")
        backup_conn.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
        _integrity(target, "The restored database")
    finally:
        target.close()
        backup_conn.close()
    return BackupReport(source, counts)


def _not_empty() -> ServiceError:
    return ServiceError(
        "The database already has data; restoring would replace all of it. Nothing was "
        "changed. Run again with --force to replace it (make a backup of it first)."
    )


# ---------------------------------------------------------------- backups from the admin page

# The admin page's backups: crm-sandbox-YYYYMMDD-HHMMSS.sqlite3 (SQLite) or .dump (pg_dump).
BACKUP_NAME = re.compile(r"crm-sandbox-\d{8}-\d{6}(?:-\d+)?\.(?:sqlite3|dump)")


@dataclass
class BackupFile:
    name: str
    size: int
    modified: datetime


def _folder(folder: Path) -> Path:
    folder = Path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(
            f"The backup folder {folder} cannot be created ({exc.strerror}). Nothing was "
            "written; set CRM_SANDBOX_BACKUP_DIR to a folder the app can write."
        ) from None
    return folder


def take_backup(engine: Engine, folder: Path, *, by=None) -> BackupReport:
    """Write a consistent backup into `folder` under a new time-stamped name (`backup`), and
    record in the staff audit log who took it and where it went."""
    folder = _folder(folder)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if engine.dialect.name == "postgresql" else "sqlite3"
    out = folder / f"crm-sandbox-{stamp}.{suffix}"
    n = 1
    while out.exists():  # two in one second
        n += 1
        out = folder / f"crm-sandbox-{stamp}-{n}.{suffix}"
    report = backup(engine, out)
    record_staff_action(
        "backup.taken",
        "backup",
        None,
        actor=by,
        after={
            "file": str(report.path),
            "bytes": report.path.stat().st_size,
            "tables": len(report.tables) or None,
            "rows": report.rows or None,
        },
    )
    return report


def list_backups(folder: Path) -> list[BackupFile]:
    """The backups the admin page made in `folder`, newest first (none when it is missing)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if BACKUP_NAME.fullmatch(path.name) and path.is_file():
            stat = path.stat()
            found.append(
                BackupFile(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
            )
    return sorted(found, key=lambda f: (f.modified, f.name), reverse=True)


def find_backup(folder: Path, name: str) -> Path | None:
    """The path of one of the admin page's backups by its file name; None for any other
    name (nothing outside the folder, and only the names `take_backup` writes)."""
    name = name or ""
    path = Path(folder) / name
    if not BACKUP_NAME.fullmatch(name) or not path.is_file():
        return None
    return path


def backup_for_download(folder: Path, name: str, *, by=None) -> Path:
    """The path of one of the admin page's backups by its file name (nothing outside the
    folder, and only the names it writes), recording the download in the staff audit log."""
    path = find_backup(folder, name)
    if path is None:
        raise NotFound("No such backup.")
    record_staff_action("backup.downloaded", "backup", None, actor=by, after={"file": str(path)})
    return path
