"""The outbox: a message enqueued with the work is sent afterwards, retried with back-off while
the other system is down, never lost and never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_sandbox.extensions import db
from crm_sandbox.models import OutboxMessage
from crm_sandbox.models.base import utcnow
from crm_sandbox.services import outbox


@pytest.fixture
def received():
    """A fake other system: records what it got; `down` makes it fail like a dead server."""

    class Target:
        got: list = []
        down = False
        refuse = False

    target = Target()
    target.got = []

    @outbox.handler("test.message")
    def send(payload: dict) -> None:
        if target.down:
            raise ConnectionError("connection refused")
        if target.refuse:
            raise outbox.Refused("400: the message is wrong")
        target.got.append(payload)

    yield target
    outbox._HANDLERS.pop("test.message", None)


def _enqueue(key: str, **payload) -> OutboxMessage:
    message = outbox.enqueue("test.message", key, payload or {"n": 1}, summary=key)
    db.session.commit()
    return message


def test_a_message_is_sent_once_and_marked_sent(app, received):
    message = _enqueue("k1", n=1)
    assert str(outbox.deliver_due()) == "1 sent, 0 to try again, 0 refused"
    assert received.got == [{"n": 1}]
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_at is not None and message.tries == 1
    assert outbox.deliver_due().tried == 0  # nothing is sent twice
    assert received.got == [{"n": 1}]


def test_the_same_key_enqueued_twice_is_one_message(app, received):
    first = _enqueue("same", n=1)
    second = _enqueue("same", n=2)
    assert first.id == second.id
    assert db.session.query(OutboxMessage).count() == 1


def test_a_down_system_keeps_the_message_and_backs_off_until_it_is_up(app, received):
    message = _enqueue("k2")
    received.down = True
    now = utcnow()
    assert outbox.deliver_due(now=now).retrying == 1
    db.session.refresh(message)
    assert message.status == "pending" and message.tries == 1
    assert "connection refused" in message.last_error
    assert message.next_try_at >= now + timedelta(seconds=29)
    # Not due again before its back-off...
    assert outbox.deliver_due(now=now + timedelta(seconds=10)).tried == 0
    # ...and each failure waits longer, to at most an hour.
    assert outbox.deliver_due(now=now + timedelta(seconds=31)).retrying == 1
    db.session.refresh(message)
    assert message.next_try_at - (now + timedelta(seconds=31)) == timedelta(minutes=1)
    assert outbox.wait_after(20) == timedelta(hours=1)
    received.down = False
    assert outbox.deliver_due(now=now + timedelta(hours=2)).sent == 1
    assert received.got == [{"n": 1}]


def test_a_refused_message_fails_and_an_admin_can_send_it_again(app, received):
    message = _enqueue("k3")
    received.refuse = True
    assert outbox.deliver_due().failed == 1
    db.session.refresh(message)
    assert message.status == "failed" and "400" in message.last_error
    assert outbox.deliver_due(now=utcnow() + timedelta(days=1)).tried == 0  # stays failed
    received.refuse = False
    outbox.retry(message)
    db.session.commit()
    assert outbox.deliver_due().sent == 1


def test_a_message_another_sender_holds_is_not_sent_twice(app, received):
    message = _enqueue("k4")
    now = utcnow()
    message.claimed_until = now + timedelta(minutes=5)
    db.session.commit()
    assert outbox.deliver_due(now=now).tried == 0
    # A sender that died lets go when its claim runs out.
    assert outbox.deliver_due(now=now + timedelta(minutes=6)).sent == 1


def test_a_newer_message_supersedes_an_unsent_older_one(app, received):
    received.down = True
    _enqueue("score:7:1", n=1)
    outbox.deliver_due()
    received.down = False
    newer = outbox.enqueue("test.message", "score:7:2", {"n": 2}, supersedes="score:7:")
    db.session.commit()
    assert newer.status == "pending"
    outbox.deliver_due(now=utcnow() + timedelta(hours=1))
    assert received.got == [{"n": 2}]
    statuses = {m.key: m.status for m in outbox.messages()}
    assert statuses == {"score:7:1": "superseded", "score:7:2": "sent"}


def test_the_cli_lists_sends_and_retries(app, runner, received):
    _enqueue("k5")
    result = runner.invoke(args=["outbox", "list"])
    assert "test.message: 1 pending" in result.output
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0 and "1 sent" in result.output
    result = runner.invoke(args=["outbox", "retry", "99999"])
    assert result.exit_code == 1 and "No outbox message #99999" in result.output
