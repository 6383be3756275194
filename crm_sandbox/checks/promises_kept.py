"""Check type `promises_kept`: every next contact the learner promised a customer ("I will call
you by 3pm") happened by the promised time."""

from __future__ import annotations

from datetime import datetime

from . import CheckResult, Params, register
from ._helpers import as_log, promise_keeper, when


class PromisesKept(Params):
    contact: str | None = None  # default: every customer
    min_promises: int = 1  # how many promises the task needs made (0: none needed)


def _time(value) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


@register("promises_kept", PromisesKept)
def promises_kept(state, log, scenario, p: PromisesKept) -> CheckResult:
    """Passes when at least `min_promises` promises of a next contact were made (a message with
    a "next contact by" time) and each one that has fallen due was kept: another message to the
    same customer was sent after it and by the promised time."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact) if p.contact else None
    sent = [
        i
        for i in log.of("interaction.logged")
        if i.after.get("direction") == "outbound"
        and (contact_id is None or i.after_contact_id == contact_id)
    ]
    promises = [i for i in sent if i.after.get("promise_by")]
    if len(promises) < p.min_promises:
        return CheckResult(
            False,
            "no promise of a next contact was recorded: tell the customer when you will come "
            "back to them, and record it on the message.",
        )
    evidence = []
    for promise in promises:
        due = _time(promise.after["promise_by"])
        kept = promise_keeper(promise, sent)
        evidence.append(promise.seq)
        if kept is not None:
            evidence.append(kept.seq)
            continue
        if state.now > due:
            return CheckResult(
                False,
                f"you promised the customer a contact by {when(due)}, and it did not come.",
                [promise.seq],
            )
    if not promises:
        return CheckResult(True, "no promises made, none broken.")
    return CheckResult(True, "every promised contact came in time.", evidence)
