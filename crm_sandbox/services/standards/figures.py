"""The learner's figures and the CRM's: what a monitoring finding states (the measured figure,
the cases decided, the breaches) compared with what the CRM computes for the same standard and
period, within a stated tolerance.

The figure is in the standard's own unit: the share of decided cases that met it (time and
follow-up measures, in %), the average satisfaction score out of 5, or the average of the
values measured by hand (a manual measure, in its unit). Counts (cases, breaches) must be
exact. A finding on a share of cases must state the breaches too; any figure it states must
match. Nothing measured in the period (no decided case, no rating, no measurement) means
there is no figure to state: a finding then has no data behind it.
"""

from __future__ import annotations

from ...models.standards import Measure

# How far a stated figure may be from the CRM's: rounding, never a different result.
TOLERANCE_POINTS = 0.5  # percentage points (a share of cases), or units of a manual measure
TOLERANCE_SCORE = 0.05  # an average score out of 5


def tolerance(measure: str) -> float:
    """How far a stated figure may be from the CRM's for this measure."""
    return TOLERANCE_SCORE if measure == Measure.SATISFACTION.value else TOLERANCE_POINTS


def needs_breaches(measure: str) -> bool:
    """Whether a finding on this measure must say how many cases breached it (a share of cases
    met: the breaches are the cases behind the figure)."""
    return measure not in (Measure.SATISFACTION.value, Measure.MANUAL.value)


def compare(measure: str, stated: dict, computed: dict) -> list[str]:
    """What is wrong with the stated figures against the computed ones (empty when they agree).
    `stated` and `computed` hold value, cases, breaches (None: not stated / not measured)."""
    if computed.get("value") is None:
        return ["nothing had been measured in that period"]
    problems = []
    value = stated.get("value")
    if value is None:
        problems.append("the finding does not state the measured figure")
    elif abs(float(value) - float(computed["value"])) > tolerance(measure) + 1e-9:
        problems.append("the figure stated is not the one the CRM's records give for the period")
    breaches = stated.get("breaches")
    if breaches is None:
        if needs_breaches(measure):
            problems.append("the finding does not state how many cases breached the standard")
    elif int(breaches) != computed.get("breaches"):
        problems.append("the number of breaches stated is not the number in the CRM's records")
    cases = stated.get("cases")
    if cases is not None and int(cases) != computed.get("cases"):
        problems.append("the number of cases stated is not the number the CRM decided")
    return problems
