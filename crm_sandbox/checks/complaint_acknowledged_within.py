"""Check type `complaint_acknowledged_within`: acknowledged within the procedure's time, with an
acknowledgement that tells the customer when they will next hear."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log, first, level_rule, when
from ._timing import _time, says_something

WHERE = "The complaint's page shows when its acknowledgement and its response are due."


class ComplaintTiming(Params):
    complaint: str
    # the acknowledgement records when the customer will next hear ("Next contact by"), no
    # later than the level's resolution deadline
    next_contact: bool = True


def _ack_message(log, complaint_id: int, ack):
    """The acknowledgement's message to the customer: the `acknowledge` message about the
    complaint logged with (just before) the acknowledgement."""
    found = None
    for item in as_log(log).of("interaction.logged"):
        if item.seq > ack.seq:
            break
        after = item.after
        if after.get("purpose") == "acknowledge" and after.get("complaint_id") == complaint_id:
            found = item
    return found


@register("complaint_acknowledged_within", ComplaintTiming)
def complaint_acknowledged_within(state, log, scenario, p: ComplaintTiming) -> CheckResult:
    """Passes when the complaint was acknowledged at the front line within the procedure's
    acknowledgement time, counted in working time from when it was received, in a message that
    says something and (with `next_contact`, the default) records when the customer will next
    hear from us, no later than the procedure's deadline for the response."""
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
                False,
                f"the complaint was not acknowledged by the procedure's deadline "
                f"({when(limit)}). {WHERE}",
            )
        return CheckResult(
            False,
            "not acknowledged yet" + (f" (due by {when(limit)})." if limit else ".") + f" {WHERE}",
        )
    if limit and ack.sandbox_time > limit:
        return CheckResult(
            False,
            f"acknowledged {when(ack.sandbox_time)}, after the procedure's deadline of "
            f"{when(limit)}. {WHERE}",
            [ack.seq],
        )
    message = _ack_message(log, complaint.id, ack)
    evidence = [ack.seq] + ([message.seq] if message is not None else [])
    if message is not None and not says_something(message.after.get("summary")):
        return CheckResult(
            False,
            f"acknowledged {when(ack.sandbox_time)}, but the acknowledgement says too little (a "
            "word or two) to tell the customer anything: the procedure's acknowledgement lets "
            "them know their complaint is being dealt with and what happens next.",
            evidence,
        )
    if p.next_contact:
        promised = _time((message.after if message is not None else {}).get("promise_by"))
        resolve = level_rule(state.procedure, "front_line", "resolve_within")
        deadline = (
            state.calendar.add(complaint.received_at, resolve["amount"], resolve["unit"])
            if resolve
            else None
        )
        if promised is None:
            return CheckResult(
                False,
                f"acknowledged {when(ack.sandbox_time)}, but the acknowledgement does not record "
                "when the customer will next hear from you: an acknowledgement tells them what "
                'happens next and by when. Record that time as its "Next contact by". '
                f"{WHERE}",
                evidence,
            )
        if deadline is not None and promised > deadline:
            return CheckResult(
                False,
                f"acknowledged {when(ack.sandbox_time)}, promising the next contact by "
                f"{when(promised)}: later than the procedure allows for the response. {WHERE}",
                evidence,
            )
        return CheckResult(
            True,
            f"acknowledged {when(ack.sandbox_time)}, with the next contact promised by "
            f"{when(promised)}.",
            evidence,
        )
    return CheckResult(True, f"acknowledged {when(ack.sandbox_time)}.", evidence)
