"""xAPI statements reach a real Learning Record Store (Ralph, tests/lrs.py): what the learner
and the assessor do is enqueued as the evidence pack's own statements, sent through the outbox,
read back from Ralph, valid against xAPI 1.0.3, kept while the LRS is down and never stored
twice."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404: a fresh interpreter builds the app
import sys
import threading
import uuid
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import pytest
import requests
from sqlalchemy import select

from crm_sandbox import create_app
from crm_sandbox.config import SettingsError, from_environment
from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.models import OutboxMessage, Role, db
from crm_sandbox.models.base import utcnow
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.services import evidence, outbox, sandbox_clock, xapi
from crm_sandbox.services.assessment import judgements
from crm_sandbox.services.evidence import exports

from . import lrs as lrs_module

NOWHERE = "http://127.0.0.1:9/xAPI/"  # nothing listens on the discard port
SENT_KINDS = [
    "scenario.opened",
    "scenario.hint_viewed",
    "scenario.checked",
    "scenario.submitted",
    "assessment.judged",
    "assessment.decided",
]


def _need_ralph() -> None:
    """Skip without Ralph on a developer's machine (`make ralph`); in CI, fail."""
    if not lrs_module.installed():
        if os.environ.get("CI"):
            pytest.fail(lrs_module.missing_reason())
        pytest.skip(lrs_module.missing_reason())


@pytest.fixture(scope="session")
def shared_lrs(tmp_path_factory):
    """The LRS the tests share: CRM_SANDBOX_TEST_LRS_URL's (CI), else a Ralph of our own."""
    found = lrs_module.external()
    if found is not None:
        yield found
        return
    _need_ralph()
    server = lrs_module.Ralph(tmp_path_factory.mktemp("ralph")).start()
    yield server
    server.stop()


@pytest.fixture
def unique_ids(monkeypatch):
    """This test's statements under an xAPI base of their own: the tests share one LRS (and
    CI's SQLite and PostgreSQL runs share one Ralph), where the same sandbox and entry numbers
    recur; an LRS keeps the first statement of an id, so a repeat would read back another
    test's statement."""
    monkeypatch.setattr(exports, "XAPI_BASE", f"{exports.XAPI_BASE}/test-{uuid.uuid4().hex}")


@pytest.fixture
def sending_to(app, unique_ids):
    """Point the app at an LRS (an `lrs.Lrs`, or a URL for one that is not there)."""

    def point(target) -> None:
        if isinstance(target, str):
            app.config.update(LRS_URL=target, LRS_USERNAME="crm", LRS_PASSWORD="pw")
        else:
            app.config.update(target.settings())
        app.config["LRS_TIMEOUT"] = 5.0

    return point


@pytest.fixture
def work(app, create_user, create_group):
    """A learner's whole attempt through the services, as the pages do it: first opening, a
    hint, Check my work, submission, a judgement on each criterion and the sign-off."""

    def do(outcome: str = "met"):
        learner = create_user(Role.LEARNER, name="Ada Lovelace")
        assessor = create_user(Role.ASSESSOR, name="Grace Hopper")
        group = create_group("Business Admin L2", learners=[learner], assessors=[assessor])
        scenario, source = library_source("first-complaint")
        attempt = engine.start_attempt(learner, scenario, source)
        db.session.commit()
        sandbox_clock.record_work(attempt)
        engine.use_hint(attempt, learner, scenario.tasks[0].id, 0)
        engine.replay(attempt, scenario.model_answer)
        engine.check_my_work(attempt, learner)
        engine.submit(attempt, learner, True)
        for criterion in criteria_for_attempt(attempt):
            judgements.judge(attempt, assessor, criterion.id, outcome, "Seen in the log.")
        judgements.decide(attempt, assessor, outcome, "Well handled from start to finish.")
        db.session.commit()
        return attempt, group

    return do


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]


def _pack_statements(learner) -> dict[str, dict]:
    with zipfile.ZipFile(BytesIO(evidence.build_pack(learner))) as zf:
        lines = zf.read("xapi.jsonl").decode().splitlines()
    return {s["id"]: s for s in map(json.loads, lines)}


# ---------------------------------------------------------------- what is enqueued


def test_nothing_is_enqueued_when_no_lrs_is_configured(app, work):
    assert not app.config["LRS_URL"]
    work()
    assert _messages() == []


