"""Check type `contacts_classified`: named contacts recorded as internal, external or not a
customer, as the scenario expects."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._records import changes_to


class ContactsClassified(Params):
    contacts: list[str]


@register("contacts_classified", ContactsClassified)
def contacts_classified(state, log, scenario, p: ContactsClassified) -> CheckResult:
    """Passes when every listed contact's type matches its `expected_category` and each one
    that did not start with that type was classified in this attempt. Records that already
    had the right type when the scenario started earn nothing: with only those, the check has
    nothing to judge."""
    expected = {c.key: c.expected_category for c in scenario.opening.contacts}
    wrong, evidence, judged = [], [], 0
    for key in p.contacts:
        contact = state.get("contacts", key)
        if contact is None:
            wrong.append("a record the task names is no longer in the CRM")
            continue
        changes = changes_to(log, "contact", contact.id, "category")
        evidence.extend(i.seq for i in changes[-1:])
        if changes:
            judged += 1
        if contact.category != expected.get(key):
            wrong.append(contact.display_name)
    if wrong:
        return CheckResult(
            False,
            f"{len(wrong)} of {len(p.contacts)} records do not yet have the right type of "
            f"contact: {', '.join(wrong)}.",
            evidence,
        )
    if not judged:
        return not_yet("none of these records has been classified in this attempt yet.")
    return CheckResult(True, f"all {len(p.contacts)} classified correctly.", evidence)
