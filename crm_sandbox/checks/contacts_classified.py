"""Check type `contacts_classified`: named contacts recorded as internal, external or not a
customer, as the scenario expects."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log


class ContactsClassified(Params):
    contacts: list[str]


@register("contacts_classified", ContactsClassified)
def contacts_classified(state, log, scenario, p: ContactsClassified) -> CheckResult:
    """Passes when every listed contact's type matches its `expected_category`."""
    expected = {c.key: c.expected_category for c in scenario.opening.contacts}
    wrong, evidence = [], []
    for key in p.contacts:
        contact = state.get("contacts", key)
        if contact is None:
            wrong.append(f"{key} (missing)")
            continue
        changes = [i.seq for i in as_log(log).about(contact.id) if "category" in i.after]
        evidence.extend(changes[-1:])
        if contact.category != expected.get(key):
            wrong.append(contact.display_name)
    if wrong:
        return CheckResult(False, "not yet right: " + ", ".join(wrong), evidence)
    return CheckResult(True, f"all {len(p.contacts)} classified correctly.", evidence)
