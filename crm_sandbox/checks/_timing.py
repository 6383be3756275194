"""What the timing checks share: whether a message says anything at all, whether a contact with
a customer is a service contact about the matter in hand, and the promises of a next contact a
learner made to a customer, with whether each was kept.

A timing check judges when things happened. What counts as having happened is structural:
- a contact is a message to the same customer (the learner's, outbound), not marketing or a
  survey invitation, and not about another of their complaints;
- a message counts only when it says something: a placeholder of a word or two ("Received.",
  "Sorted.", "OK") tells the customer nothing. This is a floor, never a pass on its own: no
  check passes on the words of a message, but an empty one does not count as the contact;
- a promise is a message's structured "next contact by" (`promise_by`), never words in it; it is
  kept by a contact (as above) sent after it and by its time.

`promise_report` is the one rule for promises: `promises_kept`, `chases_answered` and the
writing report read it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ._helpers import as_log

# Words of two letters or more, and numbers ("8-12" is two of them).
_WORD = re.compile(r"[^\W\d_]{2,}|\d+")
MIN_WORDS = 3  # distinct words a message needs before it counts as saying something

NOT_SERVICE = frozenset({"marketing", "survey_invitation"})


def says_something(text: str | None) -> bool:
    """Whether a message has at least a few distinct words: a floor against placeholders, not
    a judgement of what it says (that stays with the assessor and the writing report)."""
    return len({w.lower() for w in _WORD.findall(text or "")}) >= MIN_WORDS


def outbound(item) -> bool:
    return item.after.get("direction") == "outbound"


def service_contact(item, complaint_id: int | None = None) -> bool:
    """An outbound message about the customer's matter: not marketing or a survey invitation,
    and (when a complaint is in hand) not about another complaint of theirs."""
    if not outbound(item) or item.after.get("purpose") in NOT_SERVICE:
        return False
    about = item.after.get("complaint_id")
    return complaint_id is None or about is None or about == complaint_id


def counts_as_contact(item, complaint_id: int | None = None) -> bool:
    """A service contact that says something."""
    return service_contact(item, complaint_id) and says_something(item.after.get("summary"))


def _time(value) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


@dataclass
class Promise:
    """A next contact the learner promised a customer, and what became of it."""

    made: object  # the log item of the message that made it
    due: datetime
    kept_by: object | None = None  # the contact that kept it
    empty: object | None = None  # a contact in time that said nothing (a placeholder)

    def state(self, now: datetime) -> str:
        """`kept`, `broken` (its time passed with no contact) or `open` (not due yet)."""
        if self.kept_by is not None:
            return "kept"
        return "broken" if now > self.due else "open"


def promise_report(log, contact_id: int | None = None) -> list[Promise]:
    """Every promise of a next contact made in the log (to one customer, or to any), in the
    order made, each with the contact that kept it: the first later message to the same
    customer, by the promised time, that counts as a contact about the same matter (the
    promise's complaint, when it was about one)."""
    log = as_log(log)
    messages = [
        i
        for i in log.of("interaction.logged")
        if outbound(i) and (contact_id is None or i.after_contact_id == contact_id)
    ]
    out = []
    for made in messages:
        due = _time(made.after.get("promise_by"))
        if due is None:
            continue
        promise = Promise(made, due)
        complaint_id = made.after.get("complaint_id")
        for later in messages:
            if later.seq <= made.seq or later.after_contact_id != made.after_contact_id:
                continue
            if later.sandbox_time > due:
                break
            if not service_contact(later, complaint_id):
                continue
            if says_something(later.after.get("summary")):
                promise.kept_by = later
                break
            promise.empty = promise.empty or later
        out.append(promise)
    return out
