"""End-to-end fixtures: the real app under gunicorn (with its background worker) and Debian's
Chromium driven by Playwright.

One server for the whole e2e session, on a loopback socket the test process binds (port 0) and
hands to gunicorn, with its own temporary instance folder and SQLite database. Each test gets a
fresh browser context (no cookies shared between tests) and makes its own people and groups
with unique names through `world`, which uses the app's services on the same database.

Without Chromium at /usr/bin/chromium (or without Playwright) every e2e test is skipped with a
reason that says how to install it, unless CRM_SANDBOX_E2E_REQUIRED=1 (CI), which makes that an
error.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; the Makefile and .ci/run look here too
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SKIP_REASON = ""
if not CHROMIUM.exists():
    SKIP_REASON = (
        f"Chromium not found at {CHROMIUM}: apt-get install chromium, then make e2e "
        "(the end-to-end browser tests were skipped)"
    )
else:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        SKIP_REASON = "Playwright is not installed: pip install -e '.[test]', then make e2e"

PASSWORD = "e2e pass phrase 42"  # every account `world` makes signs in with this
FAST_HASH = "scrypt:1024:8:1"
STEP_TIMEOUT_MS = 15_000  # a click or an expectation that takes longer than this fails
SERVER_ERROR = re.compile(r'HTTP/[0-9.]+" 5[0-9][0-9] ')  # a 5xx in gunicorn's access log


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    if SKIP_REASON and os.environ.get("CRM_SANDBOX_E2E_REQUIRED") == "1":
        # CI sets this: there the browser tests must run, not quietly skip.
        raise pytest.UsageError(f"CRM_SANDBOX_E2E_REQUIRED=1 but {SKIP_REASON}")
    for item in items:
        if SKIP_REASON and Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


# ---------------------------------------------------------------- the server


@dataclass
class Server:
    url: str
    database_url: str
    instance_path: Path
    log_path: Path

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def server_errors_since(self, offset: int) -> list[str]:
        """Requests answered with a 5xx, and tracebacks, logged after `offset`."""
        with open(self.log_path, "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
        return [
            line
            for line in text.splitlines()
            if SERVER_ERROR.search(line) or line.startswith("Traceback")
        ]

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of gunicorn's log (its messages and the requests it served)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _environment(database_url: str, instance_path: Path) -> dict:
    env = dict(os.environ)
    env.pop("CRM_SANDBOX_TEST_DATABASE_URL", None)
    env.update(
        CRM_SANDBOX_DATABASE_URL=database_url,
        CRM_SANDBOX_INSTANCE_PATH=str(instance_path),
        CRM_SANDBOX_SECRET_KEY="e2e-only-secret-key-" + os.urandom(8).hex(),
        CRM_SANDBOX_LOGIN_RATE_LIMIT_ADDRESS="1000 per minute",
        CRM_SANDBOX_LOGIN_RATE_LIMIT_ACCOUNT="100 per minute",
        CRM_SANDBOX_DEBUG="0",
        PYTHONUNBUFFERED="1",
        CRM_SANDBOX_SECURE_COOKIES="0",
    )
    return env


def _no_control_socket() -> list[str]:
    """gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl), which
    another instance on the machine may be using: turn it off where it exists."""
    from gunicorn.config import KNOWN_SETTINGS

    known = any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
    return ["--no-control-socket"] if known else []


def _wait_until_up(url: str, proc: subprocess.Popen, server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app did not answer at {url} within 60 s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app under gunicorn on a free loopback port, with its own database; stopped after."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    root = tmp_path_factory.mktemp("e2e-server")
    instance_path = root / "instance"
    instance_path.mkdir()
    database_url = f"sqlite:///{root / 'e2e.sqlite3'}"
    env = _environment(database_url, instance_path)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "crm-sandbox"), "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )
    # The test process binds the port (0: the system picks a free one) and passes the listening
    # socket to gunicorn, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    log_path = root / "gunicorn.log"
    srv = Server(url, database_url, instance_path, log_path)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--bind",
                f"fd://{sock.fileno()}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                *_no_control_socket(),
                "crm_sandbox:create_app()",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    # The background worker beside it, as production runs them (imports, provisioning, packs).
    with open(root / "worker.log", "wb") as worker_log:
        worker = subprocess.Popen(
            [str(bin_dir / "crm-sandbox"), "worker", "--workers", "2"],
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, proc, srv)
        yield srv
    finally:
        for process in (proc, worker):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# ---------------------------------------------------------------- the test's own data


class World:
    """Sets up what a journey starts from (people, groups, assignments) with the app's services
    on the server's database, and reads the database afterwards to check what was saved."""

    _counter = itertools.count(1)

    def __init__(self, server: Server):
        from crm_sandbox import create_app

        os.environ["CRM_SANDBOX_INSTANCE_PATH"] = str(server.instance_path)
        try:
            self.app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": server.database_url,
                    "PASSWORD_HASH_METHOD": FAST_HASH,
                    "TESTING": True,
                    # The server's log key (instance/log_key), not the fixed testing one: the
                    # server checks the checkpoints of the entries this process appends.
                    "LOG_KEY": None,
                }
            )
        finally:
            del os.environ["CRM_SANDBOX_INSTANCE_PATH"]
        self.server = server

    def unique(self, stem: str) -> str:
        return f"{stem}{next(self._counter)}"

    @contextlib.contextmanager
    def session(self):
        """An app context whose work is committed at the end; the session is then closed, so the
        test process never holds SQLite's write lock while the browser waits on the server."""
        from crm_sandbox.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    def person(self, role: str, name: str, email_stem: str = ""):
        """A committed account; returns (id, email)."""
        from crm_sandbox.services import accounts

        email = f"{self.unique(email_stem or role)}@e2e-college.example.org"
        with self.session():
            user = accounts.create_user(name=name, email=email, role=role, password=PASSWORD)
            return user.id, email

    def group(self, name: str, tutor_id: int, member_ids=()) -> int:
        from crm_sandbox.extensions import db
        from crm_sandbox.models import User
        from crm_sandbox.services import groups

        with self.session():
            group = groups.create_group(name=name, tutor=db.session.get(User, tutor_id))
            for member_id in member_ids:
                groups.add_member(group, db.session.get(User, member_id), by=None)
            db.session.flush()
            return group.id

    def assign(self, scenario_id: str, learner_id: int, group_id: int, tutor_id: int) -> int:
        """Assign a library scenario to one learner; returns the attempt id."""
        from sqlalchemy import select

        from crm_sandbox.extensions import db
        from crm_sandbox.models import Attempt, User
        from crm_sandbox.services import assignments

        with self.session():
            learner = db.session.get(User, learner_id)
            assignments.assign(
                scenario_id, [learner], db.session.get(User, tutor_id), group_id=group_id
            )
            db.session.flush()
            return db.session.scalar(
                select(Attempt.id).where(
                    Attempt.learner_id == learner_id, Attempt.scenario_id == scenario_id
                )
            )

    def do_model_answer_and_submit(self, attempt_id: int) -> None:
        """The learner's side of a finished scenario, done through the services: the scenario's
        model answer, then submission with the declaration."""
        from crm_sandbox.extensions import db
        from crm_sandbox.models import Attempt
        from crm_sandbox.scenarios import engine, loader

        with self.session():
            attempt = db.session.get(Attempt, attempt_id)
            engine.replay(attempt, loader.scenario_of(attempt).model_answer)
            engine.submit(attempt, attempt.learner, True)

    def read(self, fn):
        """Run `fn(session)` in a read-only transaction and return its result."""
        from crm_sandbox.database import reset_transaction_mode, set_read_only_transactions

        token = set_read_only_transactions(True)
        try:
            with self.session() as s:
                return fn(s)
        finally:
            reset_transaction_mode(token)


