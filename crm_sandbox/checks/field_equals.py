"""Check type `field_equals`: a named opening record has a field value, set in this attempt."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._records import OBJECT_TYPES, changes_to, same


class FieldEquals(Params):
    kind: Literal["contacts", "complaints", "standards", "surveys"] = "contacts"
    key: str
    field: str
    value: str | int | float | bool | None
    # The value must have been set in this attempt (the default). A scenario whose opening
    # already holds the value and asks the learner to leave it alone sets this to false.
    changed_in_attempt: bool = True


@register("field_equals", FieldEquals)
def field_equals(state, log, scenario, p: FieldEquals) -> CheckResult:
    """Passes when the opening record `key` has `field` equal to `value` (compared after
    normalising: case, spacing, postcode and phone formats), and that value was set during
    this attempt; evidence is the log entry that last changed it."""
    record = state.get(p.kind, p.key)
    label = p.field.replace("_", " ")
    if record is None:
        return CheckResult(False, "the record this task is about is no longer in the CRM.")
    changed = [i.seq for i in changes_to(log, OBJECT_TYPES[p.kind], record.id, p.field)]
    actual = getattr(record, p.field, None)
    if not same(p.field, actual, p.value):
        if changed:
            return CheckResult(
                False,
                f"the {label} was changed in this attempt, but it still does not match what "
                "the record's history shows.",
                changed[-1:],
            )
        return CheckResult(
            False,
            f"the {label} has not been changed in this attempt: read the record's notes and "
            "history and decide whether it is still right.",
        )
    if p.changed_in_attempt and not changed:
        return CheckResult(
            False,
            f"the {label} has not been changed in this attempt: nothing here shows you judged it.",
        )
    return CheckResult(True, f"the {label} matches the record's history.", changed[-1:])