def test_each_kind_of_statement_is_enqueued_once_as_the_evidence_pack_has_it(app, work, sending_to):
    sending_to(NOWHERE)
    attempt, group = work()
    messages = _messages()

    assert sorted({_verb(m.payload) for m in messages}) == sorted(SENT_KINDS)
    assert all(m.kind == "xapi.statement" and m.status == "pending" for m in messages)
    # The key is the statement id; the statement is the pack's, byte for byte.
    pack = _pack_statements(attempt.learner)
    for message in messages:
        assert message.key == message.payload["id"]
        assert message.payload == pack[message.key]
        assert (message.attempt_id, message.group_id) == (attempt.id, group.id)
    # Not every log entry: the CRM work in between stays in the pack.
    assert len(pack) > len(messages)
    checked = next(m for m in messages if _verb(m.payload) == "scenario.checked")
    assert checked.payload["result"]["score"]["scaled"] == attempt.latest_score
    assert checked.summary.startswith("Ada Lovelace, A first complaint")
    submitted = next(m for m in messages if _verb(m.payload) == "scenario.submitted")
    assert submitted.payload["result"]["completion"] is True
    judged = next(m for m in messages if _verb(m.payload) == "assessment.judged")
    assert judged.payload["result"] == {"success": True}
    decided = next(m for m in messages if _verb(m.payload) == "assessment.decided")
    assert decided.payload["result"] == {"success": True}
    # Every statement names the attempt (registration) and the scenario (parent activity).
    for message in messages:
        context = message.payload["context"]
        assert context["registration"] == exports.registration_id(attempt.id)
        [parent] = context["contextActivities"]["parent"]
        assert parent["id"].endswith("/scenario/first-complaint")
    # The same entry is one message, however often it is enqueued.
    again = outbox.enqueue("xapi.statement", checked.key, checked.payload)
    assert again.id == checked.id


def test_every_kind_of_statement_is_valid_xapi_1_0_3(app, work, sending_to):
    _need_ralph()
    sending_to(NOWHERE)
    work(outcome="not_yet_met")
    statements = [m.payload for m in _messages()]
    assert sorted({_verb(s) for s in statements}) == sorted(SENT_KINDS)

    assert lrs_module.validate(statements) == []
    # The model does find problems (Ralph's LRS itself is laxer: it stores these).
    broken = dict(statements[0], verb={"id": "checked"}, result={"score": {"scaled": 1.5}})
    assert lrs_module.validate([broken]) == [
        "statement 0: verb.id: Value error, 'checked' is not a valid 'IRI'.",
        "statement 0: result.score.scaled: Input should be less than or equal to 1",
    ]


# ---------------------------------------------------------------- sending to Ralph


def test_statements_are_sent_and_read_back_from_the_lrs(app, work, sending_to, shared_lrs):
    sending_to(shared_lrs)
    work()
    messages = _messages()

    report = outbox.deliver_due()
    assert [m.last_error for m in outbox.messages()] == [""] * len(messages)
    assert (report.sent, report.retrying, report.failed) == (len(messages), 0, 0)
    for message in messages:
        db.session.refresh(message)
        assert message.status == "sent"
        [stored] = shared_lrs.statements(message.key)
        # The LRS adds what it owns (stored, authority, version); the rest is ours, unchanged.
        assert {k: v for k, v in stored.items() if k in message.payload} == message.payload


def test_the_lrs_down_for_a_while_loses_nothing_and_stores_each_statement_once(
    app, work, sending_to, tmp_path
):
    _need_ralph()
    ralph = lrs_module.Ralph(tmp_path / "ralph").start()
    try:
        sending_to(ralph)
        ralph.stop()  # down before anything is sent
        work()
        messages = _messages()
        ids = [m.key for m in messages]
        now = utcnow()

        report = outbox.deliver_due(now=now)
        assert (report.sent, report.retrying) == (0, len(ids))
        for message in messages:
            db.session.refresh(message)
            assert message.status == "pending" and message.tries == 1
            assert message.last_error.startswith("The LRS did not answer")
            assert message.next_try_at >= now + outbox.wait_after(1)
        assert outbox.deliver_due(now=now + timedelta(seconds=5)).tried == 0  # backing off
        assert outbox.deliver_due(now=now + timedelta(minutes=1)).retrying == len(ids)

        ralph.start()  # back, on the same port with the same data
        assert outbox.deliver_due(now=now + timedelta(hours=2)).sent == len(ids)
        assert all(m.status == "sent" for m in outbox.messages())
        for statement_id in ids:
            assert [s["id"] for s in ralph.statements(statement_id)] == [statement_id]
        stored = [s["id"] for s in ralph.stored_lines()]
        assert sorted(stored) == sorted(ids)  # exactly one of each
    finally:
        ralph.stop()


def test_a_statement_sent_twice_is_stored_once(app, work, sending_to, shared_lrs):
    """A sender that died after the LRS took the statement, before recording it, sends it
    again: same id, so the LRS keeps one."""
    sending_to(shared_lrs)
    work()
    message = next(m for m in _messages() if _verb(m.payload) == "scenario.checked")
    assert outbox.deliver_due().failed == 0
    db.session.refresh(message)
    # As if the first sender had died before marking it sent.
    message.status, message.sent_at = "pending", None
    db.session.commit()

    assert outbox.deliver_due().sent == 1
    assert len(shared_lrs.statements(message.key)) == 1
    # The LRS saw the same statement (204), not a different one under the same id (409).
    again = requests.put(
        shared_lrs.url + "statements",
        params={"statementId": message.key},
        json=message.payload,
        headers=lrs_module.VERSION_HEADER,
        auth=(shared_lrs.username, shared_lrs.password),
        timeout=10,
    )
    assert again.status_code == 204


