"""Shared judgement for the feedback family of checks: is a finding sound (it rests on
responses the CRM holds, and any figure it states is the CRM's within its tolerance)?

Findings keep, in their evidence, what the CRM computed from the data they cite at the moment
they were recorded (services/feedback/figures.py, services/loyalty.py): the checks compare the
learner's figure with that, never the finding's words."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Finding
from ._helpers import as_log

# Why a finding does not count, in the words the messages use (never the expected values):
# (one finding ..., several findings ...).
NO_RESPONSES = "no_responses"
FIGURE_NOT_CRMS = "figure_not_crms"
NO_FIGURE = "no_figure"
NOT_CHECKED = "not_checked"
PROBLEMS = {
    NO_RESPONSES: ("rests on no responses", "rest on no responses"),
    FIGURE_NOT_CRMS: (
        "states a figure that is not the CRM's for the data it cites",
        "state figures that are not the CRM's for the data they cite",
    ),
    NO_FIGURE: ("states no figure from the analysis", "state no figure from the analysis"),
    NOT_CHECKED: (
        "was recorded without the figures the CRM checks",
        "were recorded without the figures the CRM checks",
    ),
}


@dataclass
class Judged:
    finding: Finding
    seq: int
    problem: str = ""  # empty: sound

    @property
    def sound(self) -> bool:
        return not self.problem


def findings_made(state, log) -> list[tuple[Finding, int]]:
    """The findings recorded in this attempt, with the seq of their log entry."""
    made = {i.object_id: i.seq for i in as_log(log).of("finding.recorded")}
    return [(f, made[f.id]) for f in state.all(Finding) if f.id in made]


def is_loyalty(finding: Finding) -> bool:
    return (finding.evidence or {}).get("source") == "loyalty"


def judge_survey_finding(finding: Finding, seq: int, with_figure: bool) -> Judged:
    ev = finding.evidence or {}
    if "based_on" not in ev:
        return Judged(finding, seq, NOT_CHECKED)
    if not ev.get("based_on"):
        return Judged(finding, seq, NO_RESPONSES)
    if ev.get("measure"):
        if not ev.get("agrees"):
            return Judged(finding, seq, FIGURE_NOT_CRMS)
    elif with_figure:
        return Judged(finding, seq, NO_FIGURE)
    return Judged(finding, seq)


def judge_loyalty_finding(finding: Finding, seq: int) -> Judged:
    ev = finding.evidence or {}
    stated = ev.get("figures") or []
    if not ev.get("based_on"):
        return Judged(finding, seq, NO_RESPONSES)
    if not stated:
        return Judged(finding, seq, NO_FIGURE)
    if not all(f.get("agrees") for f in stated):
        return Judged(finding, seq, FIGURE_NOT_CRMS)
    return Judged(finding, seq)


def judge(finding: Finding, seq: int, with_figure: bool = True) -> Judged:
    if is_loyalty(finding):
        return judge_loyalty_finding(finding, seq)
    return judge_survey_finding(finding, seq, with_figure)


def problems_text(judged: list[Judged]) -> str:
    """ "one finding rests on no responses; 2 findings state figures ..." (never a value)."""
    bad = [j for j in judged if not j.sound]
    if not bad:
        return ""
    counts: dict[str, int] = {}
    for j in bad:
        counts[j.problem] = counts.get(j.problem, 0) + 1
    parts = [
        f"one finding {PROBLEMS[p][0]}" if n == 1 else f"{n} findings {PROBLEMS[p][1]}"
        for p, n in counts.items()
    ]
    return "; ".join(parts)
