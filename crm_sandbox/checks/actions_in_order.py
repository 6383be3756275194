"""Check type `actions_in_order`: the service cycle's steps happened in the required order
(identify need -> agree standard -> deliver -> monitor -> evaluate -> improve)."""

from __future__ import annotations

from . import CheckResult, Params, register
from ._helpers import as_log

# Asking about needs and summarising them back find the needs; they do not deliver anything.
NOT_DELIVERING = {"ask_needs", "confirm_needs"}

# Which logged actions count as each step of the cycle.
STEPS = {
    "identify": ("need.confirmed",),
    "agree": ("standard.agreed",),
    "deliver": ("interaction.logged", "complaint.resolved"),
    "monitor": ("standard.finding_recorded", "survey.sent", "survey.response_recorded"),
    "evaluate": ("finding.recorded", "improvement.evaluated"),
    "improve": ("improvement.planned",),
}
ORDER = ("identify", "agree", "deliver", "monitor", "evaluate", "improve")


class InOrder(Params):
    steps: list[str] = list(ORDER)


def _counts(step: str, item) -> bool:
    """Whether a logged action counts as this step: a need counts as identified when the
    customer's reply confirmed it; delivering is an outbound message that is not about finding
    the needs (or a complaint resolved)."""
    if step == "identify":
        return bool(item.after.get("reply_id"))
    if step == "deliver" and item.verb == "interaction.logged":
        return (
            item.after.get("direction") == "outbound"
            and item.after.get("purpose") not in NOT_DELIVERING
        )
    return True


@register("actions_in_order", InOrder)
def actions_in_order(state, log, scenario, p: InOrder) -> CheckResult:
    """Passes when each step happened, each one after the step before it (the first
    occurrence of a step that follows the previous step counts). Identifying a need means the
    customer's reply confirmed it; delivering is an outbound message with another purpose than
    asking about or summarising the needs."""
    unknown = [s for s in p.steps if s not in STEPS]
    if unknown:
        return CheckResult(False, f"(scenario error: unknown step(s) {unknown})")
    log = as_log(log)
    last_seq, evidence = 0, []
    for step in p.steps:
        verbs = STEPS[step]
        item = next((i for i in log.of(*verbs) if i.seq > last_seq and _counts(step, i)), None)
        if item is None:
            done_before = any(_counts(step, i) for i in log.of(*verbs))
            if done_before:
                return CheckResult(
                    False,
                    f"'{step}' happened, but not after the step before "
                    "it: follow the cycle in order.",
                    evidence,
                )
            return CheckResult(False, f"the '{step}' step is missing.", evidence)
        evidence.append(item.seq)
        last_seq = item.seq
    return CheckResult(True, "the cycle was followed in order.", evidence)
