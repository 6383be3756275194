"""A scenario's opening data: the named customers, complaints, standards and surveys added on
top of the seeded base when an attempt starts (or starts again)."""

from __future__ import annotations

from ...models import Complaint, Contact, Survey
from ...services import (
    complaints,
    contacts,
    conversations,
    feedback,
    interactions,
    loyalty,
    standards,
)
from ...services.context import SandboxContext
from ...services.errors import ServiceError
from ..schema import ComplaintSpec, Scenario, SurveySpec


def apply_opening(ctx: SandboxContext, scenario: Scenario) -> dict[str, dict[str, int]]:
    """Add the scenario's named customers, complaints, standards and surveys on top of the
    seeded base, through the services (so they are logged), and return their ids by key."""
    keys: dict[str, dict[str, int]] = {
        "contacts": {},
        "complaints": {},
        "standards": {},
        "surveys": {},
    }
    o = scenario.opening
    for spec in o.contacts:
        fields = spec.model_dump(exclude={"key", "expected_category", "consent"})
        contact = contacts.create_contact(ctx, fields)
        if spec.consent:
            contacts.set_consent(ctx, contact, dict(spec.consent))
        keys["contacts"][spec.key] = contact.id

    def contact(key: str) -> Contact:
        if key in keys["contacts"]:
            return ctx.get(Contact, keys["contacts"][key])
        raise ServiceError(f"the scenario names an unknown contact {key!r}")

    for spec in o.interactions:
        if spec.direction == "inbound" and spec.follow_up_on is None:
            # The customer got in touch before the learner arrived: their message, in a
            # conversation of its own that they started (not a note the learner may correct).
            conversations.receive_message(
                ctx,
                contact(spec.contact),
                answer_kind="event",
                channel=spec.channel,
                summary=spec.summary,
                occurred_at=spec.occurred_at or ctx.now(),
            )
            continue
        interactions.log_interaction(
            ctx,
            contact(spec.contact),
            {
                "channel": spec.channel,
                "direction": spec.direction,
                "initiative": spec.initiative,
                "summary": spec.summary,
                "outcome": spec.outcome,
                "occurred_at": spec.occurred_at,
                "follow_up_on": spec.follow_up_on,
            },
        )
    for spec in o.needs:
        need = contacts.add_need(ctx, contact(spec.contact), spec.description)
        if spec.confirmed_as:
            contacts.confirm_need(ctx, need, spec.confirmed_as)
    for spec in o.complaints:
        keys["complaints"][spec.key] = _open_complaint(ctx, spec, contact(spec.contact)).id
    for spec in o.standards:
        made = standards.create_standard(ctx, spec.model_dump(exclude={"key"}))
        keys["standards"][spec.key] = made.id
    for spec in o.surveys:
        keys["surveys"][spec.key] = _open_survey(ctx, spec).id
    _open_orders(ctx, o, contact, keys)
    return keys


def _open_orders(ctx: SandboxContext, o, contact, keys: dict) -> None:
    """The orders, bookings and renewals the named customers placed before the attempt."""
    for spec in o.orders:
        order = loyalty.record_order(
            ctx, contact(spec.contact), spec.model_dump(exclude={"key", "contact"})
        )
        if spec.key:
            keys.setdefault("orders", {})[spec.key] = order.id


def _open_complaint(ctx: SandboxContext, spec: ComplaintSpec, contact: Contact) -> Complaint:
    """One opening complaint, received (and acknowledged if the scenario says so)."""
    made = complaints.receive_complaint(
        ctx,
        contact,
        {
            "channel": spec.channel,
            "category": spec.category,
            "description": spec.description,
            "severity": spec.severity,
            "received_at": spec.received_at,
        },
    )
    if spec.acknowledged:
        complaints.acknowledge(
            ctx,
            made,
            spec.channel,
            "Thank you: we have received your "
            "complaint and will reply within the procedure's time.",
        )
    return made


def _open_survey(ctx: SandboxContext, spec: SurveySpec) -> Survey:
    """One opening survey with its questions (and sent out if the scenario says so)."""
    survey = feedback.create_survey(
        ctx, {"title": spec.title, "method": spec.method, "purpose": spec.purpose}
    )
    for q in spec.questions:
        feedback.add_question(ctx, survey, q.kind, q.text, q.options)
    if spec.send_to:
        feedback.send_survey(
            ctx,
            survey,
            spec.send_to.get("category", "external"),
            spec.send_to.get("segment", ""),
        )
    return survey
