"""Check type `lesson_targets_policy`: the lesson learned recorded when the complaint was closed
says which of the organisation's policies (or its complaints procedure) it changes, and how
(choices on the close form), and they are what the scenario's truth names. The learner's own
words about the lesson are kept for the assessor and never decide it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..services.complaints.rules import LESSON_CHANGES, POLICY_TITLES
from . import CheckResult, Params, not_yet, register
from ._policy import closed_entry

Change = Literal["train_staff", "change_process", "change_policy"]


class LessonTargetsPolicy(Params):
    complaint: str
    policies: list[str] = Field(min_length=1)  # keys: returns, complaints, charter ...
    changes: list[Change] = []  # the kinds of change that fit (empty: any)


def _title(key: str) -> str:
    title = POLICY_TITLES.get(key, key.replace("_", " "))
    return title[0].lower() + title[1:]


@register("lesson_targets_policy", LessonTargetsPolicy)
def lesson_targets_policy(state, log, scenario, p: LessonTargetsPolicy) -> CheckResult:
    """Passes when the complaint's close records a lesson about one of `policies` (and, when
    `changes` is given, a change of one of those kinds). Not yet judged until it is closed."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    closed = closed_entry(log, complaint.id)
    if closed is None:
        return not_yet("the complaint is not closed yet: the lesson learned is recorded then.")
    chosen = closed.after.get("lessons_policy")
    if not chosen:
        return CheckResult(
            False,
            "the lesson learned does not say which policy or procedure it changes: choose it on "
            "the close form, so the business knows where to act and every customer gets the "
            "same answer next time.",
            [closed.seq],
        )
    if chosen not in p.policies:
        return CheckResult(
            False,
            f"the lesson is about the {_title(chosen)}, which is not where this complaint "
            "went wrong: which policy was not applied as written? (Organisation & policies)",
            [closed.seq],
        )
    change = closed.after.get("lessons_change")
    if p.changes and change not in p.changes:
        said = LESSON_CHANGES.get(change, "no kind of change")
        return CheckResult(
            False,
            f"the lesson names the right policy, but the change you chose ({said[0].lower()}"
            f"{said[1:].split(':')[0]}) does not fit what went wrong: was the policy itself at "
            "fault, or the way it was applied?",
            [closed.seq],
        )
    return CheckResult(True, f"the lesson learned is aimed at the {_title(chosen)}.", [closed.seq])