def test_a_statement_the_lrs_refuses_fails_with_the_lrs_words(app, sending_to, shared_lrs):
    sending_to(shared_lrs)
    statement_id = str(uuid.uuid4())
    outbox.enqueue(
        "xapi.statement",
        statement_id,
        {
            "id": statement_id,
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": "https://crm-sandbox.invalid", "name": "1"},
            },
            "verb": {"id": "https://crm-sandbox.invalid/xapi/verbs/scenario.checked"},
            # and no object: checked what?
        },
        summary="A broken statement",
    )
    db.session.commit()

    assert outbox.deliver_due().failed == 1
    [message] = outbox.messages(statuses=["failed"])
    assert message.last_error.startswith("The LRS refused the statement (4")
    assert message.last_error.endswith("object: Field required"), message.last_error
    assert shared_lrs.statements(statement_id) == []
    # Sent again after the cause is fixed, it goes through.
    message.payload = {
        **message.payload,
        "object": {"objectType": "Activity", "id": "https://crm-sandbox.invalid/xapi/a"},
    }
    outbox.retry(message)
    db.session.commit()
    assert outbox.deliver_due().sent == 1


def test_wrong_credentials_keep_the_statements_waiting(app, work, sending_to, shared_lrs):
    sending_to(shared_lrs)
    app.config["LRS_PASSWORD"] = "not the password"  # noqa: S105
    work()
    report = outbox.deliver_due()
    assert report.sent == report.failed == 0 and report.retrying == len(_messages())
    assert "refused our credentials (401" in _messages()[0].last_error


class _Answering(BaseHTTPRequestHandler):
    """An LRS that answers every PUT with one status code (the test sets `code`)."""

    code = 503

    def do_PUT(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"detail": f"answer {self.code}"}).encode())

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    ("code", "outcome"),
    [(200, "sent"), (204, "sent"), (409, "sent"), (429, "retrying"), (500, "retrying"),
     (503, "retrying"), (400, "failed"), (404, "failed"), (413, "failed")],
)  # fmt: skip
def test_each_answer_of_the_lrs_means_sent_try_again_or_refused(app, sending_to, code, outcome):
    handler = type("Handler", (_Answering,), {"code": code})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sending_to(f"http://127.0.0.1:{server.server_port}/xAPI/")
        outbox.enqueue("xapi.statement", "s-1", {"id": "s-1"})
        db.session.commit()
        report = outbox.deliver_due()
    finally:
        server.shutdown()
        server.server_close()
    assert getattr(report, outcome) == 1
    [message] = outbox.messages()
    if outcome != "sent":
        assert f"answer {code}" in message.last_error


def test_a_fresh_app_registers_the_sender_and_the_subscriber(tmp_path):
    """Built in a new interpreter (as gunicorn and the command line do), with nothing imported
    before: the sender of statements and the log's subscriber are there."""
    script = (
        "from crm_sandbox import create_app\n"
        "from crm_sandbox.services import action_log, outbox\n"
        "create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "print(outbox.kinds(), len(action_log._SUBSCRIBERS.get('scenario.checked', [])))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script],
        env={**os.environ, "CRM_SANDBOX_INSTANCE_PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    kinds, subscribers = done.stdout.strip().rsplit(" ", 1)
    assert "'xapi.statement'" in kinds and int(subscribers) >= 1


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("ftp://lrs.example/xAPI/", "starting http:// or https://"),
        ("lrs.example/xAPI", "starting http:// or https://"),
        ("https://user:pw@lrs.example/xAPI/", "not in the address"),
        ("https://lrs.example:99999/xAPI/", "expected the LRS's xAPI address"),
    ],
)
def test_a_bad_lrs_address_is_a_clear_settings_message(value, words):
    with pytest.raises(SettingsError) as refused:
        from_environment({"CRM_SANDBOX_LRS_URL": value})
    assert str(refused.value).startswith("CRM_SANDBOX_LRS_URL: ") and words in str(refused.value)


def test_a_bad_lrs_address_in_the_app_config_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SettingsError, match="CRM_SANDBOX_LRS_URL"):
        create_app({"TESTING": True, "LRS_URL": "not a url"})


def test_lrs_settings_from_the_environment(tmp_path):
    secret = tmp_path / "lrs_password"
    secret.write_text("s3cret\n")
    found = from_environment(
        {
            "CRM_SANDBOX_LRS_URL": "https://lrs.college.example/xAPI",
            "CRM_SANDBOX_LRS_USERNAME": "crm",
            "CRM_SANDBOX_LRS_PASSWORD_FILE": str(secret),
            "CRM_SANDBOX_LRS_TIMEOUT": "3",
        }
    )
    lrs = xapi.settings(found)
    assert lrs.statements_url == "https://lrs.college.example/xAPI/statements"
    assert (lrs.username, lrs.password, lrs.timeout) == ("crm", "s3cret", 3.0)
    with pytest.raises(SettingsError, match="cannot read"):
        from_environment({"CRM_SANDBOX_LRS_PASSWORD_FILE": str(tmp_path / "missing")})
    assert xapi.settings({"LRS_URL": ""}) is None
