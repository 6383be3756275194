"""A class of learners for the load benchmarks, and the real app under gunicorn.

`prepare_class` builds a fresh database (a temporary SQLite file, or a scratch PostgreSQL
database on the given server) with a tutor and N learners, each with an attempt at a library
scenario in a sandbox of its own (provisioned through the services: template copies), and a
signed-in session per learner. Sign-in goes through the same service the sign-in page uses
(`accounts.start_session` then Flask-Login's `login_user`), in a request context of the app,
and the resulting session cookie is handed to the load client: signing 1,000 learners in
through the form would mostly measure scrypt (and the per-address sign-in limit refuses it).

`GunicornServer` serves `crm_sandbox.wsgi:app` (the production entry point, which refuses
non-Secure cookies, so CRM_SANDBOX_SECURE_COOKIES=1) or another WSGI app on a free loopback
port, with its output in a log file that is searched for "database is locked" afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from .common import is_postgres, libpq_dsn

SCENARIO = "first-complaint"  # a complaint to move on, a chasing customer, seeded surveys
USER_AGENT = "crm-sandbox-bench/1"
BENCH_HASH = "scrypt:1024:8:1"  # learners never type their password here; see the docstring
# Complaints a learner can move on with a note or a message, round and round (acknowledge,
# investigate, then wait for the customer / customer replied).
OPEN_STAGES = ("received", "acknowledged", "investigating", "waiting_customer")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Learner:
    email: str
    cookie: str  # value of the session cookie
    sandbox_id: int
    attempt_id: int
    complaint_ids: list[int] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    survey_ids: list[int] = field(default_factory=list)


@dataclass
class Classroom:
    database_url: str
    instance_path: Path
    secret_key: str
    cookie_name: str
    learners: list[Learner]
    setup_seconds: float
    _cleanup: list = field(default_factory=list, repr=False)

    def close(self) -> None:
        for fn in reversed(self._cleanup):
            with contextlib.suppress(Exception):
                fn()
        self._cleanup.clear()


def scratch_database(database_url: str | None, workdir: Path, tag: str) -> tuple[str, object]:
    """A fresh, empty database for one run and the function that removes it.

    None or a SQLite URL: a new SQLite file in `workdir`. A PostgreSQL URL: a new database
    on that server (named after the task and the process), dropped afterwards; the database
    the URL names is never touched.
    """
    if not database_url or database_url.startswith("sqlite"):
        path = workdir / f"{tag}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    url = make_url(database_url)
    name = f"crm_bench_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()

    def drop() -> None:
        engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def build_app(database_url: str, instance_path: Path, secret_key: str):
    from crm_sandbox import create_app

    os.environ["CRM_SANDBOX_INSTANCE_PATH"] = str(instance_path)
    try:
        return create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": secret_key,
                "PASSWORD_HASH_METHOD": BENCH_HASH,
            }
        )
    finally:
        del os.environ["CRM_SANDBOX_INSTANCE_PATH"]


def prepare_class(
    database_url: str | None, n_learners: int, tag: str = "load", scenario: str = SCENARIO
) -> Classroom:
    """A migrated database with `n_learners` signed-in learners, each in their own attempt."""
    from flask import session
    from flask_login import login_user
    from sqlalchemy import select

    from crm_sandbox.cli import upgrade_database
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Complaint, Contact, Survey
    from crm_sandbox.services import accounts, assignments, groups

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix=f"crm-bench-{tag}-"))
    url, drop = scratch_database(database_url, workdir, tag)
    room = Classroom(url, workdir / "instance", secrets.token_hex(32), "", [], 0.0)
    room._cleanup += [lambda: shutil.rmtree(workdir, ignore_errors=True), drop]
    try:
        app = build_app(url, room.instance_path, room.secret_key)
        room.cookie_name = app.config["SESSION_COOKIE_NAME"]
        serializer = app.session_interface.get_signing_serializer(app)
        with app.app_context():
            upgrade_database()
            tutor = accounts.create_user(
                name="Bench Tutor",
                email="tutor@bench.example.org",
                role="tutor",
                password=secrets.token_hex(8),
            )
            group = groups.create_group(name="Bench class", tutor=tutor)
            learners = []
            for i in range(n_learners):
                learner = accounts.create_user(
                    name=f"Learner {i + 1}",
                    email=f"learner{i + 1}@bench.example.org",
                    role="learner",
                    password=secrets.token_hex(8),
                )
                groups.add_member(group, learner, by=None)
                learners.append(learner)
            db.session.commit()
            # One assignment; attempts are provisioned in batches so a transaction stays small.
            for start in range(0, len(learners), 50):
                assignments.assign(scenario, learners[start : start + 50], tutor, group_id=group.id)
                db.session.commit()
            for learner in learners:
                attempt = assignments.attempts_of(learner)[0]
                sid = attempt.sandbox_id
                with app.test_request_context(
                    "/",
                    headers={"User-Agent": USER_AGENT},
                    environ_base={"REMOTE_ADDR": "127.0.0.1"},
                ):
                    accounts.start_session(learner, USER_AGENT)
                    db.session.commit()
                    login_user(learner)
                    session["csrf_token"] = secrets.token_hex(20)
                    cookie = serializer.dumps(dict(session))
                room.learners.append(
                    Learner(
                        email=learner.email,
                        cookie=cookie,
                        sandbox_id=sid,
                        attempt_id=attempt.id,
                        complaint_ids=list(
                            db.session.scalars(
                                select(Complaint.id)
                                .where(Complaint.sandbox_id == sid)
                                .where(Complaint.stage.in_(OPEN_STAGES))
                                .order_by(Complaint.id)
                            )
                        ),
                        contact_ids=list(
                            db.session.scalars(
                                select(Contact.id)
                                .where(Contact.sandbox_id == sid, Contact.merged_into_id.is_(None))
                                .order_by(Contact.id)
                                .limit(60)
                            )
                        ),
                        survey_ids=list(
                            db.session.scalars(
                                select(Survey.id)
                                .where(Survey.sandbox_id == sid)
                                .order_by(Survey.id)
                            )
                        ),
                    )
                )
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                # A class's rows, all just written: the statistics a live database's
                # autovacuum would already have (else the first minute runs on plans made for
                # empty tables, and when autovacuum catches up depends on the machine).
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            db.session.remove()
            db.engine.dispose()
    except BaseException:
        room.close()
        raise
    room.setup_seconds = time.perf_counter() - started
    return room


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GunicornServer:
    """`gunicorn` with N sync workers on a free loopback port; stopped on exit."""

    def __init__(
        self,
        app_path: str,
        env: dict[str, str],
        log_path: Path,
        workers: int = 2,
        chdir: Path = PROJECT_ROOT,
    ):
        self.app_path = app_path
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.chdir = chdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> GunicornServer:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(self.chdir),
            *_no_control_socket(),
            self.app_path,
        ]
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            env={**os.environ, **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        # Every worker answers once before measuring (each imports lazily).
                        for _ in range(self.workers * 4):
                            urllib.request.urlopen(self.base_url + "/healthz", timeout=5).close()  # noqa: S310
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The workers: the processes whose parent is the gunicorn master (from /proc)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def _no_control_socket() -> list[str]:
    """Newer gunicorn opens a control socket at one fixed path; two servers would share it."""
    import gunicorn

    return ["--no-control-socket"] if gunicorn.version_info >= (25, 0) else []


# Production with several workers needs rate-limit counts they share (the production entry
# point refuses per-process memory:// counts with more than one worker), so the benchmarks'
# server uses Redis too: `make bench` makes sure one answers here.
RATELIMIT_STORAGE_URI = os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")


def app_server(room: Classroom, log_path: Path, workers: int = 2) -> GunicornServer:
    """The real app with the production settings, on the classroom's database."""
    return GunicornServer(
        "crm_sandbox.wsgi:app",
        {
            "CRM_SANDBOX_DATABASE_URL": room.database_url,
            "CRM_SANDBOX_SECRET_KEY": room.secret_key,
            "CRM_SANDBOX_SECURE_COOKIES": "1",
            "CRM_SANDBOX_INSTANCE_PATH": str(room.instance_path),
            "CRM_SANDBOX_DEBUG": "0",
            "CRM_SANDBOX_RATELIMIT_STORAGE_URI": RATELIMIT_STORAGE_URI,
        },
        log_path,
        workers,
    )


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def database_backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving clients of this database (the app's pooled
    connections), from pg_stat_activity; none on SQLite, which runs inside the workers. The
    server must run on this machine for /proc to see their CPU time."""
    if not is_postgres(database_url):
        return []
    import psycopg

    with psycopg.connect(libpq_dsn(database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class CpuPerRequest:
    """CPU time (user + system) of the app's workers and of the database's server processes
    over a stretch of requests, per request: `start()`, the requests, `stop(requests)`.
    Summed over several stretches (the rounds of a benchmark)."""

    def __init__(self, server: GunicornServer, database_url: str):
        self.server = server
        self.database_url = database_url
        self.app_seconds = self.db_seconds = 0.0
        self.requests = 0

    def start(self) -> None:
        self._app = self.server.worker_pids()
        self._db = database_backend_pids(self.database_url)
        self._app0 = process_cpu_seconds(self._app)
        self._db0 = process_cpu_seconds(self._db)

    def stop(self, requests: int) -> None:
        self.app_seconds += process_cpu_seconds(self._app) - self._app0
        self.db_seconds += process_cpu_seconds(self._db) - self._db0
        self.requests += requests

    def figures(self) -> dict:
        """{"app_ms", "db_ms", "total_ms"} per request, and how many requests."""
        n = max(self.requests, 1)
        app_ms, db_ms = 1000 * self.app_seconds / n, 1000 * self.db_seconds / n
        return {
            "requests": self.requests,
            "app_ms": round(app_ms, 3),
            "db_ms": round(db_ms, 3) if is_postgres(self.database_url) else None,
            "total_ms": round(app_ms + db_ms, 3),
        }
