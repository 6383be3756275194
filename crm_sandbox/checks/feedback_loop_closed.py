"""Check type `feedback_loop_closed` (focus.ac5, gathering and using feedback to improve
relationships): the whole chain, in structured evidence, in order.

1. feedback gathered: a finding recorded in this attempt rests on responses the CRM holds
   (and any figure it states is the CRM's);
2. used: an improvement action planned from that finding, after it;
3. the relationship improved with the people who spoke: the customers whose responses the
   finding rests on (those on record) were told what changed ("you said, we did": the
   improvement's message to them, sent after it was planned, on a channel they agreed to).

Nothing in it reads the words of a message or a finding."""

from __future__ import annotations

from pydantic import Field

from ..models import Finding, ImprovementAction
from ..wording import count_of
from . import CheckResult, Params, register
from ._feedback import findings_made, is_loyalty, judge
from ._helpers import as_log


class FeedbackLoopClosed(Params):
    survey: str | None = None  # an opening survey the feedback must come from
    min_share: float = Field(1.0, gt=0, le=1)  # of the customers behind the finding, told


@register("feedback_loop_closed", FeedbackLoopClosed)
def feedback_loop_closed(state, log, scenario, p: FeedbackLoopClosed) -> CheckResult:
    """Passes when a finding recorded in this attempt rests on customers' responses (with the
    CRM's figures), an improvement action was planned from it, and at least `min_share` of
    the customers on record behind the finding were then told what changed (the improvement's
    "you said, we did" messages)."""
    log = as_log(log)
    findings = [
        (f, seq)
        for f, seq in findings_made(state, log)
        if not is_loyalty(f) and judge(f, seq, with_figure=False).sound
    ]
    if p.survey:
        survey_id = state.id_of("surveys", p.survey)
        findings = [(f, seq) for f, seq in findings if f.survey_id == survey_id]
    if not findings:
        return CheckResult(
            False,
            "no finding in this attempt rests on customers' responses yet: the loop starts "
            "with feedback gathered and analysed.",
        )
    sound = {f.id: (f, seq) for f, seq in findings}
    planned = {i.object_id: i for i in log.of("improvement.planned")}
    actions = [a for a in state.all(ImprovementAction) if a.id in planned and a.finding_id in sound]
    evidence = [seq for _, seq in findings]
    if not actions:
        return CheckResult(
            False,
            f"{count_of(len(findings), 'finding')} rest on customers' responses, but no "
            "improvement action has been planned from them: feedback not acted on does not "
            "improve the relationship.",
            evidence,
        )
    told = log.of("improvement.customers_told")
    best = None
    for a in actions:
        finding: Finding = sound[a.finding_id][0]
        behind = set((finding.evidence or {}).get("respondents") or [])
        plan = planned[a.id]
        evidence.append(plan.seq)
        if not behind:
            continue
        reached, seqs = set(), []
        for item in told:
            if item.object_id == a.id and item.seq > plan.seq:
                reached |= set(item.after.get("contact_ids") or []) & behind
                seqs.append(item.seq)
        share = len(reached) / len(behind)
        if best is None or share > best[0]:
            best = (share, len(reached), len(behind), seqs)
    if best is None:
        return CheckResult(
            False,
            "the improvement comes from feedback no customer on record gave, so nobody can be "
            "told what changed: act on a finding that rests on customers' own responses.",
            evidence,
        )
    share, reached, behind, seqs = best
    evidence += seqs
    if share + 1e-9 >= p.min_share:
        return CheckResult(
            True,
            f"feedback analysed, acted on, and {reached} of the {count_of(behind, 'customer')} "
            "who gave it told what changed.",
            evidence,
        )
    if not reached:
        return CheckResult(
            False,
            "the improvement is planned, but the customers who gave the feedback have not been "
            'told what changed as a result ("you said, we did", from the Findings and '
            "improvement plan page).",
            evidence,
        )
    return CheckResult(
        False,
        f"{reached} of the {count_of(behind, 'customer')} who gave the feedback were told what "
        "changed; tell the others too, on a channel each agreed to.",
        evidence,
    )
