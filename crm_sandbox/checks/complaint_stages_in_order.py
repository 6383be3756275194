"""Check type `complaint_stages_in_order`: the procedure's stages followed, in order, with no
breach recorded and every step documented."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log

ORDER = {
    "complaint.received": 0,
    "complaint.acknowledged": 1,
    "complaint.investigating": 2,
    "complaint.resolved": 3,
    "complaint.closed": 4,
}


class StagesInOrder(Params):
    complaint: str
    until: Literal["acknowledged", "investigating", "resolved", "closed"] = "closed"
    allow_breaches: bool = False


@register("complaint_stages_in_order", StagesInOrder)
def complaint_stages_in_order(state, log, scenario, p: StagesInOrder) -> CheckResult:
    """Passes when the complaint went through each stage up to `until` in the procedure's
    order, and (unless allowed) no step was late."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    items = [i for i in as_log(log).about(complaint.id) if i.verb in ORDER]
    reached = {i.verb for i in items}
    needed = [v for v, n in ORDER.items() if 1 <= n <= ORDER[f"complaint.{p.until}"]]
    missing = [v.split(".")[1] for v in needed if v not in reached]
    evidence = [i.seq for i in items]
    if missing:
        return CheckResult(
            False, "missing procedure step(s): " + ", ".join(missing) + ".", evidence
        )
    breaches = [i for i in items if i.after.get("breach")]
    if breaches and not p.allow_breaches:
        return CheckResult(
            False,
            "a step was late: " + breaches[0].after["breach"] + ".",
            [i.seq for i in breaches],
        )
    return CheckResult(True, "each stage followed in order.", evidence)
