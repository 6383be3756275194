"""Check type `remedy_follows_policy`: the remedy the learner offered on a complaint (proposed,
or resolved with) is the one the organisation's policy gives in this case: an allowed type, at
least the amount due (to the penny) and no later than the policy allows. Judged on the remedy's
structured fields, never on the words of the resolution or the message: a refusal full of the
policy's words fails, a competent offer in any words passes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from ..services.customers.persona import RemedyType
from . import CheckResult, Params, not_yet, register
from ._policy import (
    EXTRAS,
    LEVEL_WORDS,
    Level,
    entries,
    level_at,
    offers,
    remedy_of,
    remedy_words,
    to_money,
)

PENNY = Decimal("0.01")
WHERE = "read the policy under Organisation & policies"


class RemedyFollowsPolicy(Params):
    complaint: str
    # What the policy gives in this case (the scenario's truth; never shown to the learner).
    types: list[RemedyType] = Field(min_length=1)  # remedy types the policy allows here
    amount: float | None = Field(default=None, ge=0)  # the amount due (at least; a penny out)
    within_working_days: int | None = Field(default=None, ge=0, le=250)  # latest "by" date
    level: Level | None = None  # only offers made at this level of the procedure


def _decisive(made: list, allowed: set[str]):
    """The offer that stands: the latest one that is not an extra on top (a goodwill gesture,
    an apology) unless the policy's remedy is itself of that type."""
    for item in reversed(made):
        kind = remedy_of(item).get("type")
        if kind in allowed or kind not in EXTRAS:
            return item
    return made[-1]


@register("remedy_follows_policy", RemedyFollowsPolicy)
def remedy_follows_policy(state, log, scenario, p: RemedyFollowsPolicy) -> CheckResult:
    """Passes when the remedy standing on the complaint (the latest offered, proposed or with
    the resolution; a goodwill extra on top does not replace it) is of a type the policy allows
    here, for at least `amount` (a penny's tolerance) and happening within
    `within_working_days` working days of the offer. Not yet judged until a remedy is offered
    or the complaint resolved; a resolution without any remedy fails."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    made = offers(log, complaint.id, p.level)
    at = f" at the {LEVEL_WORDS[p.level]} level" if p.level else ""
    if not made:
        resolved = [
            i
            for i in entries(log, complaint.id, "complaint.resolved")
            if p.level is None or level_at(log, complaint.id, i.seq) == p.level
        ]
        if resolved:
            return CheckResult(
                False,
                f"the complaint was resolved{at} without a remedy in the policy's terms (what "
                f"kind, how much, by when): {WHERE} and record the remedy with the resolution "
                "or propose it.",
                [resolved[-1].seq],
            )
        return not_yet(f"no remedy has been offered on this complaint{at} yet.")
    allowed = {str(t) for t in p.types}
    item = _decisive(made, allowed)
    remedy = remedy_of(item)
    offered = remedy_words(remedy)
    if remedy.get("type") not in allowed:
        return CheckResult(
            False,
            f"you offered {offered}, which is not the remedy the policy gives in this case: "
            f"{WHERE}: which rule covers what happened, and what does it give the customer?",
            [item.seq],
        )
    if p.amount is not None:
        amount = to_money(remedy.get("amount"))
        if amount is None:
            return CheckResult(
                False,
                f"you offered {offered} without an amount: say how much, worked out from what "
                f"the customer paid and what the policy says is refunded ({WHERE}).",
                [item.seq],
            )
        if amount + PENNY < Decimal(str(p.amount)):
            return CheckResult(
                False,
                f"you offered {offered}, less than the policy gives in this case: check what the "
                f"customer paid (the order and any charges) and what the policy says is "
                f"refunded ({WHERE}).",
                [item.seq],
            )
    if p.within_working_days is not None:
        by = remedy.get("by")
        if not by:
            return CheckResult(
                False,
                f"you offered {offered} without saying by when it happens: the policy and the "
                "customer charter set a timescale; give the customer a date within it.",
                [item.seq],
            )
        latest = state.calendar.nth_working_day_after(
            item.sandbox_time.date(), p.within_working_days
        )
        if date.fromisoformat(str(by)) > latest:
            return CheckResult(
                False,
                f"you offered {offered}, later than the policy's timescale allows: check how "
                "quickly the policy and the customer charter say it must happen.",
                [item.seq],
            )
    return CheckResult(
        True, f"the remedy you offered ({offered}) is what the policy gives.", [item.seq]
    )
