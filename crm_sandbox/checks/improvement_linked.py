"""Check type `improvement_linked`: an improvement action made from a sound finding, with an
owner, a due date, what it changes and a measure the CRM computes (its baseline worked out
when it was planned); when asked, evaluated after its due date against that measure
recomputed for the period after the change, with a judgement the figures bear out."""

from __future__ import annotations

from ..models import Finding, ImprovementAction
from ..services.feedback.figures import agrees
from ..wording import count_of
from . import CheckResult, Params, register
from ._feedback import judge
from ._helpers import as_log

# Why an action does not count (for the message; never the expected values).
NO_MEASURE = "has no measure the CRM can compute, so it has no baseline"
WEAK_FINDING = "comes from a finding that does not rest on the CRM's figures"
BASELINE_NOT_CRMS = "states a baseline that is not the CRM's figure"
NOT_EVALUATED = "has not been evaluated yet"
TOO_SOON = "was evaluated before its due date"
NO_DATA_AFTER = "was evaluated with no figures from the period after the change"
RESULT_NOT_CRMS = "gives a figure after the change that is not the CRM's"
JUDGEMENT_WRONG = "has a judgement (worked or not) that the figures do not bear out"


class ImprovementLinked(Params):
    min: int = 1
    evaluated: bool = False
    with_baseline: bool = True  # kept for older scenarios: a baseline is always required now


def _agrees(spec: dict, stated, computed) -> bool:
    if spec.get("source") == "standard":
        return computed is not None and abs(float(stated) - float(computed)) <= 1.0 + 1e-9
    return agrees(spec["figure"], stated, computed)


def _problem(action: ImprovementAction, finding: Finding | None, made: dict, p) -> str:
    spec = action.measure or {}
    if finding is None or finding.id not in made or not judge(finding, made[finding.id]).sound:
        return WEAK_FINDING
    if not spec or action.baseline is None:
        return NO_MEASURE
    stated = spec.get("stated_baseline")
    if stated is not None and not _agrees(spec, stated, action.baseline):
        return BASELINE_NOT_CRMS
    if not p.evaluated:
        return ""
    if action.evaluated_sbx is None:
        return NOT_EVALUATED
    if action.evaluated_sbx.date() < action.due_on:
        return TOO_SOON
    if action.result is None or not spec.get("after_based_on"):
        return NO_DATA_AFTER
    stated_result = spec.get("stated_result")
    if stated_result is not None and not _agrees(spec, stated_result, action.result):
        return RESULT_NOT_CRMS
    if spec.get("verdict") != action.outcome:
        return JUDGEMENT_WRONG
    return ""


@register("improvement_linked", ImprovementLinked)
def improvement_linked(state, log, scenario, p: ImprovementLinked) -> CheckResult:
    """Passes when at least `min` actions planned in this attempt come from a finding that
    rests on the CRM's figures and have a measure the CRM computes, with its baseline (and any
    baseline the learner stated agreeing with it); with `evaluated`, each was evaluated on or
    after its due date against the measure recomputed for the period after the change, and
    the learner's judgement (improved, no change, worse) is what those figures show."""
    log = as_log(log)
    planned = {i.object_id: i.seq for i in log.of("improvement.planned")}
    evaluated = {i.object_id: i.seq for i in log.of("improvement.evaluated")}
    made = {i.object_id: i.seq for i in log.of("finding.recorded")}
    findings = {f.id: f for f in state.all(Finding)}
    good, problems, evidence = [], [], []
    for a in state.all(ImprovementAction):
        if a.id not in planned:
            continue
        evidence.append(planned[a.id])
        if a.id in evaluated:
            evidence.append(evaluated[a.id])
        problem = _problem(a, findings.get(a.finding_id), made, p)
        (problems if problem else good).append(problem or a)
    if len(good) >= p.min:
        what = "evaluated against the CRM's figures" if p.evaluated else "with a baseline"
        return CheckResult(True, f"{count_of(len(good), 'improvement action')} {what}.", evidence)
    if not planned:
        return CheckResult(
            False, "no improvement action has been planned in this attempt yet.", evidence
        )
    reasons = "; ".join(f"one {reason}" for reason in dict.fromkeys(problems))
    if set(problems) <= {WEAK_FINDING}:
        advice = " Plan it from a finding whose figures are the CRM's."
    elif set(problems) & {NO_MEASURE, BASELINE_NOT_CRMS}:
        advice = " Choose a measure the CRM computes (Findings and improvement plan)."
    else:
        advice = (
            " Evaluate against the measure you set: from the due date, with feedback gathered "
            "since the change, and say what those figures show."
        )
    return CheckResult(
        False,
        f"{len(good)} of the {p.min} needed count: {reasons}.{advice}",
        evidence,
    )
