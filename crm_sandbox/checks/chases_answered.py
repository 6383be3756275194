"""Check type `chases_answered`: when a customer chases (or asks to escalate, or complains
about how they were treated), someone gets back to them within the time allowed; and when they
never had to chase, it is because the contact they were promised came."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, when
from ._timing import counts_as_contact, promise_report, service_contact

# The customer's messages that say they have been let down and need an answer.
CHASING = ("chase", "escalation", "complaint")


class ChasesAnswered(Params):
    contact: str
    within: float = 2
    unit: Literal["working_hours", "working_days"] = "working_hours"


@register("chases_answered", ChasesAnswered)
def chases_answered(state, log, scenario, p: ChasesAnswered) -> CheckResult:
    """Passes when every chase from the customer (their `chase`, `escalation` or `complaint`
    message) was answered within the working time allowed by a message to them about the
    matter that says something; or, when they never chased, once a promised next contact to
    them was kept and none was broken (they had no reason to chase). Not judged yet when
    neither has happened: nothing is earned by a customer nobody has dealt with."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    messages = [i for i in log.of("interaction.logged") if i.after_contact_id == contact_id]
    chases = [
        i
        for i in messages
        if i.after.get("direction") == "inbound" and i.after.get("answer_kind") in CHASING
    ]
    if not chases:
        return _no_chase(state, log, contact_id)
    evidence = []
    for chase in chases:
        limit = state.calendar.add(chase.sandbox_time, p.within, p.unit)
        complaint_id = chase.after.get("complaint_id")
        after = [
            i
            for i in messages
            if i.seq > chase.seq and service_contact(i, complaint_id) and i.sandbox_time <= limit
        ]
        answer = next((i for i in after if counts_as_contact(i, complaint_id)), None)
        if answer is not None:
            evidence += [chase.seq, answer.seq]
            continue
        late = next(
            (
                i
                for i in messages
                if i.seq > chase.seq
                and i.sandbox_time > limit
                and counts_as_contact(i, complaint_id)
            ),
            None,
        )
        if after:  # something was sent in time, but it said nothing
            return CheckResult(
                False,
                f"the customer chased {when(chase.sandbox_time)}; the message sent back by "
                f"{when(limit)} said too little (a word or two) to answer them. A customer who "
                "chases needs to hear what is happening and when they will hear next.",
                [chase.seq, after[0].seq],
            )
        if late is not None:
            return CheckResult(
                False,
                f"the customer chased {when(chase.sandbox_time)} and heard back only "
                f"{when(late.sandbox_time)}, after {when(limit)}: a customer who chases has "
                "been let down once already. Their message is on their contact page and under "
                "Replies waiting.",
                [chase.seq, late.seq],
            )
        where = "Their message is on their contact page and under Replies waiting on the dashboard."
        if state.now > limit:
            return CheckResult(
                False,
                f"the customer chased {when(chase.sandbox_time)} and nobody got back to them "
                f"by {when(limit)}. {where}",
                [chase.seq],
            )
        return CheckResult(
            False,
            f"the customer chased {when(chase.sandbox_time)} and is waiting for an answer "
            f"(due by {when(limit)}). {where}",
            [chase.seq],
        )
    return CheckResult(True, f"{len(chases)} chase(s), each answered in time.", evidence)


def _no_chase(state, log, contact_id) -> CheckResult:
    """The customer never chased: a pass only when a promised contact to them came in time
    (so they had no reason to), and none was broken."""
    promises = promise_report(log, contact_id)
    states = [pr.state(state.now) for pr in promises]
    if "broken" in states:
        broken = promises[states.index("broken")]
        return not_yet(
            f"the contact promised by {when(broken.due)} did not come, and the customer has "
            "not chased so far: a chase is judged when it comes.",
            [broken.made.seq],
        )
    kept = [pr for pr, s in zip(promises, states, strict=True) if s == "kept"]
    if kept:
        return CheckResult(
            True,
            "the customer never had to chase: the contact you promised came in time.",
            sorted({pr.made.seq for pr in kept} | {pr.kept_by.seq for pr in kept}),
        )
    return not_yet(
        "the customer has not chased, and no promised contact has come or fallen due yet, so "
        "there is nothing to judge: tell them when they will next hear from you (the message's "
        '"Next contact by") and keep to it.'
    )
