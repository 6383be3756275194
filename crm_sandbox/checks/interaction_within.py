"""Check type `interaction_within`: a contact with the customer on the right channel within a
time after an event (a scenario event, the customer's own message of a kind, or the start)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from ..models import AnswerKind, Purpose
from ..wording import article
from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, initiatives, when
from ._timing import says_something


class InteractionWithin(Params):
    contact: str
    channels: list[Literal["phone", "email", "letter", "meeting", "live_chat", "social"]] = []
    direction: Literal["inbound", "outbound"] = "outbound"
    initiative: Literal["reactive", "proactive"] | None = None  # None: either (as derived)
    purpose: Literal[tuple(p.value for p in Purpose)] | None = None  # None: any
    # or one of several purposes (a proposal may go as a follow-up or an update)
    purposes: list[Literal[tuple(p.value for p in Purpose)]] = []
    after_event: str | None = None  # a scenario event id; default: when the attempt started
    # or: the customer's first message of this kind (they reject a remedy, chase ...)
    after_answer: Literal[tuple(k.value for k in AnswerKind)] | None = None
    # or the first of several kinds (she may turn the remedy down, say she is not satisfied, or
    # ask to escalate: each is the moment the task responds to)
    after_answers: list[Literal[tuple(k.value for k in AnswerKind)]] = []
    within: float = 1
    unit: Literal["working_hours", "working_days"] = "working_days"

    @model_validator(mode="after")
    def _one_start(self):
        if sum(map(bool, (self.after_event, self.after_answer, self.after_answers))) > 1:
            raise ValueError("give one of after_event, after_answer and after_answers")
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
    wanted = [p.purpose] if p.purpose else list(p.purposes)
    if wanted:
        kind = f"{kind} ({' or '.join(Purpose(w).label.lower() for w in wanted)})"
    if p.direction == "inbound":
        return f"the customer's {initiative}inbound {kind}"
    return f"{article(f'{initiative}outbound {kind}')} to the customer"


def _fits(item, p: InteractionWithin, initiative: str) -> bool:
    if item.after.get("direction") != p.direction:
        return False
    if p.direction == "inbound" and not item.after.get("answer_kind"):
        # the customer's own message (the simulated customer's, or a scenario event's): a note
        # the learner logged as inbound is their account of it, not the customer's word
        return False
    if p.channels and item.after.get("channel") not in p.channels:
        return False
    if p.purpose and item.after.get("purpose") != p.purpose:
        return False
    if p.purposes and item.after.get("purpose") not in p.purposes:
        return False
    return not (p.initiative and initiative != p.initiative)


def _logged(item, initiative: str) -> str:
    """A logged contact in words: "a reactive outbound call"."""
    after = item.after
    initiative = f"{initiative} " if initiative else ""
    kind = _NOUNS.get(after.get("channel"), "contact")
    return article(f"{initiative}{after.get('direction', '')} {kind}".replace("  ", " "))


def _start(log, p: InteractionWithin, contact_id):
    """(the log item the time counts from, or None, and a pending result when it has not
    happened yet)."""
    if p.after_event:
        found = next(
            (i for i in log.of("scenario.event") if i.after.get("event") == p.after_event),
            None,
        )
        if found is None:
            return None, not_yet(
                "what this task responds to has not happened yet in sandbox time, so there is "
                "nothing to judge yet."
            )
        return found, None
    kinds = [p.after_answer] if p.after_answer else list(p.after_answers)
    if kinds:
        found = next(
            (
                i
                for i in log.of("interaction.logged")
                if i.after_contact_id == contact_id
                and i.after.get("direction") == "inbound"
                and i.after.get("answer_kind") in kinds
            ),
            None,
        )
        if found is None:
            label = " or ".join(AnswerKind(k).label.lower() for k in kinds)
            return None, not_yet(f"the customer has not {label} yet, so there is nothing to judge.")
        return found, None
    return (log[0] if log else None), None


@register("interaction_within", InteractionWithin)
def interaction_within(state, log, scenario, p: InteractionWithin) -> CheckResult:
    """Passes when an interaction with the contact (direction, channel, and purpose and
    initiative when given: the initiative as the data says, who started the conversation) is
    logged within the working time allowed after the event (a scenario event, or the
    customer's first message of the kind `after_answer`, or the start); a contact of another
    kind is named in the message. An outbound message must say something (a word or two does
    not count as the contact); an inbound one must be the customer's own message, not a note
    the learner logged. Not judged yet while the event or the customer's message it counts
    from has not happened."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    start_item, pending = _start(log, p, contact_id)
    if pending is not None:
        return pending
    start = start_item.sandbox_time if start_item else state.now
    limit = state.calendar.add(start, p.within, p.unit)
    derived = initiatives(log)
    other = None  # the last contact with the customer that was not the kind the task needs
    empty = None  # a contact of the right kind, in time, that said nothing
    earlier = None  # the last contact of the right kind before the start
    for item in log.of("interaction.logged"):
        if item.after_contact_id != contact_id:
            continue
        fits = _fits(item, p, derived[item.seq])
        if item.seq <= (start_item.seq if start_item else 0):
            earlier = item if fits else earlier
        elif not fits:
            other = item
        elif p.direction == "outbound" and not says_something(item.after.get("summary")):
            empty = empty or (item if item.sandbox_time <= limit else None)
        elif item.sandbox_time <= limit:
            return CheckResult(True, f"contact logged {when(item.sandbox_time)}.", [item.seq])
        else:
            return CheckResult(
                False,
                f"the contact came {when(item.sandbox_time)}, after the deadline of {when(limit)}.",
                [item.seq],
            )
    return _not_found(state, p, derived, limit, empty, other, earlier)


def _not_found(state, p, derived, limit, empty, other, earlier) -> CheckResult:
    """No contact of the kind needed in time: say what the CRM does hold."""
    if empty is not None:
        return CheckResult(
            False,
            f"{_logged(empty, derived[empty.seq])} was logged {when(empty.sandbox_time)}, but "
            "it says too little (a word or two) to count as the contact this task needs.",
            [empty.seq],
        )
    if other is not None:
        return CheckResult(
            False,
            f"{_logged(other, derived[other.seq])} was logged, but this task needs "
            f"{_wanted(p)} logged by {when(limit)}.",
            [other.seq],
        )
    before = ""
    if earlier is not None and (p.after_event or p.after_answer or p.after_answers):
        before = (
            f" (the contact logged {when(earlier.sandbox_time)} came before what this task "
            "responds to)"
        )
    if state.now > limit:
        return CheckResult(False, f"no contact of this kind was logged by {when(limit)}{before}.")
    return CheckResult(False, f"no contact logged yet (due by {when(limit)}){before}.")
