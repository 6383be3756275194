"""Check type `need_confirmed_before_action`: a need recorded for the contact and confirmed by
the contact's own reply before anything was done for them."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log, first, replies

# Messages that find or confirm the needs: asking and summarising back are not acting on them.
NOT_ACTING = {"ask_needs", "confirm_needs"}


class NeedConfirmed(Params):
    contact: str
    keywords: list[str] = []  # the need must mention one of these (case-insensitive)


def _confirming_reply(log, need, confirmations, needs_replies) -> object | None:
    """The `need.confirmed` entry that points at this contact's reply confirming this need."""
    for item in confirmations:
        if item.seq <= need.seq or item.object_id != need.object_id:
            continue
        reply = needs_replies.get(item.after.get("reply_id"))
        if reply is not None and need.object_id in (
            (reply.after.get("details") or {}).get("confirmed") or []
        ):
            return item
    return None


@register("need_confirmed_before_action", NeedConfirmed)
def need_confirmed_before_action(state, log, scenario, p: NeedConfirmed) -> CheckResult:
    """Passes when a need for the contact (matching `keywords` if given) was recorded and then
    confirmed by pointing at the contact's reply to a summary of their needs, and that
    confirmation came before any outbound action for the contact after the need was recorded
    (asking about needs and sending the summary do not count as acting)."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    recorded = [
        i
        for i in log.of("need.recorded")
        if i.after_contact_id == contact_id
        and (
            not p.keywords
            or any(k.lower() in (i.after.get("description") or "").lower() for k in p.keywords)
        )
    ]
    if not recorded:
        return CheckResult(False, "no need was recorded for this customer.")
    needs_replies = replies(log, contact_id, "needs_reply")
    confirmations = log.of("need.confirmed")
    ticked = None  # a need marked confirmed without the customer's reply
    for need in recorded:
        confirmed = _confirming_reply(log, need, confirmations, needs_replies)
        if confirmed is None:
            ticked = ticked or first(log, "need.confirmed", "need", need.object_id, need.seq)
            continue
        acted = first(
            log,
            "interaction.logged",
            after_seq=need.seq,
            where=lambda i: (
                i.after_contact_id == contact_id
                and i.after.get("direction") == "outbound"
                and i.after.get("purpose") not in NOT_ACTING
            ),
        )
        if acted is not None and acted.seq < confirmed.seq:
            return CheckResult(
                False,
                "you acted on the need before the customer confirmed it.",
                [need.seq, acted.seq, confirmed.seq],
            )
        return CheckResult(
            True,
            "need recorded and confirmed by the customer's reply before acting.",
            [need.seq, confirmed.seq],
        )
    if ticked is not None:
        return CheckResult(
            False,
            "the need was marked confirmed, but not by this customer's reply: summarise their "
            "needs back to them and confirm the need from their answer.",
            [recorded[0].seq, ticked.seq],
        )
    return CheckResult(
        False,
        "the need was recorded but the customer never confirmed it (summarise it back to them "
        "and wait for their reply).",
        [recorded[0].seq],
    )
