"""Fixtures for the two-instance tests: the environment of deploy/multi.py (nginx in front of two
gunicorn instances on PostgreSQL and Redis, one worker), a tiny LRS the worker sends to, people
made with the app's services on the environment's database, and `requests` sessions through
nginx that know which instance answered (nginx's `X-Crm-Upstream` header, `$upstream_addr`).

The tests run only when asked: `make multi` (or `python -m deploy.multi test`, or
`CRM_SANDBOX_MULTI=1 pytest -m multi tests/multi`). The PostgreSQL server, the Redis database
and the worker command come from CRM_SANDBOX_MULTI_POSTGRES, CRM_SANDBOX_MULTI_REDIS and
CRM_SANDBOX_MULTI_WORKER (deploy/multi.py's defaults otherwise).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import shlex
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

HERE = Path(__file__).parent
PASSWORD = "multi pass phrase 42"
FAST_HASH = "scrypt:1024:8:1"
RUN = secrets.token_hex(4)
SKIP_REASON = (
    "the two-instance tests run through nginx only when asked: make multi "
    "(or CRM_SANDBOX_MULTI=1 pytest -m multi tests/multi)"
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.multi)
            if os.environ.get("CRM_SANDBOX_MULTI") != "1":
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


# ---------------------------------------------------------------- a tiny LRS


class Lrs:
    """Records every statement PUT to it (by statement id), and answers 204 as an LRS does."""

    def __init__(self):
        self.received: list[str] = []
        self.lock = threading.Lock()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                json.loads(self.rfile.read(length) or b"{}")
                statement_id = parse_qs(urlsplit(self.path).query).get("statementId", [""])[0]
                with lrs.lock:
                    lrs.received.append(statement_id)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def times_received(self, statement_id: str) -> int:
        with self.lock:
            return self.received.count(statement_id)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def lrs():
    server = Lrs()
    yield server
    server.close()


# ---------------------------------------------------------------- the environment


@pytest.fixture(scope="session")
def multi(lrs, tmp_path_factory):
    """nginx, two instances, PostgreSQL, Redis and the worker; everything stopped after."""
    from deploy import multi as runner

    worker = os.environ.get("CRM_SANDBOX_MULTI_WORKER")
    env = runner.start(
        postgres=os.environ.get("CRM_SANDBOX_MULTI_POSTGRES", runner.DEFAULT_POSTGRES),
        redis_url=os.environ.get("CRM_SANDBOX_MULTI_REDIS", runner.DEFAULT_REDIS),
        worker_command=shlex.split(worker) if worker else None,
        extra_env={"CRM_SANDBOX_LRS_URL": lrs.url},
        folder=tmp_path_factory.mktemp("multi"),
    )
    try:
        yield env
    finally:
        env.stop()


class Browser:
    """A `requests` session through nginx, like one person's browser: cookies, the CSRF token
    and the one-time token of the form it last read, and which instance served each request."""

    def __init__(self, env):
        import requests

        self.env = env
        self.http = requests.Session()
        # Trust exactly the environment's certificate (REQUESTS_CA_BUNDLE and proxies in the
        # environment would otherwise win over the session's own settings).
        self.http.trust_env = False
        self.http.verify = str(env.certificate)
        self.served: list[str] = []  # "a" or "b", in order

    def _note(self, response):
        name = self.env.instance_of(response.headers.get("X-Crm-Upstream", ""))
        self.served.append(name)
        response.served_by = name
        return response

    def get(self, path: str, **kw):
        return self._note(self.http.get(self.env.url + path, allow_redirects=False, **kw))

    def post(self, path: str, data: dict, **kw):
        # A browser's Referer: over HTTPS, Flask-WTF refuses a form post without one from this
        # site (WTF_CSRF_SSL_STRICT), so the test sends what a browser would.
        headers = {"Referer": self.env.url + path}
        return self._note(
            self.http.post(
                self.env.url + path, data=data, headers=headers, allow_redirects=False, **kw
            )
        )

    def form(self, path: str, action: str | None = None) -> dict:
        """The hidden fields (CSRF token, one-time token) of the form posting to `action` on
        the page at `path` (the first form when no action is given)."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return hidden_fields(response.text, action, path)

    def sign_in(self, email: str, password: str = PASSWORD):
        fields = self.form("/login")
        return self.post("/login", {**fields, "email": email, "password": password})

    def next_lands_on(self, instance: str) -> None:
        """Line up nginx's round-robin so the next request goes to `instance`: ask for the
        sign-in page until `instance` has answered (it is in the rotation: one restarted a
        moment ago may still be in nginx's fail_timeout) and then the other one has."""
        seen = False
        for _ in range(80):
            answered = self.get("/login").served_by
            if answered == instance:
                seen = True
            elif seen:
                return
            else:
                time.sleep(0.25)
        raise AssertionError(f"nginx did not alternate between {instance} and the other instance")


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""


