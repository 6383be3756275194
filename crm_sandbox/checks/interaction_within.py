"""Check type `interaction_within`: a contact with the customer on the right channel within a
time after an event (a scenario event, the customer's own message of a kind, or the start)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ..models import AnswerKind, Purpose
from ..wording import article
from . import CheckResult, Params, register
from ._helpers import as_log, initiatives, when


class InteractionWithin(Params):
    contact: str
    channels: list[Literal["phone", "email", "letter", "meeting", "live_chat", "social"]] = []
    direction: Literal["inbound", "outbound"] = "outbound"
    initiative: Literal["reactive", "proactive"] | None = None  # None: either (as derived)
    purpose: Literal[tuple(p.value for p in Purpose)] | None = None  # None: any
    after_event: str | None = None  # a scenario event id; default: when the attempt started
    # or: the customer's first message of this kind (they reject a remedy, chase ...)
    after_answer: Literal[tuple(k.value for k in AnswerKind)] | None = None
    within: float = 1
    unit: Literal["working_hours", "working_days"] = "working_days"

    @model_validator(mode="after")
    def _one_start(self):
        if self.after_event and self.after_answer:
            raise ValueError("give after_event or after_answer, not both")
        return self


# What a contact on each channel is called in a message ("an outbound call was logged").
_NOUNS = {
    "phone": "call",
    "email": "email",
    "letter": "letter",
    "meeting": "meeting",
    "live_chat": "live chat",
    "social": "social media message",
}


def _wanted(p: InteractionWithin) -> str:
    """The contact the task needs, in words: "the customer's inbound call"."""
    kind = " or ".join(_NOUNS[c] for c in p.channels) if p.channels else "contact"
    initiative = f"{p.initiative} " if p.initiative else ""
    if p.purpose:
        kind = f"{kind} ({Purpose(p.purpose).label.lower()})"
    if p.direction == "inbound":
        return f"the customer's {initiative}inbound {kind}"
    return f"{article(f'{initiative}outbound {kind}')} to the customer"


def _fits(item, p: InteractionWithin, initiative: str) -> bool:
    if item.after.get("direction") != p.direction:
        return False
    if p.channels and item.after.get("channel") not in p.channels:
        return False
    if p.purpose and item.after.get("purpose") != p.purpose:
        return False
    return not (p.initiative and initiative != p.initiative)


def _logged(item, initiative: str) -> str:
    """A logged contact in words: "a reactive outbound call"."""
    after = item.after
    initiative = f"{initiative} " if initiative else ""
    kind = _NOUNS.get(after.get("channel"), "contact")
    return article(f"{initiative}{after.get('direction', '')} {kind}".replace("  ", " "))


@register("interaction_within", InteractionWithin)
def interaction_within(state, log, scenario, p: InteractionWithin) -> CheckResult:
    """Passes when an interaction with the contact (direction, channel, and purpose and
    initiative when given: the initiative as the data says, who started the conversation) is
    logged within the working time allowed after the event (a scenario event, or the
    customer's first message of the kind `after_answer`, or the start); a contact of another
    kind is named in the message."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    start_item = log[0] if log else None
    if p.after_event:
        start_item = next(
            (i for i in log.of("scenario.event") if i.after.get("event") == p.after_event),
            None,
        )
        if start_item is None:
            return CheckResult(False, "the event has not happened yet in sandbox time.")
    if p.after_answer:
        start_item = next(
            (
                i
                for i in log.of("interaction.logged")
                if i.after_contact_id == contact_id
                and i.after.get("direction") == "inbound"
                and i.after.get("answer_kind") == p.after_answer
            ),
            None,
        )
        if start_item is None:
            label = AnswerKind(p.after_answer).label.lower()
            return CheckResult(False, f"the customer has not {label} yet.")
    start = start_item.sandbox_time if start_item else state.now
    limit = state.calendar.add(start, p.within, p.unit)
    derived = initiatives(log)
    other = None  # the last contact with the customer that was not the kind the task needs
    for item in log.of("interaction.logged"):
        if item.seq <= (start_item.seq if start_item else 0):
            continue
        if item.after_contact_id != contact_id:
            continue
        if not _fits(item, p, derived[item.seq]):
            other = item
            continue
        if item.sandbox_time <= limit:
            return CheckResult(True, f"contact logged {when(item.sandbox_time)}.", [item.seq])
        return CheckResult(
            False,
            f"the contact came {when(item.sandbox_time)}, after the deadline of {when(limit)}.",
            [item.seq],
        )
    if other is not None:
        return CheckResult(
            False,
            f"{_logged(other, derived[other.seq])} was logged, but this task needs "
            f"{_wanted(p)} logged by {when(limit)}.",
            [other.seq],
        )
    if state.now > limit:
        return CheckResult(False, f"no contact was logged by {when(limit)}.")
    return CheckResult(False, f"no contact logged yet (due by {when(limit)}).")
