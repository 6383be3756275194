"""The admin's view of the outbox (`/admin/outbox`): what waits to be sent to other systems and
what they refused, in words, and sending a refused message again (staff-audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ..models import Attempt, OutboxMessage, OutboxStatus, User, db
from . import action_log, outbox, staff_audit
from .errors import NotFound, ServiceError
from .personal_data import ERASED_VERB

# The kinds of message in words (a kind not listed here reads as its name).
KIND_WORDS = {
    "lti.score": "Grade to the learning platform",
    "xapi.statement": "xAPI statement to the LRS",
}
STATUS_WORDS = {
    OutboxStatus.PENDING.value: "waiting",
    OutboxStatus.SENT.value: "sent",
    OutboxStatus.FAILED.value: "refused",
    OutboxStatus.SUPERSEDED.value: "replaced by a newer one",
}
STATUS_ORDER = tuple(STATUS_WORDS)
SHOWN = 200  # messages listed per state; the counts cover them all
ERASED_SUMMARY = "(about a learner whose personal data was erased)"


def kind_words(kind: str) -> str:
    """A kind of message in words ("xAPI statement to the LRS")."""
    return KIND_WORDS.get(kind, kind)


@dataclass
class KindCounts:
    kind: str
    label: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class Overview:
    counts: list[KindCounts]
    pending: list[OutboxMessage]
    failed: list[OutboxMessage]
    failed_total: int
    pending_total: int


def overview() -> Overview:
    """Counts by kind and state, then the waiting and the refused messages, newest first."""
    counts = [
        KindCounts(kind, kind_words(kind), {s: by.get(s, 0) for s in STATUS_ORDER})
        for kind, by in sorted(outbox.counts().items(), key=lambda item: kind_words(item[0]))
    ]
    totals = {s: sum(c.by_status[s] for c in counts) for s in STATUS_ORDER}
    return Overview(
        counts=counts,
        pending=outbox.messages(statuses=[OutboxStatus.PENDING.value], limit=SHOWN),
        failed=outbox.messages(statuses=[OutboxStatus.FAILED.value], limit=SHOWN),
        failed_total=totals[OutboxStatus.FAILED.value],
        pending_total=totals[OutboxStatus.PENDING.value],
    )


def _message(message_id) -> OutboxMessage:
    try:
        number = int(message_id)
    except (TypeError, ValueError):
        raise NotFound("There is no such message in the outbox.") from None
    found = db.session.get(OutboxMessage, number) if 0 < number < 2**31 else None
    if found is None:
        raise NotFound("There is no such message in the outbox.")
    return found


def send_again(message_id, by: User | None = None) -> OutboxMessage:
    """Put one refused message back in the queue, to be sent at the sender's next round."""
    message = _message(message_id)
    if message.status != OutboxStatus.FAILED.value:
        raise ServiceError(
            f"Message #{message.id} is {STATUS_WORDS.get(message.status, message.status)}, "
            "not refused: only a refused message can be sent again."
        )
    outbox.retry(message)
    staff_audit.record_staff_action(
        "outbox.resent",
        "outbox_message",
        message.id,
        actor=by,
        group_id=message.group_id,
        after={"kind": message.kind, "messages": 1, "summary": message.summary},
    )
    return message


def send_all_failed_again(by: User | None = None) -> int:
    """Put every refused message back in the queue; how many there were."""
    failed = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED.value)
        )
    )
    if not failed:
        raise ServiceError("No message is refused: there is nothing to send again.")
    for message in failed:
        outbox.retry(message)
    staff_audit.record_staff_action(
        "outbox.resent",
        "outbox_message",
        None,
        actor=by,
        after={"messages": len(failed), "ids": [m.id for m in failed][:100]},
    )
    return len(failed)


def _forget_names(entry, ctx) -> None:
    """A learner's erasure (logged in each of their sandboxes) blanks the outbox's lines about
    that sandbox's work: they name the learner and may quote comments. What is sent stays as
    it was (statements and scores carry account numbers, not names)."""
    attempts = select(Attempt.id).where(Attempt.sandbox_id == entry.sandbox_id)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.attempt_id.in_(attempts))
        .values(summary=ERASED_SUMMARY)
        .execution_options(synchronize_session=False)
    )


action_log.subscribe([ERASED_VERB], _forget_names)
