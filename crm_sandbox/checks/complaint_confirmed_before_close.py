"""Check type `complaint_confirmed_before_close`: the customer said they were satisfied before
the complaint was closed, and the close points at that answer."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log, replies


class ConfirmedBeforeClose(Params):
    complaint: str


def _reply_id(closed, complaint) -> int | None:
    after = closed.after
    for name in ("satisfaction_reply_id", "satisfaction_reply"):
        if after.get(name):
            return after[name]
    return getattr(complaint, "satisfaction_reply_id", None)


def _about(reply) -> int | None:
    """The complaint a customer's answer is about."""
    return reply.after.get("complaint_id") or (reply.after.get("details") or {}).get("complaint_id")


@register("complaint_confirmed_before_close", ConfirmedBeforeClose)
def complaint_confirmed_before_close(state, log, scenario, p: ConfirmedBeforeClose) -> CheckResult:
    """Passes when the complaint was closed pointing at the customer's `satisfied` reply about
    it, which came before the close, with no "not satisfied" from them in between."""
    log = as_log(log)
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closes = [i for i in log.of("complaint.closed") if i.object_id == complaint.id]
    if not closes:
        return CheckResult(False, "the complaint is not closed yet.")
    closed = closes[-1]
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
        or _about(reply) != complaint.id
        or reply.seq > closed.seq
        or reply.sandbox_time > closed.sandbox_time
    ):
        return CheckResult(
            False,
            "the close does not point at the customer's yes to this complaint before it.",
            [closed.seq],
        )
    changed_mind = [
        a
        for a in answers.values()
        if a.after.get("answer_kind") == "not_satisfied"
        and _about(a) == complaint.id
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
