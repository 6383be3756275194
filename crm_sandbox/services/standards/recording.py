"""Recording what monitoring uses and what it showed: a value measured by hand for a manual
standard, and a finding with the compliance figure for the period it covers."""

from __future__ import annotations

from datetime import date

from ...models import db
from ...models.standards import Measure, Measurement, ServiceStandard, StandardFinding
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
from . import figures
from .measurability import is_measurable
from .monitoring import compliance


def record_measurement(
    ctx: SandboxContext, standard: ServiceStandard, taken_on: date, value, note: str = ""
) -> Measurement:
    """Record a value for a manual standard."""
    ctx.require_writable()
    if standard.measure != Measure.MANUAL.value:
        raise ServiceError("This standard is measured from the CRM's records automatically.")
    number = validation.number(
        value, "The value", -validation.MEASURE_LIMIT, validation.MEASURE_LIMIT, field="value"
    )
    if taken_on is None or taken_on > ctx.now().date():
        raise ServiceError("Give the date the value was measured (not in the future).", "taken_on")
    m = Measurement(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard.id,
        taken_on=taken_on,
        value=number,
        note=validation.text(note, "Note", 500, field="note"),
    )
    db.session.add(m)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.measured",
        "standard",
        standard.id,
        after={"taken_on": taken_on, "value": number},
    )
    return m


def _stated(standard: ServiceStandard, value, cases, breaches) -> dict:
    """The figures the learner typed, each checked for its kind (None: not stated)."""
    measure = Measure(standard.measure)
    stated: dict = {"value": None, "cases": None, "breaches": None}
    if value not in (None, ""):
        if measure == Measure.SATISFACTION:
            low, high, label = 0, 5, "The average score (out of 5)"
        elif measure == Measure.MANUAL:
            low, high = -validation.MEASURE_LIMIT, validation.MEASURE_LIMIT
            label = "The measured figure"
        else:
            low, high, label = 0, 100, "The share of cases that met the standard (%)"
        stated["value"] = validation.number(
            str(value).strip().rstrip("%").strip(), label, low, high, field="stated_value"
        )
    for name, label in (("cases", "Cases decided"), ("breaches", "Breaches")):
        raw = {"cases": cases, "breaches": breaches}[name]
        if raw in (None, ""):
            continue
        number = validation.number(raw, label, 0, validation.MEASURE_LIMIT, field=f"stated_{name}")
        if number != int(number):
            raise ServiceError(f"{label} is a whole number of cases.", f"stated_{name}")
        stated[name] = int(number)
    return stated


def add_finding(
    ctx: SandboxContext,
    standard: ServiceStandard,
    text: str,
    period_from: date | None,
    period_to: date | None,
    *,
    value=None,
    cases=None,
    breaches=None,
    from_crm: bool = False,
) -> StandardFinding:
    """Record what monitoring showed for the period it covers (from/to: the monitoring
    page's default period when not given), with the figures the learner states (`value` in
    the standard's unit, `cases` decided, `breaches`) or, with `from_crm`, the CRM's own.
    The CRM computes the figures for the same standard and period and records both: a
    stated figure that differs beyond the tolerance (`figures.compare`) is shown, never
    silently accepted."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    measurable = is_measurable(standard)
    result = compliance(ctx, standard, period_from, period_to) if measurable else None
    computed = (
        {
            "value": result.value,
            "cases": len(result.decided),
            "breaches": len(result.breaches),
            "unit": result.unit.strip(),
        }
        if result is not None
        else {"value": None, "cases": None, "breaches": None, "unit": ""}
    )
    if from_crm:
        if result is None:
            raise ServiceError(
                "This standard cannot be measured as written, so the CRM has no figure for "
                "it: say in the finding why it cannot be monitored."
            )
        if result.value is None:
            raise ServiceError(
                "Nothing has been measured for this standard in that period, so there is no "
                "figure to use: choose a period with cases in it.",
                "period_from",
            )
        stated = {k: computed[k] for k in ("value", "cases", "breaches")}
    else:
        stated = _stated(standard, value, cases, breaches)
        if result is None and any(v is not None for v in stated.values()):
            raise ServiceError(
                "This standard cannot be measured as written, so there is no figure to compare "
                "yours with: say in the finding why it cannot be monitored.",
                "stated_value",
            )
    problems = figures.compare(standard.measure, stated, computed) if result else []
    finding = StandardFinding(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard.id,
        text=text,
        compliance_percent=result.percent if result else None,
        period_from=result.period_from if result else period_from,
        period_to=result.period_to if result else period_to,
        stated_value=stated["value"],
        stated_cases=stated["cases"],
        stated_breaches=stated["breaches"],
        computed_value=computed["value"],
        computed_cases=computed["cases"],
        computed_breaches=computed["breaches"],
        from_crm=bool(from_crm),
        created_sbx=ctx.now(),
    )
    db.session.add(finding)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.finding_recorded",
        "standard_finding",
        finding.id,
        after={
            "standard_id": standard.id,
            "text": text,
            "measure": standard.measure,
            "measurable": measurable,
            "period_from": finding.period_from,
            "period_to": finding.period_to,
            "compliance_percent": finding.compliance_percent,
            "breaches": computed["breaches"],
            "stated": stated,
            "computed": computed,
            "from_crm": bool(from_crm),
            "tolerance": figures.tolerance(standard.measure),
            "mismatches": problems,
        },
    )
    return finding
