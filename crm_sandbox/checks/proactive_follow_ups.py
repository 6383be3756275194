"""Check type `proactive_follow_ups`: proactive contact made with the customers in a segment
(or a list of named customers), optionally of given purposes, or after a complaint closed."""

from __future__ import annotations

from typing import Literal

from ..models import Contact, Purpose
from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, initiatives


class ProactiveFollowUps(Params):
    segment: Literal["new", "regular", "key_account", "at_risk"] | None = None
    contacts: list[str] = []
    min_share: float = 1.0  # share of those customers that must be covered
    # Only messages with these purposes count (e.g. [marketing] for an offer); default: any.
    purposes: list[Purpose] = []
    # Only contact made after this complaint was closed counts (a follow-up after the
    # complaint, on the customer's thread or a new one); not judged until it is closed.
    after_complaint_closed: str | None = None


@register("proactive_follow_ups", ProactiveFollowUps)
def proactive_follow_ups(state, log, scenario, p: ProactiveFollowUps) -> CheckResult:
    """Passes when at least `min_share` of the target customers got an outbound contact that
    we started (proactive as the data says: we started the conversation, never a box ticked)
    during this attempt, of one of `purposes` when given. A follow-up date on its own is not
    contact: it counts once the contact is made. With `after_complaint_closed`, only contact
    after that complaint was closed counts (a follow-up message about the closed complaint
    counts too, unless it answers the customer); before the close there is nothing to judge."""
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
    log = as_log(log)
    closed_seq, complaint_id = 0, None
    if p.after_complaint_closed:
        complaint = state.get("complaints", p.after_complaint_closed)
        complaint_id = complaint.id if complaint is not None else None
        closes = [
            i.seq
            for i in log.of("complaint.closed")
            if i.object_id == complaint_id and i.object_type == "complaint"
        ]
        if not closes:
            return not_yet(
                "the complaint is not closed yet: the follow-up this task asks for comes "
                "after it is closed."
            )
        closed_seq = closes[0]
    wanted = {x.value for x in p.purposes}
    initiative = initiatives(log)
    after_close = set()  # the customer's own messages after the close
    covered, evidence = set(), []
    for item in log.of("interaction.logged"):
        cid = item.after_contact_id
        if cid not in targets or item.seq <= closed_seq:
            continue
        a = item.after
        if a.get("direction") != "outbound":
            after_close.add(item.object_id)
            continue
        if wanted and a.get("purpose") not in wanted:
            continue
        ours = initiative.get(item.seq) == "proactive"
        if not ours and complaint_id is not None:
            ours = a.get("complaint_id") == complaint_id and (
                a.get("in_reply_to_id") not in after_close
            )
        if ours:
            covered.add(cid)
            evidence.append(item.seq)
    share = len(covered) / len(targets)
    if share >= p.min_share:
        return CheckResult(
            True, f"{len(covered)} of {len(targets)} customers contacted first.", evidence
        )
    what = "of that kind " if wanted else ""
    when = "after the complaint was closed " if p.after_complaint_closed else ""
    return CheckResult(
        False,
        f"{len(covered)} of {len(targets)} customers got a contact {what}that we started "
        f"{when}(a reply to their message, or a follow-up date alone, is not reaching out).",
        evidence,
    )
