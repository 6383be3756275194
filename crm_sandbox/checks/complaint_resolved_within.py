"""Check type `complaint_resolved_within`: resolved within the procedure's time at a level."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, first, level_rule, when
from ._timing import says_something

WHERE = (
    "The complaint's page shows when the response is due; the procedure is under "
    "Organisation & policies."
)


class ComplaintResolved(Params):
    complaint: str
    level: Literal["front_line", "supervisor", "manager"] = "front_line"


@register("complaint_resolved_within", ComplaintResolved)
def complaint_resolved_within(state, log, scenario, p: ComplaintResolved) -> CheckResult:
    """Passes when the complaint was resolved at `level` within that level's resolution time,
    from when the level started (paused while waiting for the customer), with an outcome
    message to the customer that says something (a word or two is not a response). Not judged
    yet when the complaint has not reached that level."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    if p.level == "front_line":
        start = complaint.received_at
    else:
        reached = first(
            log,
            "complaint.escalated",
            "complaint",
            complaint.id,
            where=lambda i: i.after.get("level") == p.level,
        )
        if reached is None:
            return not_yet(
                f"the complaint has not reached the {_LEVELS[p.level]} level, so there is no "
                "response at that level to judge yet."
            )
        start = reached.sandbox_time
    rule = level_rule(state.procedure, p.level, "resolve_within")
    limit = state.calendar.add(start, rule["amount"], rule["unit"]) if rule else None
    about = as_log(log).about(complaint.id)
    resolved = _first_resolution(about, start)
    if limit is not None:
        limit = _extend_for_waiting(state.calendar, about, start, limit)
    if resolved is None:
        if limit and state.now > limit:
            return CheckResult(
                False, f"not resolved by the procedure's deadline ({when(limit)}). {WHERE}"
            )
        return CheckResult(
            False,
            "not resolved yet" + (f" (due by {when(limit)})." if limit else ".") + f" {WHERE}",
        )
    if limit and resolved.sandbox_time > limit:
        return CheckResult(
            False,
            f"resolved {when(resolved.sandbox_time)}, after the procedure's deadline of "
            f"{when(limit)}. {WHERE}",
            [resolved.seq],
        )
    outcome = _outcome_message(log, complaint.id, resolved)
    evidence = [resolved.seq] + ([outcome.seq] if outcome is not None else [])
    if outcome is not None and not says_something(outcome.after.get("summary")):
        return CheckResult(
            False,
            f"resolved {when(resolved.sandbox_time)}, but the outcome message says too little "
            "(a word or two) to be the response the procedure asks for: the customer needs to "
            "hear what was found and how it is being put right.",
            evidence,
        )
    return CheckResult(True, f"resolved {when(resolved.sandbox_time)}.", evidence)


_LEVELS = {
    "front_line": "front-line",
    "supervisor": "supervisor review",
    "manager": "manager review",
}


def _outcome_message(log, complaint_id: int, resolved):
    """The outcome message sent to the customer with the resolution (logged just before it)."""
    found = None
    for item in as_log(log).of("interaction.logged"):
        if item.seq > resolved.seq:
            break
        if (
            item.after.get("complaint_id") == complaint_id
            and item.after.get("direction") == "outbound"
        ):
            found = item
    return found


def _first_resolution(about, start):
    """The first resolution of the complaint since the level started, or None."""
    for item in about:
        if item.verb == "complaint.resolved" and item.sandbox_time >= start:
            return item
    return None


def _extend_for_waiting(calendar, about, start, limit):
    """The deadline pushed back by the working time spent waiting for the customer since the
    level started: that wait does not count against the procedure."""
    paused_from = None
    for item in about:
        if item.sandbox_time < start:
            continue
        if item.verb == "complaint.waiting":
            paused_from = item.sandbox_time
        elif item.verb == "complaint.customer_replied" and paused_from is not None:
            limit = calendar.add_working_time(
                limit, calendar.working_time_between(paused_from, item.sandbox_time)
            )
            paused_from = None
    return limit
