"""Check type `need_confirmed_before_action`: per customer and per need, each need the
customer has (judged against their persona) is on their record and confirmed by THEIR reply to
a summary of their needs before anything is done for them."""

from __future__ import annotations

from ..models.interactions import PURPOSE_LABELS
from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, replies, when
from ._needs import Records, Selection, persona_of, plural, scenario_problem, select

# Messages that find or confirm the needs: asking and summarising back are not acting on them.
NOT_ACTING = {"ask_needs", "confirm_needs"}


class NeedConfirmed(Params):
    contact: str
    # The persona's needs that must be confirmed before acting: "all" (hidden ones included:
    # the scenario expects the learner to find them), or a list of the needs' keys or types.
    needs: Selection = "all"


def acts_for(log, contact_id) -> list:
    """Everything done for the customer in this attempt: each outbound message to them that
    is not asking about or summarising their needs (a contact logged without a purpose
    counts)."""
    return [
        i
        for i in as_log(log).of("interaction.logged")
        if i.after_contact_id == contact_id
        and i.after.get("direction") == "outbound"
        and i.after.get("purpose") not in NOT_ACTING
    ]


def confirmations(log, records: Records, contact_id) -> tuple[dict, set, dict]:
    """({persona need index: the customer's reply that confirmed it, pointed at}, {indexes
    marked confirmed without a reply of this customer's that confirms them}, {indexes the
    customer's reply confirmed but nobody marked})."""
    log = as_log(log)
    needs_replies = replies(log, contact_id, "needs_reply")
    own = {n.id: n for n in records.needs}
    confirmed: dict[int, object] = {}
    ticked: set[int] = set()
    for entry in log.of("need.confirmed"):
        need = own.get(entry.object_id)
        index = records.need_states.get(entry.object_id) if need is not None else None
        if index is None:
            continue
        reply = needs_replies.get(entry.after.get("reply_id"))
        said = (reply.after.get("details") or {}).get("confirmed") or [] if reply else []
        if reply is not None and need.id in said:
            if index not in confirmed or reply.seq < confirmed[index].seq:
                confirmed[index] = reply
        else:
            ticked.add(index)
    unmarked: dict[int, object] = {}
    for reply in needs_replies.values():
        for need_id in (reply.after.get("details") or {}).get("confirmed") or []:
            index = records.need_states.get(need_id)
            if index is not None and index not in confirmed:
                unmarked.setdefault(index, reply)
    return confirmed, ticked, unmarked


def _unconfirmed_message(records: Records, missing, ticked, unmarked) -> str:
    parts = []
    if ticked & set(missing):
        parts.append(
            "a need is marked confirmed, but not from a reply of this customer's that confirms "
            "it: a tick is not evidence, the customer's own reply is"
        )
    if set(unmarked) & set(missing):
        parts.append(
            "the customer's reply confirmed a need that is not marked confirmed from it on "
            "their record (confirm it by pointing at that reply)"
        )
    recorded = [i for i in missing if records.needs_stating(i)]
    if [i for i in recorded if i not in ticked and i not in unmarked]:
        parts.append(
            "a need on the record has not been confirmed by the customer: summarise the needs "
            "back to them and wait for their reply"
        )
    if len(recorded) < len(missing):
        parts.append(
            "not every need the customer has is on their record as they said it, so it cannot "
            "have been confirmed: find it by asking, record it, then summarise it back"
        )
    return "; ".join(parts)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@register("need_confirmed_before_action", NeedConfirmed)
def need_confirmed_before_action(state, log, scenario, p: NeedConfirmed) -> CheckResult:
    """Per customer and per need. Passes when every persona need picked by `needs` is stated
    by a need record of the contact (type and value, `services/customers/matching.py`) that
    was confirmed by pointing at the contact's own reply to a summary which confirmed it, and
    that reply came before the first thing done for the contact in this attempt (an outbound
    message that is not asking about or summarising their needs: the summary itself is not
    acting). One need confirmed out of several is not a pass; a need acted on before its
    confirmation fails. Not yet judged while nothing has been done for the customer and not
    every need is confirmed."""
    persona = persona_of(scenario, p.contact)
    picks, unknown = select(persona.needs, p.needs) if persona else ([], [])
    problem = scenario_problem(persona, unknown)
    if problem is None and not picks:
        problem = "(scenario error: the persona has no needs to confirm)"
    if problem:
        return CheckResult(False, problem)
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    records = Records(state, persona, contact_id)
    confirmed, ticked, unmarked = confirmations(log, records, contact_id)
    acts = acts_for(log, contact_id)
    first_act = acts[0] if acts else None
    missing = [i for i in picks if i not in confirmed]
    evidence = sorted({confirmed[i].seq for i in picks if i in confirmed})
    held = (
        f"The record holds {plural(len(records.needs), 'need')}, "
        f"{len(confirmed)} confirmed by the customer's reply"
    )
    if first_act is not None:
        purpose = PURPOSE_LABELS.get(first_act.after.get("purpose"), "contact").lower()
        acted = f"You acted for the customer (“{purpose}” at {when(first_act.sandbox_time)})"
        late = [i for i in picks if i in confirmed and confirmed[i].seq > first_act.seq]
        if late:
            return CheckResult(
                False,
                f"{held}. {acted} before their reply confirmed "
                f"{plural(len(late), 'need')} you were acting on: summarise the needs back "
                "and wait for the customer's confirmation before you act.",
                sorted([first_act.seq, *evidence]),
            )
        if missing:
            return CheckResult(
                False,
                f"{held}. {acted} without every need confirmed. "
                + _capital(_unconfirmed_message(records, missing, ticked, unmarked))
                + ".",
                sorted([first_act.seq, *evidence]),
            )
    elif missing:
        return not_yet(
            f"{held}, and nothing has been done for them yet. Before you act, every need must "
            "be confirmed by their reply. "
            + _capital(_unconfirmed_message(records, missing, ticked, unmarked))
            + ".",
            evidence,
        )
    return CheckResult(
        True,
        f"{plural(len(picks), 'need')} confirmed by the customer's own reply before acting.",
        evidence + ([first_act.seq] if first_act is not None else []),
    )
