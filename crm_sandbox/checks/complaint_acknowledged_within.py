"""Check type `complaint_acknowledged_within`: acknowledged within the procedure's time."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import first, level_rule, when


class ComplaintTiming(Params):
    complaint: str


@register("complaint_acknowledged_within", ComplaintTiming)
def complaint_acknowledged_within(state, log, scenario, p: ComplaintTiming) -> CheckResult:
    """Passes when the complaint was acknowledged at the front line within the procedure's
    acknowledgement time, counted in working time from when it was received."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    rule = level_rule(state.procedure, "front_line", "acknowledge_within")
    limit = (
        state.calendar.add(complaint.received_at, rule["amount"], rule["unit"]) if rule else None
    )
    escalated = first(log, "complaint.escalated", "complaint", complaint.id)
    ack = first(log, "complaint.acknowledged", "complaint", complaint.id)
    if ack is not None and escalated is not None and escalated.seq < ack.seq:
        ack = None  # acknowledged only after escalating: the front line never acknowledged it
    if ack is None:
        if limit and state.now > limit:
            return CheckResult(
                False, f"not acknowledged, and the deadline ({when(limit)}) has passed."
            )
        return CheckResult(
            False, "not acknowledged yet" + (f" (due by {when(limit)})." if limit else ".")
        )
    if limit and ack.sandbox_time > limit:
        return CheckResult(
            False,
            f"acknowledged {when(ack.sandbox_time)}, after the deadline of {when(limit)}.",
            [ack.seq],
        )
    return CheckResult(True, f"acknowledged {when(ack.sandbox_time)}.", [ack.seq])
