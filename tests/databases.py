"""An extra, empty database for tests that need one besides their own (restoring a backup,
migrating step by step): a new SQLite file, or a new database on the PostgreSQL test server
(dropped afterwards)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .conftest import TEST_DATABASE_URL


@contextlib.contextmanager
def empty_database(tmp_path: Path, purpose: str):
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / f'{purpose}.sqlite3'}"
        return
    name = f"{make_url(TEST_DATABASE_URL).database}_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
