"""Recording what monitoring uses and what it showed: a value measured by hand for a manual
standard, and a finding with the compliance figure for the period it covers."""

from __future__ import annotations

from datetime import date

from ...models import db
from ...models.standards import Measure, Measurement, ServiceStandard, StandardFinding
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
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


def add_finding(
    ctx: SandboxContext,
    standard: ServiceStandard,
    text: str,
    period_from: date | None,
    period_to: date | None,
) -> StandardFinding:
    """Record what monitoring showed, with the compliance figure for the period it covers."""
    ctx.require_writable()
    text = validation.text(text, "Finding", 2000, required=True, field="text")
    result = compliance(ctx, standard, period_from, period_to) if is_measurable(standard) else None
    finding = StandardFinding(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard.id,
        text=text,
        compliance_percent=result.percent if result else None,
        period_from=period_from,
        period_to=period_to,
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
            "compliance_percent": finding.compliance_percent,
            "breaches": len(result.breaches) if result else None,
        },
    )
    return finding
