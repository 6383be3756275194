"""Check type `no_disclosure`: the learner's messages to customers disclose nobody else's
personal details: not another customer's or a colleague's contact details, address or
postcode, not health or other special-category information on someone's record, not another
customer's complaint. Confidentiality covers more than the obviously sensitive fields."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._disclosure import people_of
from ._helpers import when
from ._writing import sent


class NoDisclosure(Params):
    contacts: list[str] | None = None  # whose messages are judged (default: every customer's)
    # messages to colleagues (internal customers) are judged too: off by default, as passing a
    # customer's details to the colleague who deals with them is the job
    include_internal: bool = False


@register("no_disclosure", NoDisclosure)
def no_disclosure(state, log, scenario, p: NoDisclosure) -> CheckResult:
    """Fails on any message sent (to the named contacts, or to any customer) that discloses
    another person's personal details or special-category data from the CRM; passes when
    messages were sent and none does; not judged until a message was sent."""
    ids = set(state.contact_ids(p.contacts)) if p.contacts else None
    people = people_of(state)
    messages = [
        m
        for m in sent(log, ids)
        if p.include_internal
        or m.after_contact_id not in people.people
        or not people.people[m.after_contact_id].internal
    ]
    if not messages:
        return not_yet("no message has been sent to a customer yet: nothing to judge.")
    for m in messages:
        found = people.disclosures(m.after.get("summary") or "", m.after_contact_id)
        if found:
            first = found[0]
            recipient = people.people.get(m.after_contact_id)
            return CheckResult(
                False,
                f"your message of {when(m.sandbox_time)} to "
                f"{recipient.name if recipient else 'a customer'} discloses another person's "
                f"details ({first.words}). Confidentiality covers every person's details in "
                "the CRM, not only the obviously sensitive ones: share only what the recipient "
                "is entitled to (the data protection policy, under Organisation & policies).",
                [m.seq],
            )
    return CheckResult(
        True,
        f"{len(messages)} message(s) checked: none discloses another person's details from "
        "the CRM.",
        [m.seq for m in messages],
    )
