"""Check type `remedy_accepted`: the customer accepted the remedy proposed for their complaint
(in their own reply), before the complaint was closed."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._policy import closed_entry, customer_messages, offers


class RemedyAccepted(Params):
    complaint: str


@register("remedy_accepted", RemedyAccepted)
def remedy_accepted(state, log, scenario, p: RemedyAccepted) -> CheckResult:
    """Passes when the customer's own reply accepted a remedy proposed for this complaint (a
    proposal, or a resolution that carried a remedy), before the complaint was closed; the
    message quotes their reason when they turned one down. Only the customer's messages count
    (the simulated customer's answers carry an answer kind; nothing a learner logs does), and
    only their answers about this complaint. Not yet judged while no remedy has been offered,
    or the customer has not answered yet, and the complaint is open."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = closed_entry(log, complaint.id)
    answers = [
        a
        for a in customer_messages(log, complaint, ("accepts", "rejects"))
        if closed is None or a.seq < closed.seq
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
    if closed is not None:
        return CheckResult(
            False,
            "the complaint was closed without a remedy agreed with the customer: propose one in "
            "the policy's terms (what, how much, by when) and wait for their answer.",
            [closed.seq],
        )
    if offers(log, complaint.id):
        return not_yet("the customer has not answered your proposal yet.")
    return not_yet("no remedy has been proposed to the customer yet.")
