"""The outbox: reliable delivery to other systems (grades to a learning platform, xAPI
statements to a Learning Record Store).

A service that does something another system must hear about calls `enqueue` in its own
transaction, so the message exists exactly when the work does. A sender (`deliver_due`, run by
`crm-sandbox outbox run` and every minute by the task queue's worker; `deliver_one`, the
worker's task queued when a message's transaction commits) sends what is due, each message in a
short transaction of its own and never inside a request, through the handler registered for
its kind:

    @outbox.handler("xapi.statement")
    def send_statement(payload: dict) -> None:
        ...  # raise outbox.Retry("the LRS answered 503") or outbox.Refused("400: bad verb")

A handler that returns has delivered. `Retry` (or any other exception: a network error, a
timeout) keeps the message pending and tries again after a back-off (30 s, 1 min, 2 min, ...
at most an hour); nothing is ever dropped. `Refused` marks it failed: the other system said the
message itself is wrong, so sending it again would not help; an admin can send it again after
fixing the cause (`retry`). Keys are stable, so the same event enqueued twice is one message,
and a message sent twice (a sender that died after sending, before recording it) carries the
same id to the other system, which keeps one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from ..models import OutboxMessage, OutboxStatus, db
from ..models.base import utcnow

log = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_HANDLERS: dict[str, Handler] = {}

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# A sender holds a message it is sending this long; one that died lets it go after this.
CLAIM = timedelta(minutes=5)


class Retry(Exception):  # noqa: N818 (a decision, not an error)
    """The other system could not take the message now (down, busy, 5xx): try again later."""


class Refused(Exception):  # noqa: N818
    """The other system refused the message itself (4xx): sending it again would not help."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of `kind`."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def kinds() -> list[str]:
    """The kinds of message something here can send."""
    return sorted(_HANDLERS)


def enqueue(
    kind: str,
    key: str,
    payload: dict,
    *,
    summary: str = "",
    group_id: int | None = None,
    attempt_id: int | None = None,
    supersedes: str | None = None,
) -> OutboxMessage:
    """Add a message to send, in the caller's transaction (flushes, never commits).

    `key` is stable: enqueueing the same key again returns the message already there.
    `supersedes`, a key prefix, marks the still-unsent messages whose keys start with it as
    replaced by this one (a newer score for the same attempt replaces an older one not yet
    sent, so the platform never receives them out of order)."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if existing is not None:
        return existing
    if supersedes:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.key.startswith(supersedes, autoescape=True),
                OutboxMessage.status == OutboxStatus.PENDING.value,
            )
            .values(status=OutboxStatus.SUPERSEDED.value, last_error=f"replaced by {key}")
            .execution_options(synchronize_session=False)
        )
    message = OutboxMessage(
        kind=kind,
        key=key,
        payload=payload,
        summary=summary[:255],
        group_id=group_id,
        attempt_id=attempt_id,
        status=OutboxStatus.PENDING.value,
        tries=0,
        next_try_at=utcnow(),
        last_error="",
    )
    db.session.add(message)
    db.session.flush()
    return message


def wait_after(tries: int) -> timedelta:
    """The back-off after the `tries`-th failed try: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(FIRST_WAIT * (2 ** max(tries - 1, 0)), LONGEST_WAIT)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to try again, {self.failed} refused"


def deliver_due(
    now: datetime | None = None, limit: int = 100, kinds: Iterable[str] | None = None
) -> DeliveryReport:
    """Send the messages that are due, oldest first. Commits: call it outside a request (the
    CLI, the background sender, a test), never inside one."""
    now = now or utcnow()
    report = DeliveryReport()
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_try_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
        .limit(limit)
    )
    if kinds is not None:
        query = query.where(OutboxMessage.kind.in_(list(kinds)))
    ids = list(db.session.scalars(query))
    db.session.commit()
    for message_id in ids:
        if not _claim(message_id, now):
            continue  # another sender has it
        outcome = _deliver_one(message_id, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def deliver_one(message_id: int, now: datetime | None = None) -> str | None:
    """Send one pending message now, whatever its next try time (the task queue's delivery
    task, queued when the message's transaction commits): "sent", "retrying" or "failed", or
    None when there is nothing to send (sent, refused, replaced, or another sender holds it).
    Commits, like `deliver_due`."""
    now = now or utcnow()
    if not _claim(message_id, now):
        return None
    return _deliver_one(message_id, now)


def _claim(message_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING.value,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _deliver_one(message_id: int, now: datetime) -> str:
    message = db.session.get(OutboxMessage, message_id)
    kind, payload = message.kind, dict(message.payload or {})
    db.session.commit()  # no transaction stays open while the other system answers
    send = _HANDLERS.get(kind)
    error, outcome = "", "sent"
    try:
        if send is None:
            raise Retry(f"nothing here sends {kind!r} messages (is the feature switched off?)")
        send(payload)
    except Refused as exc:
        error, outcome = str(exc) or "refused", "failed"
    except Exception as exc:  # a network error, a timeout, a 5xx: try again later
        error, outcome = (str(exc) or exc.__class__.__name__), "retrying"
        if not isinstance(exc, Retry):
            log.warning("outbox: %s message %s will be tried again: %s", kind, message_id, exc)
    message = db.session.get(OutboxMessage, message_id)
    message.tries += 1
    message.claimed_until = None
    message.last_error = error[:2000]
    if outcome == "sent":
        message.status = OutboxStatus.SENT.value
        message.sent_at = utcnow()
    elif outcome == "failed":
        message.status = OutboxStatus.FAILED.value
    else:
        message.next_try_at = now + wait_after(message.tries)
    db.session.commit()
    return outcome


def retry(message: OutboxMessage) -> None:
    """Send a failed (or waiting) message again at once (an admin's button)."""
    if message.status == OutboxStatus.SENT.value:
        raise ValueError("This message was delivered.")
    message.status = OutboxStatus.PENDING.value
    message.next_try_at = utcnow()
    message.claimed_until = None
    db.session.flush()


def counts() -> dict[str, dict[str, int]]:
    """{kind: {status: count}} for the admin's page and the CLI."""
    rows = db.session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.kind, OutboxMessage.status
        )
    )
    result: dict[str, dict[str, int]] = {}
    for kind, status, n in rows:
        result.setdefault(kind, {})[status] = n
    return result


def messages(
    *,
    statuses: Iterable[str] | None = None,
    kind: str | None = None,
    group_ids: Iterable[int] | None = None,
    limit: int = 200,
) -> list[OutboxMessage]:
    """Messages, newest first, filtered by status, kind and the groups whose work they report."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if statuses is not None:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if group_ids is not None:
        query = query.where(OutboxMessage.group_id.in_(list(group_ids)))
    return list(db.session.scalars(query))
