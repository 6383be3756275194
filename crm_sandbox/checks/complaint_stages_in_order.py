"""Check type `complaint_stages_in_order`: the procedure's stages followed, in order, with no
breach recorded and every step documented."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log
from ._timing import says_something

ORDER = {
    "complaint.received": 0,
    "complaint.acknowledged": 1,
    "complaint.investigating": 2,
    "complaint.resolved": 3,
    "complaint.closed": 4,
}
WHERE = (
    "The complaint's page shows its history and the next steps the procedure allows; the "
    "procedure is under Organisation & policies."
)


class StagesInOrder(Params):
    complaint: str
    until: Literal["acknowledged", "investigating", "resolved", "closed"] = "closed"
    allow_breaches: bool = False


def _placeholder(about, complaint_id: int, log) -> str | None:
    """A step documented with a placeholder: the acknowledgement or the outcome message to the
    customer, or the resolution recorded, that says nothing (a word or two)."""
    for item in about:
        if item.verb == "complaint.resolved" and not says_something(item.after.get("resolution")):
            return "the resolution recorded"
    for item in as_log(log).of("interaction.logged"):
        after = item.after
        if after.get("complaint_id") != complaint_id or after.get("direction") != "outbound":
            continue
        if after.get("purpose") == "acknowledge" and not says_something(after.get("summary")):
            return "the acknowledgement"
        if after.get("outcome") == "Complaint outcome sent" and not says_something(
            after.get("summary")
        ):
            return "the outcome message to the customer"
    return None


@register("complaint_stages_in_order", StagesInOrder)
def complaint_stages_in_order(state, log, scenario, p: StagesInOrder) -> CheckResult:
    """Passes when the complaint went through each stage up to `until` in the procedure's
    order (the complaints service refuses a move out of order, at every level), each one
    documented (no acknowledgement, resolution or outcome message of a word or two), and
    (unless allowed) no step was late."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    about = as_log(log).about(complaint.id)
    items = [i for i in about if i.verb in ORDER and i.object_type == "complaint"]
    needed = [v for v, n in ORDER.items() if 1 <= n <= ORDER[f"complaint.{p.until}"]]
    firsts = {}
    for item in items:
        firsts.setdefault(item.verb, item)
    missing = [v.split(".")[1] for v in needed if v not in firsts]
    evidence = [i.seq for i in items]
    if missing:
        return CheckResult(
            False,
            "the procedure's steps not taken yet: " + ", ".join(missing) + f". {WHERE}",
            evidence,
        )
    empty = _placeholder(about, complaint.id, log)
    if empty:
        return CheckResult(
            False,
            f"every step is taken, but {empty} says too little (a word or two) to document "
            "it: the procedure asks for each step to be recorded so the next person (and the "
            "customer) can follow it.",
            evidence,
        )
    breaches = [i for i in items if i.after.get("breach")]
    if breaches and not p.allow_breaches:
        return CheckResult(
            False,
            "a step was late: " + breaches[0].after["breach"] + f". {WHERE}",
            [i.seq for i in breaches],
        )
    return CheckResult(True, "each stage followed in order and documented.", evidence)
