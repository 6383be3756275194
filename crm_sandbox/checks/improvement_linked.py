"""Check type `improvement_linked`: an improvement action made from a finding, with an owner,
a due date, what it changes and how success is measured (and, if asked, evaluated)."""

from __future__ import annotations

from ..models import ImprovementAction
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log


class ImprovementLinked(Params):
    min: int = 1
    evaluated: bool = False
    with_baseline: bool = False


@register("improvement_linked", ImprovementLinked)
def improvement_linked(state, log, scenario, p: ImprovementLinked) -> CheckResult:
    """Passes when at least `min` actions planned in this attempt have a success measure (and
    a baseline, and an evaluation, when asked)."""
    log = as_log(log)
    planned = {i.object_id: i.seq for i in log.of("improvement.planned")}
    evaluated = {i.object_id: i.seq for i in log.of("improvement.evaluated")}
    good, evidence = [], []
    for a in state.all(ImprovementAction):
        if a.id not in planned or not a.success_measure:
            continue
        if p.with_baseline and a.baseline is None:
            continue
        if p.evaluated and a.id not in evaluated:
            continue
        good.append(a)
        evidence.append(planned[a.id])
        if a.id in evaluated:
            evidence.append(evaluated[a.id])
    if len(good) >= p.min:
        return CheckResult(
            True, f"{count_of(len(good), 'improvement action')} linked to findings.", evidence
        )
    what = "evaluated " if p.evaluated else ""
    return CheckResult(
        False,
        f"{len(good)} of {p.min} {what}improvement action(s) with a measure of success.",
        evidence,
    )
