"""Check type `chases_answered`: when a customer chases (or asks to escalate, or complains
about how they were treated), someone gets back to them within the time allowed."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._helpers import as_log, when

# The customer's messages that say they have been let down and need an answer.
CHASING = ("chase", "escalation", "complaint")


class ChasesAnswered(Params):
    contact: str
    within: float = 2
    unit: Literal["working_hours", "working_days"] = "working_hours"


@register("chases_answered", ChasesAnswered)
def chases_answered(state, log, scenario, p: ChasesAnswered) -> CheckResult:
    """Passes when every chase from the customer (their `chase`, `escalation` or `complaint`
    message) was followed by a message to them within the working time allowed; also passes
    when they never had to chase."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    messages = [i for i in log.of("interaction.logged") if i.after_contact_id == contact_id]
    chases = [
        i
        for i in messages
        if i.after.get("direction") == "inbound" and i.after.get("answer_kind") in CHASING
    ]
    if not chases:
        return CheckResult(True, "the customer never had to chase.")
    evidence = []
    for chase in chases:
        limit = state.calendar.add(chase.sandbox_time, p.within, p.unit)
        answer = next(
            (
                i
                for i in messages
                if i.seq > chase.seq
                and i.after.get("direction") == "outbound"
                and i.sandbox_time >= chase.sandbox_time
            ),
            None,
        )
        if answer is not None and answer.sandbox_time <= limit:
            evidence += [chase.seq, answer.seq]
            continue
        if answer is not None:
            return CheckResult(
                False,
                f"the customer chased {when(chase.sandbox_time)} and heard back only "
                f"{when(answer.sandbox_time)}, after {when(limit)}.",
                [chase.seq, answer.seq],
            )
        return CheckResult(
            False,
            f"the customer chased {when(chase.sandbox_time)} and nobody got back to them "
            f"(due by {when(limit)}).",
            [chase.seq],
        )
    return CheckResult(True, f"{len(chases)} chase(s), each answered in time.", evidence)
