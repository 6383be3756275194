"""Check type `remedy_accepted`: the customer accepted the remedy proposed for their complaint
(in their own reply), before the complaint was closed."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log, replies


class RemedyAccepted(Params):
    complaint: str


@register("remedy_accepted", RemedyAccepted)
def remedy_accepted(state, log, scenario, p: RemedyAccepted) -> CheckResult:
    """Passes when the customer's reply accepted a remedy proposed for the complaint (a
    proposal, or a resolution that carried a remedy), before the complaint was closed; the
    message quotes their reason when they turned one down."""
    log = as_log(log)
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = next((i for i in log.of("complaint.closed") if i.object_id == complaint.id), None)
    answers = [
        a
        for a in replies(log, complaint.contact_id).values()
        if a.after.get("complaint_id") == complaint.id
        and a.after.get("answer_kind") in ("accepts", "rejects")
        and (closed is None or a.seq < closed.seq)
    ]
    accepted = [a for a in answers if a.after.get("answer_kind") == "accepts"]
    if accepted:
        return CheckResult(True, "the customer accepted the remedy.", [accepted[0].seq])
    if answers:
        reason = (answers[-1].after.get("details") or {}).get("reason") or ""
        said = f" They said: \u201c{reason}\u201d" if reason else ""
        return CheckResult(
            False, f"the customer turned down the remedy you proposed.{said}", [answers[-1].seq]
        )
    return CheckResult(
        False,
        "no remedy was agreed with the customer: propose one (what, how much, by when) and "
        "wait for their answer.",
        [closed.seq] if closed else [],
    )
