"""Check type `proactive_follow_ups`: proactive contact, or a follow-up scheduled, for the
customers in a segment (or a list of named customers)."""

from __future__ import annotations

from typing import Literal

from ..models import Contact
from . import CheckResult, Params, register
from ._helpers import as_log, initiatives


class ProactiveFollowUps(Params):
    segment: Literal["new", "regular", "key_account", "at_risk"] | None = None
    contacts: list[str] = []
    min_share: float = 1.0  # share of those customers that must be covered


@register("proactive_follow_ups", ProactiveFollowUps)
def proactive_follow_ups(state, log, scenario, p: ProactiveFollowUps) -> CheckResult:
    """Passes when at least `min_share` of the target customers got a proactive outbound
    contact (proactive as the data says: we started the conversation, not a box ticked) or a
    follow-up date during this attempt."""
    if p.contacts:
        targets = set(state.contact_ids(p.contacts))
    else:
        targets = {
            c.id
            for c in state.all(
                Contact, Contact.segment == p.segment, Contact.merged_into_id.is_(None)
            )
        }
    if not targets:
        return CheckResult(False, "(scenario error: no customers to follow up)")
    covered, evidence = set(), []
    log = as_log(log)
    initiative = initiatives(log)
    for item in log.of("interaction.logged"):
        if item.after_contact_id not in targets:
            continue
        proactive = (
            item.after.get("direction") == "outbound" and initiative[item.seq] == "proactive"
        )
        if proactive or item.after.get("follow_up_on"):
            covered.add(item.after["contact_id"])
            evidence.append(item.seq)
    share = len(covered) / len(targets)
    if share >= p.min_share:
        return CheckResult(True, f"{len(covered)} of {len(targets)} customers covered.", evidence)
    return CheckResult(
        False,
        f"only {len(covered)} of {len(targets)} customers have a proactive contact or follow-up.",
        evidence,
    )
