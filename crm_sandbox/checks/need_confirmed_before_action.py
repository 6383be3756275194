"""Check type `need_confirmed_before_action`: a need recorded for the contact and confirmed
with them before anything was done for them."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log, first


class NeedConfirmed(Params):
    contact: str
    keywords: list[str] = []  # the need must mention one of these (case-insensitive)


@register("need_confirmed_before_action", NeedConfirmed)
def need_confirmed_before_action(state, log, scenario, p: NeedConfirmed) -> CheckResult:
    """Passes when a need for the contact (matching `keywords` if given) was recorded and then
    confirmed, and that confirmation came before any outbound action for the contact after
    the need was recorded."""
    contact_id = state.id_of("contacts", p.contact)
    recorded = [
        i
        for i in as_log(log).of("need.recorded")
        if i.after_contact_id == contact_id
        and (
            not p.keywords
            or any(k.lower() in (i.after.get("description") or "").lower() for k in p.keywords)
        )
    ]
    if not recorded:
        return CheckResult(False, "no need was recorded for this customer.")
    for need in recorded:
        confirmed = first(log, "need.confirmed", "need", need.object_id, need.seq)
        if confirmed is None:
            continue
        acted = first(
            log,
            "interaction.logged",
            after_seq=need.seq,
            where=lambda i: (
                i.after_contact_id == contact_id and i.after.get("direction") == "outbound"
            ),
        )
        if acted is not None and acted.seq < confirmed.seq:
            return CheckResult(
                False,
                "you acted on the need before confirming it with the customer.",
                [need.seq, acted.seq, confirmed.seq],
            )
        return CheckResult(
            True, "need recorded and confirmed before acting.", [need.seq, confirmed.seq]
        )
    return CheckResult(
        False, "the need was recorded but never confirmed with the customer.", [recorded[0].seq]
    )
