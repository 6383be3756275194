"""A standard's page in one statement: the standard, the cases of its compliance, the
messages about it, its findings and the people it can be proposed to, read together."""

from __future__ import annotations

from datetime import date

from sqlalchemy import DateTime, Integer, bindparam, select

from ...models import Contact, Interaction
from ...models.standards import Measure, ServiceStandard, StandardFinding
from ...scoping import MAX_ID
from ..contacts.choices import people_choices, people_order, people_select
from ..context import SandboxContext
from ..errors import ServiceError
from ..together import Record, prepared, rows
from .measurability import measurability_problems
from .monitoring import (
    STANDARD_COLUMNS,
    Compliance,
    case_reads,
    compliance_from,
    monitoring_window,
    window_params,
    window_values,
)


def conversation_select(sandbox_id, standard_id, *columns):
    """The messages about a standard (proposals and the customers' replies) in a sandbox
    (ids, or `bindparam`s for them): the whole `Interaction`, or the `columns` given; oldest
    first is `CONVERSATION_ORDER`."""
    return select(*(columns or (Interaction,))).where(
        Interaction.sandbox_id == sandbox_id, Interaction.standard_id == standard_id
    )


CONVERSATION_ORDER = (Interaction.occurred_at, Interaction.id)

# What `Contact.display_name` reads, selected beside a message.
_NAME_COLUMNS = ("id", "first_name", "last_name", "organisation_name", "account_type")


@prepared
def _standard_page_reads() -> dict:
    """`standard_page`'s reads, for any standard and window (its parameters: `sandbox_id`,
    `standard_id`, `now` and `window_values`)."""
    sandbox_id = bindparam("sandbox_id", type_=Integer)
    standard_id = bindparam("standard_id", type_=Integer)

    def of_this(measures):
        return (
            select(ServiceStandard.id)
            .where(
                ServiceStandard.sandbox_id == sandbox_id,
                ServiceStandard.id == standard_id,
                ServiceStandard.measure.in_([m.value for m in measures]),
            )
            .exists()
        )

    names = [getattr(Contact, name).label(f"contact_{name}") for name in _NAME_COLUMNS]
    return {
        "standard": rows(
            select(
                *STANDARD_COLUMNS, ServiceStandard.agreed_on, ServiceStandard.agreed_reply_id
            ).where(ServiceStandard.sandbox_id == sandbox_id, ServiceStandard.id == standard_id)
        ),
        "messages": rows(
            conversation_select(
                sandbox_id,
                standard_id,
                Interaction.id,
                Interaction.occurred_at,
                Interaction.direction,
                Interaction.answer_kind,
                Interaction.channel,
                Interaction.summary,
                Interaction.details,
                *names,
            ).join(
                Contact,
                (Contact.id == Interaction.contact_id) & (Contact.sandbox_id == sandbox_id),
            ),
            order_by=CONVERSATION_ORDER,
        ),
        "findings": rows(
            select(
                *(
                    c
                    for c in StandardFinding.__table__.c
                    if c.key not in ("sandbox_id", "standard_id")
                )
            ).where(
                StandardFinding.sandbox_id == sandbox_id,
                StandardFinding.standard_id == standard_id,
            ),
            order_by=[StandardFinding.id],
        ),
        "people": rows(people_select(sandbox_id), order_by=people_order(internal_first=True)),
        **case_reads(
            sandbox_id,
            window_params(),
            bindparam("now", type_=DateTime),
            list(Measure),
            only_if=of_this,
        ),
    }


def standard_page(
    ctx: SandboxContext,
    standard_id: int,
    period_from: date | None = None,
    period_to: date | None = None,
) -> dict | None:
    """What a standard's page shows (None: no such standard here), in one statement: the
    `standard`, what makes it not measurable (`problems`), its compliance over the period
    asked for (`result`; None when not measurable), `period_error` (the message when that
    period cannot be shown: the usual period is shown instead), the `messages` about it
    (each with its `contact`'s `display_name`), its `findings` and the `people` it can be
    proposed to (internal first)."""
    if not 0 < standard_id <= MAX_ID:
        return None
    period_error = None
    try:
        window = monitoring_window(ctx, period_from, period_to)
    except ServiceError as exc:
        period_error, window = exc.message, monitoring_window(ctx, None, None)
    parts = _standard_page_reads().run(
        sandbox_id=ctx.sandbox_id,
        standard_id=standard_id,
        now=ctx.now(),
        **window_values(window),
    )
    if not parts["standard"]:
        return None
    standard = parts["standard"][0]
    problems = measurability_problems(standard)
    result: Compliance | None = None if problems else compliance_from(ctx, standard, window, parts)
    return {
        "standard": standard,
        "problems": problems,
        "result": result,
        "period_error": None if problems else period_error,
        "messages": [_with_contact(m) for m in parts["messages"]],
        "findings": parts["findings"],
        "people": people_choices(parts["people"]),
    }


def _with_contact(message: Record) -> Record:
    values = message._asdict()
    contact = Record(**{name: values.pop(f"contact_{name}") for name in _NAME_COLUMNS})
    return Record(**values, contact=Record(display_name=Contact.display_name.fget(contact)))
