"""Check type `consent_recorded`: a customer's consent for a channel is recorded as given."""

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
    """Passes when the contact's consent for the channel is `value`, changed in this attempt."""
    contact = state.get("contacts", p.contact)
    if contact is None:
        return CheckResult(False, "the contact was not found.")
    changes = [
        i.seq
        for i in as_log(log).of("contact.consent_changed")
        if i.object_id == contact.id and p.channel in i.after
    ]
    if getattr(contact, f"consent_{p.channel}") == p.value and changes:
        return CheckResult(True, "consent recorded.", changes[-1:])
    return CheckResult(
        False,
        f"consent for {p.channel} is not recorded as {'given' if p.value else 'withdrawn'}.",
        changes[-1:],
    )
