"""Check type `field_equals`: a named opening record has a field value."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log


class FieldEquals(Params):
    kind: Literal["contacts", "complaints", "standards", "surveys"] = "contacts"
    key: str
    field: str
    value: str | int | float | bool | None


@register("field_equals", FieldEquals)
def field_equals(state, log, scenario, p: FieldEquals) -> CheckResult:
    """Passes when the opening record `key` has `field` equal to `value`; evidence is the log
    entry that last changed it."""
    record = state.get(p.kind, p.key)
    if record is None:
        return CheckResult(False, f"the record {p.key!r} was not found.")
    actual = getattr(record, p.field, None)
    changed = [i.seq for i in as_log(log).about(record.id) if p.field in i.after]
    if actual == p.value:
        return CheckResult(True, f"{p.field} is {actual!r}.", changed[-1:])
    return CheckResult(False, f"{p.field} is {actual!r}, not {p.value!r}.", changed[-1:])
