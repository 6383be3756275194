"""Check type `consent_recorded`: a customer's consent for a channel recorded as they gave it,
in this attempt."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log


class ConsentRecorded(Params):
    contact: str
    channel: Literal["email", "phone", "post", "sms"]
    value: bool = True


@register("consent_recorded", ConsentRecorded)
def consent_recorded(state, log, scenario, p: ConsentRecorded) -> CheckResult:
    """Passes when the contact's consent for the channel is `value` now and a change made in
    this attempt set that channel to `value` (a change to another channel does not count, and
    nothing is earned for a record that was already so)."""
    contact = state.get("contacts", p.contact)
    if contact is None:
        return CheckResult(False, "the customer's record is no longer in the CRM.")
    key = f"consent_{p.channel}"
    changes = []
    for i in as_log(log).about(contact.id):
        if i.object_type != "contact":
            continue
        if i.verb == "contact.consent_changed" and p.channel in i.after:
            if i.before.get(p.channel) != i.after[p.channel]:
                changes.append(i)
        elif i.verb == "contact.merged" and key in (i.after.get("kept") or {}):
            changes.append(i)
    now = bool(getattr(contact, key))
    set_here = [i.seq for i in changes if i.verb == "contact.consent_changed"]
    if now == p.value and set_here:
        return CheckResult(
            True, f"{p.channel} consent recorded as the customer gave it.", set_here[-1:]
        )
    if changes:
        return CheckResult(
            False,
            f"{p.channel} consent was changed in this attempt, but the record does not show "
            "what the customer said: read their own words on the record again (and remember "
            "that a merge keeps only the consent both records had).",
            [i.seq for i in changes[-1:]],
        )
    return CheckResult(
        False,
        f"{p.channel} consent has not been recorded in this attempt: consent is recorded "
        "for each channel, as the customer gave it.",
    )
