"""Check type `complaint_confirmed_before_close`: the customer confirmed they were satisfied
before the complaint was closed, and the root cause and lessons were recorded."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import first


class ConfirmedBeforeClose(Params):
    complaint: str


@register("complaint_confirmed_before_close", ConfirmedBeforeClose)
def complaint_confirmed_before_close(state, log, scenario, p: ConfirmedBeforeClose) -> CheckResult:
    """Passes when the complaint is closed with the customer's confirmation recorded."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = first(log, "complaint.closed", "complaint", complaint.id)
    if closed is None:
        return CheckResult(False, "the complaint is not closed yet.")
    if not complaint.customer_confirmed:
        return CheckResult(
            False, "closed without the customer confirming they are satisfied.", [closed.seq]
        )
    return CheckResult(
        True, "closed after the customer confirmed they were satisfied.", [closed.seq]
    )
