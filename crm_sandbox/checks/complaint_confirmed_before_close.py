"""Check type `complaint_confirmed_before_close`: the customer said they were satisfied with the
outcome before the complaint was closed, and the close points at that answer."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._helpers import replies
from ._policy import about_complaint, closed_entry, entries


class ConfirmedBeforeClose(Params):
    complaint: str


def _reply_id(closed, complaint) -> int | None:
    after = closed.after
    for name in ("satisfaction_reply_id", "satisfaction_reply"):
        if after.get(name):
            return after[name]
    return getattr(complaint, "satisfaction_reply_id", None)


@register("complaint_confirmed_before_close", ConfirmedBeforeClose)
def complaint_confirmed_before_close(state, log, scenario, p: ConfirmedBeforeClose) -> CheckResult:
    """Passes when the complaint was closed pointing at the customer's own `satisfied` reply
    about it, which came after the outcome it is about (the latest resolution, and any
    escalation) and before the close, with no "not satisfied" from them in between. Not yet
    judged until the complaint is closed."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = closed_entry(log, complaint.id)
    if closed is None:
        return not_yet("the complaint is not closed yet.")
    reply_id = _reply_id(closed, complaint)
    if not reply_id:
        return CheckResult(
            False,
            "closed without the customer saying they are satisfied: ask them, and close only "
            "on their yes.",
            [closed.seq],
        )
    answers = replies(log, complaint.contact_id)
    reply = answers.get(reply_id)
    if (
        reply is None
        or reply.after.get("answer_kind") != "satisfied"
        or about_complaint(reply) != complaint.id
        or reply.seq > closed.seq
        or reply.sandbox_time > closed.sandbox_time
    ):
        return CheckResult(
            False,
            "the close does not point at the customer's yes to this complaint before it.",
            [closed.seq],
        )
    outcome = [
        i
        for i in entries(log, complaint.id, "complaint.resolved")
        + entries(log, complaint.id, "complaint.escalated")
        if i.seq < closed.seq
    ]
    latest = max(outcome, key=lambda i: i.seq) if outcome else None
    if latest is not None and reply.seq < latest.seq:
        return CheckResult(
            False,
            "the customer's yes came before the outcome you closed on (a later resolution or "
            "escalation): ask them again about the outcome as it stands, and close on that yes.",
            [reply.seq, latest.seq, closed.seq],
        )
    changed_mind = [
        a
        for a in answers.values()
        if a.after.get("answer_kind") == "not_satisfied"
        and about_complaint(a) == complaint.id
        and reply.seq < a.seq < closed.seq
    ]
    if changed_mind:
        return CheckResult(
            False,
            "the customer said they were not satisfied after their yes, and it was closed anyway.",
            [reply.seq, changed_mind[0].seq, closed.seq],
        )
    return CheckResult(
        True, "closed after the customer said they were satisfied.", [reply.seq, closed.seq]
    )
