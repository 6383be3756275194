"""What the customer needs and prefers: needs (confirmed with the customer, and how),
preferences, and the channels they agreed to be contacted on."""

from __future__ import annotations

from ...models import ConfirmationMethod, Contact, Need, NeedType, Preference, db
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
from .records import _require_current


def _type(value: str | None, field: str) -> str | None:
    """A need's or preference's type (a NeedType), or None when not given (older callers)."""
    if value in (None, ""):
        return None
    return validation.choice(value, NeedType, "What kind of need", field=field).value


def add_need(
    ctx: SandboxContext, contact: Contact, description: str, need_type: str | None = None
) -> Need:
    """Record something the customer needs (a requirement, not a preference), with its type
    (timescale, budget, accessibility, ...)."""
    ctx.require_writable()
    _require_current(contact)
    kind = _type(need_type, "need_type")
    text = validation.text(description, "The need", 500, required=True, field="description")
    need = Need(
        sandbox_id=ctx.sandbox_id,
        contact_id=contact.id,
        description=text,
        need_type=kind,
        created_sbx=ctx.now(),
    )
    db.session.add(need)
    db.session.flush()
    action_log.record(
        ctx,
        "need.recorded",
        "need",
        need.id,
        after={"contact_id": contact.id, "description": text, "type": kind},
    )
    return need


def confirm_need(ctx: SandboxContext, need: Need, method: str) -> Need:
    """For a scenario's opening data only (a confirmation someone made before the learner
    arrived): no page offers it. A learner's need is confirmed by the customer's reply
    (`conversations.confirm_need_by_reply`)."""
    ctx.require_writable()
    how = validation.choice(method, ConfirmationMethod, "How it was confirmed", field="method")
    if need.confirmed:
        raise ServiceError("This need is already confirmed.")
    return mark_confirmed(ctx, need, how.value)


def mark_confirmed(ctx: SandboxContext, need: Need, method: str, reply=None) -> Need:
    """Mark the need confirmed now, how, and (for a learner's need) by which reply of the
    customer's; logged as `need.confirmed`. Callers have checked it may be."""
    need.confirmed = True
    need.confirmation_method = method
    need.confirmed_by_id = reply.id if reply is not None else None
    need.confirmed_sbx = ctx.now()
    db.session.flush()
    after = {"confirmed": True, "method": method, "contact_id": need.contact_id}
    if reply is not None:
        after["reply_id"] = reply.id
    action_log.record(
        ctx, "need.confirmed", "need", need.id, before={"confirmed": False}, after=after
    )
    return need


def add_preference(
    ctx: SandboxContext, contact: Contact, description: str, pref_type: str | None = None
) -> Preference:
    """Record something the customer would like (a preference, not a need), with its type."""
    ctx.require_writable()
    _require_current(contact)
    kind = _type(pref_type, "pref_type")
    text = validation.text(description, "The preference", 500, required=True, field="description")
    pref = Preference(
        sandbox_id=ctx.sandbox_id,
        contact_id=contact.id,
        description=text,
        pref_type=kind,
        created_sbx=ctx.now(),
    )
    db.session.add(pref)
    db.session.flush()
    action_log.record(
        ctx,
        "preference.recorded",
        "preference",
        pref.id,
        after={"contact_id": contact.id, "description": text, "type": kind},
    )
    return pref


def set_consent(ctx: SandboxContext, contact: Contact, consents: dict[str, bool]) -> Contact:
    """Record which channels the customer agreed to be contacted on."""
    ctx.require_writable()
    _require_current(contact)
    before = contact.consents()
    for channel in before:
        if channel in consents:
            setattr(contact, f"consent_{channel}", bool(consents[channel]))
    after = contact.consents()
    if after != before:
        db.session.flush()
        action_log.record(
            ctx, "contact.consent_changed", "contact", contact.id, before=before, after=after
        )
    return contact
