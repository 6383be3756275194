"""Check type `accuracy_checked`: named records checked with the customer for accuracy, and
any listed fields corrected."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log


class AccuracyChecked(Params):
    contacts: list[str]
    expect: dict[str, dict[str, str]] = {}  # contact key -> {field: corrected value}


@register("accuracy_checked", AccuracyChecked)
def accuracy_checked(state, log, scenario, p: AccuracyChecked) -> CheckResult:
    """Passes when each contact was marked as checked in this attempt and has the corrected
    values given in `expect`."""
    problems, evidence = [], []
    for key in p.contacts:
        contact = state.get("contacts", key)
        if contact is None:
            problems.append(f"{key} missing")
            continue
        marks = [
            i.seq for i in as_log(log).of("contact.accuracy_checked") if i.object_id == contact.id
        ]
        evidence.extend(marks[-1:])
        if not marks:
            problems.append(f"{contact.display_name} not checked")
        for field, value in p.expect.get(key, {}).items():
            if (getattr(contact, field, "") or "").strip().lower() != value.strip().lower():
                problems.append(
                    f"{contact.display_name}'s {field.replace('_', ' ')} is not corrected"
                )
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", evidence)
    return CheckResult(True, "records checked and corrected.", evidence)
