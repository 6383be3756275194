"""Defining and agreeing standards: the form's fields checked against what makes sense for
what is measured (the bounds on time allowed and targets), creating and changing a standard,
and recording who agreed it (only once it is measurable).

A standard is agreed with a customer by proposing it to them (a message with purpose
`propose_standard`, which carries the standard's `terms`) and pointing at their reply that
agrees it as it stands (`agree_standard(..., reply=...)`). An agreement recorded on the
learner's word alone (no reply: a customer group met in person, say) is kept, marked as such;
the checks count only the customer's own reply."""

from __future__ import annotations

from ...models import AnswerKind, Contact, Direction, Interaction, db
from ...models.standards import Measure, Period, ServiceStandard, StandardStatus
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
from .measurability import TIME_MEASURES, is_measurable, measurability_problems

# A service standard's time allowed is at most a quarter's working days (complaints
# procedures allow eight weeks at most before the ombudsman); a longer one measures nothing.
MAX_TIME_ALLOWED = {"working_days": 60, "working_hours": 480}
MAX_TARGET_VALUE = 100_000


def terms(s: ServiceStandard) -> dict:
    """What a customer agrees to: the standard's title and everything that decides how it is
    measured (a proposal carries these; an agreement holds only while they are unchanged)."""
    return {
        "title": s.title,
        "measure": s.measure,
        "threshold": s.threshold,
        "threshold_unit": s.threshold_unit,
        "target_percent": s.target_percent,
        "period": s.period,
        "method": s.method or "",
    }


def snapshot(s: ServiceStandard) -> dict:
    """The standard's defining fields, for the action log's before/after."""
    return {
        **terms(s),
        "agreed_with": s.agreed_with,
        "status": s.status,
        "agreed_on": s.agreed_on,
    }


def _clean(data: dict) -> dict:
    measure = validation.choice(data.get("measure"), Measure, "What is measured", field="measure")
    period = validation.choice(
        data.get("period") or "month", Period, "Monitoring period", field="period"
    )
    clean = {
        "title": validation.text(data.get("title"), "Title", 200, required=True, field="title"),
        "description": validation.text(
            data.get("description"), "Description", 2000, field="description"
        ),
        "measure": measure.value,
        "period": period.value,
        "threshold_unit": validation.text(
            data.get("threshold_unit"), "Unit", 20, field="threshold_unit"
        ),
        "method": validation.text(data.get("method"), "How it is measured", 1000, field="method"),
        "agreed_with": validation.text(
            data.get("agreed_with"), "Agreed with", 200, field="agreed_with"
        ),
    }
    clean["threshold"] = _threshold(data.get("threshold"), measure, clean["threshold_unit"])
    target = data.get("target_percent")
    clean["target_percent"] = (
        None
        if target in (None, "")
        else validation.number(target, "Share of cases", 0, 100, field="target_percent")
    )
    return clean


def _threshold(value, measure: Measure, unit: str) -> float | None:
    """The target value or time allowed, within what makes sense for what is measured: time
    allowed up to MAX_TIME_ALLOWED (a quarter's working days), an average score out of 5, or
    a count or figure up to MAX_TARGET_VALUE."""
    if value in (None, ""):
        return None
    if measure in TIME_MEASURES and unit in MAX_TIME_ALLOWED:
        high, label = MAX_TIME_ALLOWED[unit], f"The time allowed ({unit.replace('_', ' ')})"
        number = validation.number(value, label, 0, high, field="threshold")
    elif measure == Measure.SATISFACTION:
        number = validation.number(value, "The average score to reach", 0, 5, field="threshold")
    else:
        number = validation.number(value, "Target value", 0, MAX_TARGET_VALUE, field="threshold")
    return number


def create_standard(ctx: SandboxContext, data: dict) -> ServiceStandard:
    """Write down a service standard (as a draft until it is agreed)."""
    ctx.require_writable()
    standard = ServiceStandard(
        sandbox_id=ctx.sandbox_id,
        created_sbx=ctx.now(),
        status=StandardStatus.DRAFT.value,
        **_clean(data),
    )
    db.session.add(standard)
    db.session.flush()
    action_log.record(
        ctx,
        "standard.created",
        "standard",
        standard.id,
        after={
            **snapshot(standard),
            "measurable": is_measurable(standard),
            "problems": measurability_problems(standard),
        },
    )
    return standard


