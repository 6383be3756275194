"""Small helpers the check types share (not a check type: the leading underscore keeps it
out of the registry's automatic imports)."""

from __future__ import annotations

from datetime import datetime

from ..models.interactions import ANSWERS_TO_US
from ..scenarios.state import as_log
from ..wording import datetime_text

__all__ = [
    "all_of",
    "as_log",
    "first",
    "initiatives",
    "level_rule",
    "replies",
    "when",
]


def first(
    log,
    verb: str,
    object_type: str | None = None,
    object_id: int | None = None,
    after_seq: int = 0,
    where=None,
):
    """The first log item with this verb (and object), after a given seq."""
    log = as_log(log)
    for item in log.of(verb) if object_id is None else log.about(object_id):
        if item.seq <= after_seq or item.verb != verb:
            continue
        if object_type is not None and item.object_type != object_type:
            continue
        if object_id is not None and item.object_id != object_id:
            continue
        if where is not None and not where(item):
            continue
        return item
    return None


def all_of(log, verb: str, object_type: str | None = None, object_id: int | None = None):
    return [
        i
        for i in as_log(log).of(verb)
        if i.verb == verb
        and (object_type is None or i.object_type == object_type)
        and (object_id is None or i.object_id == object_id)
    ]


def when(dt: datetime) -> str:
    """A sandbox time in a check's message, in the pages' one style."""
    return datetime_text(dt)


def level_rule(procedure: dict, level: str, which: str) -> dict | None:
    for entry in procedure.get("levels", []):
        if entry.get("key") == level:
            return entry.get(which)
    return None


def initiatives(log) -> dict[int, str]:
    """Whether each logged contact (`interaction.logged`, by seq) was reactive or proactive,
    from the data, never from a box the learner ticked: a message sent with a purpose carries
    the initiative `conversations.send_message` derived from who started its thread; a
    customer's message is reactive; an older outbound entry without a purpose is reactive when
    it answers a message the customer started (an enquiry, a chase, a complaint) that nothing
    had answered yet, and proactive otherwise."""
    log = as_log(log)
    cached = getattr(log, "_initiatives", None)
    if cached is not None:  # several checks of one evaluation ask: worked out once
        return cached
    out: dict[int, str] = {}
    waiting: set = set()  # contacts whose latest message nothing has answered yet
    for item in log.of("interaction.logged"):
        after = item.after
        contact = item.after_contact_id
        if after.get("direction") == "inbound":
            out[item.seq] = "reactive"
            if after.get("answer_kind") not in ANSWERS_TO_US:
                waiting.add(contact)  # the customer's own initiative, waiting for us
            continue
        if after.get("purpose"):
            out[item.seq] = after.get("initiative") or "proactive"
        elif after.get("complaint_id") or contact in waiting:
            out[item.seq] = "reactive"
        else:
            out[item.seq] = "proactive"
        waiting.discard(contact)
    log._initiatives = out
    return out


def replies(log, contact_id: int | None, kind: str | None = None) -> dict[int, object]:
    """A customer's messages in the log (by interaction id), optionally of one answer kind
    (`needs_reply`, `satisfied` ...)."""
    return {
        item.object_id: item
        for item in as_log(log).of("interaction.logged")
        if item.after_contact_id == contact_id
        and item.after.get("direction") == "inbound"
        and (kind is None or item.after.get("answer_kind") == kind)
    }
