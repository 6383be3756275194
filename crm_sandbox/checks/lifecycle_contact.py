"""Check type `lifecycle_contact`: each named customer got the contact their stage in the
customer lifecycle calls for (acquisition, retention, development), judged from what the
messages were for, who started them, the customer's orders and their consent."""

from __future__ import annotations

from typing import Literal

from ..models import Order
from . import CheckResult, Params, register
from ._helpers import as_log, initiatives
from ._records import consent_at

# What each stage calls for (the purposes a message may have, and whether we must start it).
CHECK_IN = {"ask_needs", "follow_up"}
WHAT_IT_NEEDS = {
    "acquisition": "a welcome or first-order follow-up that you start",
    "retention": "a check-in that you start, asking how things are or what they need",
    "development": "an offer of more, on a channel they agreed to marketing on",
}


class LifecycleContact(Params):
    contacts: list[str]
    stage: Literal["acquisition", "retention", "development"]


def _first_order_day(state, contact_id: int):
    orders = state.all(Order, Order.contact_id == contact_id, order_by=Order.placed_on)
    return orders[0].placed_on if orders else None


@register("lifecycle_contact", LifecycleContact)
def lifecycle_contact(state, log, scenario, p: LifecycleContact) -> CheckResult:
    """Passes when every listed customer got, in this attempt, the contact their lifecycle
    stage calls for:

    - acquisition (a customer we are winning): a follow-up or a question about their needs
      that we started (not a reply, not an offer), after their first order when they have one;
    - retention (a customer we are keeping): a check-in we started (a follow-up or a question
      about their needs; a newsletter or offer is not a check-in);
    - development (a customer we are growing): a marketing offer, sent on a channel they had
      consented to at that moment.

    Purpose, initiative (from who started the conversation), order dates and consent decide;
    the words never do."""
    log = as_log(log)
    initiative = initiatives(log)
    missing, evidence = [], []
    for key in p.contacts:
        contact = state.get("contacts", key)
        if contact is None:
            missing.append("a record the task names is no longer in the CRM")
            continue
        first_order = _first_order_day(state, contact.id) if p.stage == "acquisition" else None
        hit = None
        for item in log.of("interaction.logged"):
            if item.after_contact_id != contact.id:
                continue
            a = item.after
            if a.get("direction") != "outbound":
                continue
            ours = initiative.get(item.seq) == "proactive"
            if p.stage == "development":
                ok = a.get("purpose") == "marketing" and consent_at(log, item, contact)
            else:
                ok = a.get("purpose") in CHECK_IN and ours
                if ok and first_order is not None:
                    ok = item.sandbox_time.date() >= first_order
            if ok:
                hit = item.seq
                break
        if hit is None:
            missing.append(contact.display_name)
        else:
            evidence.append(hit)
    if missing:
        return CheckResult(
            False,
            f"{len(missing)} of {len(p.contacts)} customers have not yet had "
            f"{WHAT_IT_NEEDS[p.stage]}: {', '.join(missing)}.",
            evidence,
        )
    return CheckResult(
        True,
        f"each {p.stage} customer got {WHAT_IT_NEEDS[p.stage]}.",
        evidence,
    )
