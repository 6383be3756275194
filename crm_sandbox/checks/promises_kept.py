"""Check type `promises_kept`: every next contact the learner promised a customer ("I will call
you by 3pm", recorded as the message's "next contact by") happened by the promised time."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._helpers import when
from ._timing import promise_report

WHERE = (
    "The promises you made and when they fall due are on the customer's page and under "
    "Promises falling due on the dashboard."
)


class PromisesKept(Params):
    contact: str | None = None  # default: every customer
    min_promises: int = 1  # how many promises the task needs made (0: none needed)


@register("promises_kept", PromisesKept)
def promises_kept(state, log, scenario, p: PromisesKept) -> CheckResult:
    """Passes when at least `min_promises` promises of a next contact were made (a message
    with a "next contact by" time), none was broken, and at least that many (and at least one)
    were kept: another message to the same customer, about the same matter, that says
    something, sent after the promise and by its time. Not judged yet while the promises made
    are still open, or (with `min_promises: 0`) when none was made: a promise nobody has had
    to keep yet earns nothing."""
    contact_id = state.id_of("contacts", p.contact) if p.contact else None
    promises = promise_report(log, contact_id)
    states = [(pr, pr.state(state.now)) for pr in promises]
    broken = [pr for pr, s in states if s == "broken"]
    if broken:
        first = broken[0]
        if first.empty is not None:
            return CheckResult(
                False,
                f"you promised a contact by {when(first.due)}; the only message by then said "
                "too little (a word or two) to count as that contact. Keeping a promise means "
                f"getting back to the customer with something they can use. {WHERE}",
                [first.made.seq, first.empty.seq],
            )
        return CheckResult(
            False,
            f"you promised the customer a contact by {when(first.due)}, and none came by then: "
            f"a broken promise is how customers learn not to rely on you. {WHERE}",
            [first.made.seq],
        )
    if len(promises) < p.min_promises:
        return CheckResult(
            False,
            "no promise of a next contact is recorded: when you tell the customer when they "
            'will next hear from you, record it as the message\'s "Next contact by", so the '
            "CRM (and the customer) can hold you to it.",
        )
    kept = [pr for pr, s in states if s == "kept"]
    open_ = [pr for pr, s in states if s == "open"]
    evidence = sorted(
        {pr.made.seq for pr in promises} | {pr.kept_by.seq for pr in kept if pr.kept_by}
    )
    if len(kept) < max(p.min_promises, 1):
        if not open_:  # min_promises 0 and nothing promised
            return not_yet(
                "no promise of a next contact has been made, so there is none to judge yet."
            )
        said = (
            " (the message sent since says too little, a word or two, to count as it)"
            if open_[0].empty is not None
            else ""
        )
        return not_yet(
            f"the contact you promised is due by {when(open_[0].due)} and has not come yet"
            f"{said}: this is judged once you have made it or its time has passed.",
            evidence,
        )
    message = f"{len(kept)} promised contact(s) came in time."
    if open_:
        message += f" One more is due by {when(open_[0].due)}."
    return CheckResult(True, message, evidence)
