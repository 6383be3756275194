"""Check type `feedback_analysed`: findings recorded from the feedback that rest on responses
the CRM holds and state the CRM's figures.

A finding counts when it cites its data (the collection, and a question, segment or theme),
some responses stand behind that data, and the figure it states (what it measures and the
number) is the one the analysis computes from the same data, within the figure's stated
tolerance. The finding's words are kept for the assessor and never decide."""

from __future__ import annotations

from ..wording import count_of
from . import CheckResult, Params, register
from ._feedback import findings_made, is_loyalty, judge, problems_text


class FeedbackAnalysed(Params):
    min_findings: int = 1
    survey: str | None = None  # an opening survey the findings must come from
    segment: str | None = None  # the findings must cite this segment (e.g. "new")
    with_figure: bool = True  # each must state a figure the CRM can check


@register("feedback_analysed", FeedbackAnalysed)
def feedback_analysed(state, log, scenario, p: FeedbackAnalysed) -> CheckResult:
    """Passes when at least `min_findings` findings recorded in this attempt (from `survey`,
    about `segment`, when given) rest on responses the CRM holds and state a figure that is the
    analysis's own within its tolerance."""
    made = [(f, seq) for f, seq in findings_made(state, log) if not is_loyalty(f)]
    if p.survey:
        survey_id = state.id_of("surveys", p.survey)
        made = [(f, seq) for f, seq in made if f.survey_id == survey_id]
    if p.segment:
        made = [(f, seq) for f, seq in made if f.segment == p.segment]
    judged = [judge(f, seq, p.with_figure) for f, seq in made]
    sound = [j for j in judged if j.sound]
    evidence = [j.seq for j in judged]
    about = " about that segment" if p.segment else ""
    if len(sound) >= p.min_findings:
        return CheckResult(
            True,
            f"{count_of(len(sound), 'finding')}{about} "
            f"{'rests' if len(sound) == 1 else 'rest'} on responses received, and each figure "
            "stated is the CRM's.",
            evidence,
        )
    if not judged:
        return CheckResult(
            False,
            f"no finding{about} has been recorded from the feedback in this attempt yet.",
            evidence,
        )
    return CheckResult(
        False,
        f"{len(sound)} of the {p.min_findings} needed count: {problems_text(judged)}. "
        "Compare each figure with the collection's Analysis page for the same question and "
        "segment, and cite data that has responses behind it.",
        evidence,
    )
