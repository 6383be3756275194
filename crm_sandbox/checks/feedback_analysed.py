"""Check type `feedback_analysed`: findings recorded from the feedback, linked to evidence."""

from __future__ import annotations

from ..models import Finding
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log


class FeedbackAnalysed(Params):
    min_findings: int = 1
    survey: str | None = None  # an opening survey the findings must come from


@register("feedback_analysed", FeedbackAnalysed)
def feedback_analysed(state, log, scenario, p: FeedbackAnalysed) -> CheckResult:
    """Passes when at least `min_findings` findings were recorded in this attempt, each linked
    to evidence (a question, segment, theme, responses or a figure)."""
    made = {i.object_id: i.seq for i in as_log(log).of("finding.recorded")}
    findings = [f for f in state.all(Finding) if f.id in made]
    if p.survey:
        survey_id = state.id_of("surveys", p.survey)
        findings = [f for f in findings if f.survey_id == survey_id]
    linked = [
        f
        for f in findings
        if f.question_id
        or f.segment
        or any((f.evidence or {}).get(k) for k in ("theme", "figure", "response_ids"))
    ]
    evidence = [made[f.id] for f in linked]
    if len(linked) >= p.min_findings:
        return CheckResult(
            True, f"{count_of(len(linked), 'finding')} linked to the evidence.", evidence
        )
    return CheckResult(
        False,
        f"{len(linked)} of {p.min_findings} finding(s) recorded with their evidence.",
        evidence,
    )
