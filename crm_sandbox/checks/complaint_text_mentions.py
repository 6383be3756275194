"""Check type `complaint_text_mentions`: what the learner wrote on a complaint (its resolution,
root cause, lessons learned or escalation reason) mentions the ideas the scenario expects, for
example the policy that decides the outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from . import CheckResult, Params, register
from ._helpers import as_log

# The complaint's field -> the key the action log records it under when it is written.
LOGGED_AS = {
    "resolution": "resolution",
    "root_cause": "root_cause",
    "lessons_learned": "lessons_learned",
    "escalation_reason": "reason",
}

# One idea: the words or phrases that each count as mentioning it.
Idea = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class ComplaintTextMentions(Params):
    complaint: str
    field: Literal["resolution", "root_cause", "lessons_learned", "escalation_reason"] = (
        "resolution"
    )
    # Each inner list is one idea the text must mention, in any of its words or phrases
    # (case-insensitive), e.g. [["faulty", "fault"], ["full refund"]].
    mentions: list[Idea] = Field(min_length=1)


@register("complaint_text_mentions", ComplaintTextMentions)
def complaint_text_mentions(state, log, scenario, p: ComplaintTextMentions) -> CheckResult:
    """Passes when the complaint's `field` was written in this attempt and mentions every idea
    in `mentions` (at least one word or phrase of each inner list, case-insensitive)."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    key = LOGGED_AS[p.field]
    label = p.field.replace("_", " ")
    written = [
        i.seq
        for i in as_log(log).about(complaint.id)
        if i.object_type == "complaint" and i.after.get(key)
    ]
    text = (getattr(complaint, p.field, "") or "").lower()
    if not written or not text.strip():
        return CheckResult(False, f"no {label} has been recorded yet.")
    missing = [
        " / ".join(words)
        for words in p.mentions
        if not any(w.strip().lower() in text for w in words)
    ]
    evidence = written[-1:]
    if missing:
        return CheckResult(
            False,
            f"what you recorded as the {label} does not mention: " + "; ".join(missing) + ".",
            evidence,
        )
    return CheckResult(True, f"what you recorded as the {label} mentions what it should.", evidence)
