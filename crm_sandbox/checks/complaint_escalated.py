"""Check type `complaint_escalated`: escalated to the right level, with a reason."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log


class ComplaintEscalated(Params):
    complaint: str
    level: Literal["supervisor", "manager", "external_review"] = "supervisor"
    reason_keywords: list[str] = []  # the reason must mention one of these
    expect: bool = True  # False: the complaint must NOT be escalated (it was not needed)


@register("complaint_escalated", ComplaintEscalated)
def complaint_escalated(state, log, scenario, p: ComplaintEscalated) -> CheckResult:
    """Passes when the complaint was escalated to `level` with a reason (mentioning one of
    `reason_keywords` if given); with `expect: false`, passes when it was not escalated."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    moves = [i for i in as_log(log).of("complaint.escalated") if i.object_id == complaint.id]
    if not p.expect:
        if moves:
            return CheckResult(
                False,
                "it was escalated although the procedure did not call for it.",
                [i.seq for i in moves],
            )
        return CheckResult(True, "handled at the front line, as the procedure allows.")
    reached = [i for i in moves if i.after.get("level") == p.level]
    if not reached:
        return CheckResult(
            False,
            f"not escalated to the {p.level.replace('_', ' ')} level.",
            [i.seq for i in moves],
        )
    item = reached[0]
    reason = (item.after.get("reason") or "").lower()
    if p.reason_keywords and not any(k.lower() in reason for k in p.reason_keywords):
        return CheckResult(
            False,
            "escalated, but the reason does not say why the procedure calls for it.",
            [item.seq],
        )
    return CheckResult(True, "escalated with a reason.", [item.seq])