def hidden_fields(html: str, action: str | None = None, page: str = "") -> dict:
    """The hidden fields of the form posting to `action` (a form without an action posts to
    its own `page`)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if action is None or (urlsplit(form_action).path or page) == action:
            return fields
    raise AssertionError(f"no form posting to {action} on the page")


@pytest.fixture
def browser(multi):
    def make():
        return Browser(multi)

    return make


# ---------------------------------------------------------------- people and work


class World:
    """People, groups and assignments made with the app's services on the environment's
    database (as a tutor's pages would), and reads of what was saved."""

    _counter = itertools.count(1)

    def __init__(self, env, lrs):
        from crm_sandbox import create_app

        os.environ["CRM_SANDBOX_INSTANCE_PATH"] = env.env["CRM_SANDBOX_INSTANCE_PATH"]
        try:
            self.app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": env.database_url,
                    "PASSWORD_HASH_METHOD": FAST_HASH,
                    "TESTING": True,
                    "LOG_KEY": env.env["CRM_SANDBOX_LOG_KEY"],
                    "SECRET_KEY": env.env["CRM_SANDBOX_SECRET_KEY"],
                    "LRS_URL": lrs.url,
                }
            )
        finally:
            del os.environ["CRM_SANDBOX_INSTANCE_PATH"]

    def unique(self, stem: str) -> str:
        return f"{stem}{next(self._counter)}"

    @contextlib.contextmanager
    def session(self):
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

    def person(self, role: str, name: str) -> tuple[int, str]:
        from crm_sandbox.services import accounts

        # Unique to this run too: Redis keeps sign-in counts per email for a minute, and a run
        # straight after another must not inherit its counts.
        email = f"{self.unique(role)}-{RUN}@multi-college.example.org"
        with self.session():
            user = accounts.create_user(name=name, email=email, role=role, password=PASSWORD)
            return user.id, email

    def group(self, tutor_id: int, member_ids=()) -> int:
        from crm_sandbox.extensions import db
        from crm_sandbox.models import User
        from crm_sandbox.services import groups

        with self.session():
            group = groups.create_group(
                name=self.unique("Group "), tutor=db.session.get(User, tutor_id)
            )
            for member_id in member_ids:
                groups.add_member(group, db.session.get(User, member_id), by=None)
            db.session.flush()
            return group.id

    def assign(self, scenario_id: str, learner_id: int, group_id: int, tutor_id: int):
        """Assign a library scenario to one learner; returns (attempt id, sandbox id)."""
        from sqlalchemy import select

        from crm_sandbox.extensions import db
        from crm_sandbox.models import Attempt, User
        from crm_sandbox.services import assignments

        with self.session():
            assignments.assign(
                scenario_id,
                [db.session.get(User, learner_id)],
                db.session.get(User, tutor_id),
                group_id=group_id,
            )
            db.session.flush()
            attempt = db.session.scalars(
                select(Attempt).where(
                    Attempt.learner_id == learner_id, Attempt.scenario_id == scenario_id
                )
            ).one()
            return attempt.id, attempt.sandbox_id

    def read(self, fn):
        with self.session() as s:
            return fn(s)

    def contact_ids(self, sandbox_id: int) -> list[int]:
        from sqlalchemy import select

        from crm_sandbox.models import Contact

        return self.read(
            lambda s: list(
                s.scalars(
                    select(Contact.id).where(Contact.sandbox_id == sandbox_id).order_by(Contact.id)
                )
            )
        )

    def need_descriptions(self, sandbox_id: int) -> list[str]:
        from sqlalchemy import select

        from crm_sandbox.models import Need

        return self.read(
            lambda s: list(s.scalars(select(Need.description).where(Need.sandbox_id == sandbox_id)))
        )


@pytest.fixture(scope="session")
def world(multi, lrs):
    made = World(multi, lrs)
    yield made
    from crm_sandbox.extensions import db

    with made.app.app_context():
        db.engine.dispose()


@pytest.fixture
def class_of(world):
    """A tutor and a group of `n` learners, each assigned the first-complaint scenario."""

    def make(n: int):
        tutor_id, tutor_email = world.person("tutor", "Tara Tutor")
        learners = [world.person("learner", f"Learner {i}") for i in range(n)]
        group_id = world.group(tutor_id, [lid for lid, _ in learners])
        work = []
        for learner_id, email in learners:
            attempt_id, sandbox_id = world.assign("first-complaint", learner_id, group_id, tutor_id)
            work.append({"email": email, "attempt_id": attempt_id, "sandbox_id": sandbox_id})
        return {"tutor_email": tutor_email, "group_id": group_id, "learners": work}

    return make