@pytest.fixture(scope="session")
def world(server):
    return World(server)


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


class PageWatch:
    """What a page did that no journey should see: an alert (a script ran; an injected one
    would typically call alert()) or an uncaught script error. A confirmation the product asks
    for (confirm()) is accepted, as the person would, and recorded in `confirmations`."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.confirmations: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _on_dialog(self, dialog):
        if dialog.type in ("confirm", "beforeunload"):
            self.confirmations.append(dialog.message)
            dialog.accept()
        else:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()


@pytest.fixture
def new_page(browser, server, request):
    """Factory: a page in a fresh browser context (its own cookies: one person each). After the
    test, the server must have answered no request with a 5xx, and no alert may have opened and
    no script error may have happened on any page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    opened = []
    log_offset = server.log_size()

    def make():
        context = browser.new_context(base_url=server.url, accept_downloads=True, locale="en-GB")
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        page.watch = PageWatch(page)
        opened.append((context, page, page.watch))
        return page

    yield make
    failed = getattr(request.node, "rep_call_failed", False)
    for n, (context, page, _) in enumerate(opened):
        if failed:
            # Outside pytest's rotating temporary folders, so it is still there to look at.
            shot = Path(tempfile.mkdtemp(prefix="crm-e2e-failure-")) / f"page{n}.png"
            page.screenshot(path=shot, full_page=True)
            sys.stderr.write(f"\n--- page {n} at the failure: {page.url}, screenshot {shot}\n")
        context.close()
    if failed:
        sys.stderr.write(f"--- server log (last lines)\n{server.log_tail()}\n")
    time.sleep(0.2)  # let gunicorn write its last access-log lines
    errors = server.server_errors_since(log_offset)
    assert errors == [], "the server answered with an error:\n" + "\n".join(errors)
    for _, _, watch in opened:
        assert watch.dialogs == [], f"an alert opened (a script ran?): {watch.dialogs}"
        assert watch.errors == [], f"script errors on the page: {watch.errors}"


@pytest.fixture
def page(new_page):
    """The test's first person's page."""
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed
    return report