def update_standard(ctx: SandboxContext, standard: ServiceStandard, data: dict) -> ServiceStandard:
    """Change a standard's wording or target (an agreed standard goes back to draft)."""
    ctx.require_writable()
    before = snapshot(standard)
    for name, value in _clean(data).items():
        setattr(standard, name, value)
    if standard.status == StandardStatus.AGREED.value and snapshot(standard) != before:
        standard.status = StandardStatus.DRAFT.value
        standard.agreed_on = None
        standard.agreed_reply_id = None
    db.session.flush()
    after = snapshot(standard)
    action_log.record(
        ctx,
        "standard.updated",
        "standard",
        standard.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={
            **{k: v for k, v in after.items() if before[k] != v},
            "measurable": is_measurable(standard),
        },
    )
    return standard


def _agreeing_reply(ctx: SandboxContext, standard: ServiceStandard, reply) -> Interaction:
    """The customer's reply that agrees this standard as it stands now, or a refusal."""
    if not isinstance(reply, Interaction):
        reply = ctx.get(Interaction, int(reply))
    if (
        reply.direction != Direction.INBOUND.value
        or reply.standard_id != standard.id
        or reply.answer_kind not in (AnswerKind.AGREES_STANDARD, AnswerKind.QUERIES_STANDARD)
    ):
        raise ServiceError(
            "An agreement points at the customer's reply to your proposal of this standard; "
            "that message is not one.",
            "reply_id",
        )
    if reply.answer_kind != AnswerKind.AGREES_STANDARD.value:
        raise ServiceError(
            "In that reply the customer did not agree the standard: read what they said, "
            "change the standard and propose it again.",
            "reply_id",
        )
    if (reply.details or {}).get("terms") != terms(standard):
        raise ServiceError(
            "The customer agreed the standard as it was when you proposed it; it has changed "
            "since. Propose it again as it stands.",
            "reply_id",
        )
    return reply


def agree_standard(
    ctx: SandboxContext,
    standard: ServiceStandard,
    agreed_with: str = "",
    contact_id: int | None = None,
    reply=None,
) -> ServiceStandard:
    """Record who agreed the standard (only once it is measurable). With `reply` (an
    Interaction or its id): the customer's reply agreeing it as it stands, which names who
    agreed (their name, unless `agreed_with` says the group they speak for). Without: the
    learner's word (a customer group met in person), kept and marked as unconfirmed."""
    ctx.require_writable()
    problems = measurability_problems(standard)
    if problems:
        raise ServiceError(
            "A standard must be measurable before it is agreed: " + "; ".join(problems) + "."
        )
    answer = _agreeing_reply(ctx, standard, reply) if reply not in (None, "") else None
    if answer is not None:
        if contact_id and int(contact_id) != answer.contact_id:
            raise ServiceError(
                "The reply you chose is from another customer than the one you named.",
                "contact_id",
            )
        contact_id = answer.contact_id
        agreed_with = agreed_with or answer.contact.display_name
    agreed_with = validation.text(
        agreed_with, "Agreed with", 200, required=True, field="agreed_with"
    )
    if contact_id:
        ctx.get(Contact, contact_id)
    before = snapshot(standard)
    standard.agreed_with = agreed_with
    standard.agreed_with_contact_id = int(contact_id) if contact_id else None
    standard.agreed_on = ctx.now().date()
    standard.agreed_reply_id = answer.id if answer is not None else None
    standard.status = StandardStatus.AGREED.value
    db.session.flush()
    action_log.record(
        ctx,
        "standard.agreed",
        "standard",
        standard.id,
        before={"status": before["status"]},
        after={
            "status": standard.status,
            "agreed_with": agreed_with,
            "agreed_with_contact_id": standard.agreed_with_contact_id,
            "agreed_reply_id": standard.agreed_reply_id,
            "terms": terms(standard),
        },
    )
    return standard
