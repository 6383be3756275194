"""What every benchmark shares: a migrated database, an app on it, timing and figures.

Every figure in `benchmarks/latest.json` has one shape: an object with the `median`, `min`,
`max` and `p95` of its samples and `n`, the number of samples (milliseconds unless its name
says otherwise). A target names the statistic it is judged on (`median` or `p95`).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(tempfile.gettempdir()) / "crm_sandbox_bench"


def figure(samples: list[float], digits: int = 2) -> dict:
    """The one shape of every figure: median, min, max, p95 and n of the samples."""
    if not samples:
        raise ValueError("a figure needs at least one sample")
    ordered = sorted(samples)
    rank = max(0, math.ceil(0.95 * len(ordered)) - 1)  # nearest-rank p95
    return {
        "median": round(statistics.median(ordered), digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
        "p95": round(ordered[rank], digits),
        "n": len(ordered),
    }


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Run fn once; (milliseconds, its result)."""
    start = time.perf_counter()
    result = fn()
    return ms_since(start), result


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def libpq_dsn(url: str) -> str:
    """The PostgreSQL connection string psycopg wants, from an SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sibling_database(url: str, suffix: str) -> str:
    """A PostgreSQL URL for another database on the same server (created if missing)."""
    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(url: str, instance: Path):
    """The real app on this database (the same factory production uses)."""
    from crm_sandbox import create_app

    instance.mkdir(parents=True, exist_ok=True)
    os.environ["CRM_SANDBOX_INSTANCE_PATH"] = str(instance)
    try:
        return create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url,
                "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # accounts are set-up, not measured
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
    finally:
        del os.environ["CRM_SANDBOX_INSTANCE_PATH"]


@contextlib.contextmanager
def fresh_app(database_url: str | None, workdir: Path, name: str):
    """An app on an empty, migrated database: a new SQLite file in `workdir`, or the
    PostgreSQL database named by `database_url`, emptied first."""
    from crm_sandbox.cli import upgrade_database
    from crm_sandbox.extensions import db

    if database_url:
        empty_postgres(database_url)
        url = database_url
    else:
        url = f"sqlite:///{workdir / (name + '.sqlite3')}"
    app = make_app(url, workdir / f"{name}-instance")
    with app.app_context():
        upgrade_database()
        db.session.commit()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def schema_key() -> str:
    """A digest of everything that decides what a provisioned sandbox holds: the migrations,
    the models, the seed generators and profiles, and the copying code. A cached database
    built under another key is stale."""
    digest = hashlib.sha256()
    paths = sorted(
        [
            *(ROOT / "crm_sandbox" / "migrations" / "versions").glob("*.py"),
            *(ROOT / "crm_sandbox" / "models").glob("*.py"),
            *(ROOT / "seed").glob("**/*.py"),
            *(ROOT / "seed").glob("**/*.yaml"),  # the organisation profiles are data files
            *(ROOT / "crm_sandbox" / "services" / "provisioning").glob("*.py"),
            Path(__file__).resolve(),
            # what builds the scale benchmark's college (not what measures it)
            Path(__file__).resolve().parent / "college.py",
            Path(__file__).resolve().parent / "logfill.py",
        ]
    )
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def make_learners(count: int, tag: str):
    """`count` learner accounts (rows only: their passwords are never used)."""
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Role, User

    users = [
        User(
            name=f"Bench learner {tag}-{i}",
            email=f"bench-{tag}-{i}@bench.invalid",
            role=Role.LEARNER.value,
            password_hash="!",  # noqa: S106 - not a hash: nobody can sign in as these
        )
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    return users


def standalone_main(
    name: str,
    doc: str,
    run: Callable[..., dict],
    table: Callable[[dict], str],
    quick_help: str,
    argv: list[str] | None = None,
) -> int:
    """Command line of a benchmark module run on its own: its table, then its JSON section."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite)")
    args = parser.parse_args(argv)
    section = run(args.database_url, quick=args.quick)
    print(table(section))
    print(json.dumps({name: section}, indent=2))
    return 0
