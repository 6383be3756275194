"""Check type `poor_service_impact` (focus.ac6, the impact of poor customer service on an
organisation's reputation and success): a finding from the CRM's loyalty data that states,
in figures the loyalty report computes, what poor service cost.

The finding must say how many customers were lost after poor service (customers lost or who
left, or the share lost, among those whose complaint was handled poorly) and what business
went with them (orders or pounds in the period), each within its stated tolerance of the
report's figure (counts exact, percentages within a point, money within 1%). Its words are
kept for the assessor and never decide."""

from __future__ import annotations

from typing import Literal

from . import CheckResult, Params, register
from ._feedback import findings_made, is_loyalty

PEOPLE = {"customers_lost", "customers_left", "percent_lost"}
BUSINESS = {"orders_lost", "value_lost"}


class PoorServiceImpact(Params):
    group: Literal["poor", "open", "well", "none"] = "poor"  # how their complaints went
    need_business: bool = True  # the business lost (orders or pounds) must be stated too


def _judge(finding, p: PoorServiceImpact) -> str:
    """Why the finding falls short ("" when it shows the impact in the CRM's figures)."""
    ev = finding.evidence or {}
    figures = ev.get("figures") or []
    if not ev.get("based_on"):
        return "rests on no customers' records"
    if not all(f.get("agrees") for f in figures):
        return "states a figure that is not the loyalty report's"
    about = {f["measure"] for f in figures if f.get("group") == p.group}
    if not about & PEOPLE:
        return "does not say how many customers were lost after poor service"
    if p.need_business and not about & BUSINESS:
        return "does not say what business was lost with them"
    return ""


@register("poor_service_impact", PoorServiceImpact)
def poor_service_impact(state, log, scenario, p: PoorServiceImpact) -> CheckResult:
    """Passes when a finding recorded in this attempt from the loyalty report states, in the
    report's own figures, how many customers were lost among those whose complaints went
    `group` (handled poorly, by default) and, with `need_business`, the orders or pounds of
    business lost with them."""
    made = [(f, seq) for f, seq in findings_made(state, log) if is_loyalty(f)]
    if not made:
        return CheckResult(
            False,
            "no finding from the loyalty figures (Feedback > Loyalty) has been recorded in this "
            "attempt yet.",
        )
    problems = []
    for finding, seq in made:
        problem = _judge(finding, p)
        if not problem:
            return CheckResult(
                True,
                "the impact of poor service is stated in the CRM's own figures: customers lost "
                "and the business that went with them.",
                [seq],
            )
        problems.append(problem)
    return CheckResult(
        False,
        "no loyalty finding shows the impact yet: "
        + "; ".join(f"one {reason}" for reason in dict.fromkeys(problems))
        + ". Read the customers lost by how their complaints went, on the Loyalty page, and "
        "state the figures as the report gives them.",
        [seq for _, seq in made],
    )
