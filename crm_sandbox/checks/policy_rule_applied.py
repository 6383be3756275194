"""Check type `policy_rule_applied`: the resolution of a complaint records the rule of the
organisation's policies that decides it (a choice on the resolve form: "returns.2", the 2nd rule
of the returns policy as numbered under Organisation & policies), and it is the rule the
scenario's truth names. The resolution's words are kept for the assessor and never decide it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..services.complaints.rules import POLICY_TITLES
from . import CheckResult, Params, not_yet, register
from ._policy import LEVEL_WORDS, Level, closed_entry, entries, level_at

RuleRef = Annotated[str, Field(pattern=r"^[a-z_]+\.[1-9][0-9]*$")]


class PolicyRuleApplied(Params):
    complaint: str
    rules: list[RuleRef] = Field(min_length=1)  # the rule(s) that decide this case
    level: Level | None = None  # judge the resolution made at this level (default: the latest)


def _rule_words(ref: str, text: str) -> str:
    policy, _, number = ref.partition(".")
    title = POLICY_TITLES.get(policy, policy.replace("_", " "))
    said = f": \u201c{text}\u201d" if text else ""
    return f"rule {number} of the {title[0].lower() + title[1:]}{said}"


@register("policy_rule_applied", PolicyRuleApplied)
def policy_rule_applied(state, log, scenario, p: PolicyRuleApplied) -> CheckResult:
    """Passes when the latest resolution of the complaint (at `level`, when given) records one
    of `rules` as the policy rule that decides it. Not yet judged until it is resolved."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = closed_entry(log, complaint.id)
    resolved = [
        i
        for i in entries(log, complaint.id, "complaint.resolved")
        if (p.level is None or level_at(log, complaint.id, i.seq) == p.level)
        and (closed is None or i.seq < closed.seq)
    ]
    at = f" at the {LEVEL_WORDS[p.level]} level" if p.level else ""
    if not resolved:
        return not_yet(f"the complaint has not been resolved{at} yet.")
    item = resolved[-1]
    chosen = item.after.get("policy_rule")
    if not chosen:
        return CheckResult(
            False,
            "the resolution does not say which rule of the organisation's policies decides it: "
            "policies underpin consistent responses, so choose the rule you applied on the "
            "resolution form (the rules are numbered under Organisation & policies).",
            [item.seq],
        )
    if chosen not in p.rules:
        return CheckResult(
            False,
            f"you applied {_rule_words(chosen, item.after.get('policy_rule_text') or '')}, which "
            "does not decide this case: read the policy again under Organisation & policies; "
            "which rule covers what actually happened to the customer?",
            [item.seq],
        )
    return CheckResult(
        True, f"the resolution applies the policy rule that decides it{at}.", [item.seq]
    )
