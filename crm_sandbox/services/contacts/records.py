"""A contact's record: its editable fields, creating, editing and classifying it, checking
its accuracy, and merging a duplicate into it. Every change is written to the action log in
the same transaction."""

from __future__ import annotations

from sqlalchemy import update

from ...models import (
    AccountType,
    Category,
    Contact,
    Interaction,
    Lifecycle,
    Need,
    Preference,
    Segment,
    db,
)
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError

# Editable fields: (label, max length). Everything else changes through its own action.
TEXT_FIELDS = {
    "first_name": ("First name", 80),
    "last_name": ("Last name", 80),
    "organisation_name": ("Organisation", 160),
    "job_title": ("Job title", 120),
    "department": ("Department", 120),
    "address": ("Address", 300),
    "postcode": ("Postcode", 10),
    "notes": ("Notes", 4000),
}
CONTACT_FIELDS = (
    *TEXT_FIELDS,
    "email",
    "phone",
    "category",
    "account_type",
    "segment",
    "lifecycle_stage",
)


def snapshot(contact: Contact) -> dict:
    """The contact's recorded fields, for the action log's before/after."""
    return {
        f: getattr(contact, f)
        for f in (
            *CONTACT_FIELDS,
            "consent_email",
            "consent_phone",
            "consent_post",
            "consent_sms",
            "merged_into_id",
            "accuracy_checked_at",
        )
    }


def sort_name_for(contact: Contact) -> str:
    """The key the contact list sorts by: an organisation's name for business-like accounts,
    otherwise "surname first-name", lower case."""
    person = f"{contact.last_name} {contact.first_name}".strip()
    if contact.account_type in ("business", "supplier", "department") and contact.organisation_name:
        return contact.organisation_name.lower()[:240]
    return (person or contact.organisation_name).lower()[:240]


def _clean(data: dict) -> dict:
    """Validate the editable fields present in `data`; unknown keys are ignored."""
    clean = {}
    for name, (label, length) in TEXT_FIELDS.items():
        if name in data:
            clean[name] = validation.text(data[name], label, length, field=name)
    if "email" in data:
        clean["email"] = validation.email(data["email"])
    if "phone" in data:
        clean["phone"] = validation.uk_phone(data["phone"])
    if "postcode" in clean:
        clean["postcode"] = validation.uk_postcode(clean["postcode"])
    if "category" in data:
        clean["category"] = validation.choice(
            data["category"], Category, "Type", field="category"
        ).value
    if "account_type" in data:
        clean["account_type"] = validation.choice(
            data["account_type"], AccountType, "Account type", field="account_type"
        ).value
    if "segment" in data:
        seg = validation.choice(data["segment"], Segment, "Segment", optional=True, field="segment")
        clean["segment"] = seg.value if seg else None
    if "lifecycle_stage" in data:
        stage = validation.choice(
            data["lifecycle_stage"],
            Lifecycle,
            "Lifecycle stage",
            optional=True,
            field="lifecycle_stage",
        )
        clean["lifecycle_stage"] = stage.value if stage else None
    return clean


def _check_whole(contact: Contact) -> None:
    if not (contact.first_name or contact.last_name or contact.organisation_name):
        raise ServiceError("Enter a name or an organisation.", "last_name")
    if contact.category != Category.EXTERNAL.value and (contact.segment or contact.lifecycle_stage):
        # Segments and lifecycle stages describe external customers only.
        contact.segment = None
        contact.lifecycle_stage = None


def create_contact(ctx: SandboxContext, data: dict) -> Contact:
    """Add a contact; a new external customer starts in the acquisition stage if none is given."""
    ctx.require_writable()
    clean = _clean(data)
    clean.setdefault("category", Category.UNCLASSIFIED.value)
    clean.setdefault("account_type", AccountType.INDIVIDUAL.value)
    contact = Contact(sandbox_id=ctx.sandbox_id, created_sbx=ctx.now(), **clean)
    if contact.category == Category.EXTERNAL.value and not contact.lifecycle_stage:
        contact.lifecycle_stage = Lifecycle.ACQUISITION.value
    _check_whole(contact)
    contact.sort_name = sort_name_for(contact)
    db.session.add(contact)
    db.session.flush()
    action_log.record(ctx, "contact.created", "contact", contact.id, after=snapshot(contact))
    return contact


def update_contact(ctx: SandboxContext, contact: Contact, data: dict) -> Contact:
    """Edit a contact's details; the log records exactly which fields changed."""
    ctx.require_writable()
    _require_current(contact)
    before = snapshot(contact)
    clean = _clean(data)
    for name, value in clean.items():
        setattr(contact, name, value)
    _check_whole(contact)
    contact.sort_name = sort_name_for(contact)
    after = snapshot(contact)
    changed = [k for k in after if after[k] != before[k]]
    if not changed:
        return contact
    verb = "contact.classified" if "category" in changed else "contact.updated"
    db.session.flush()
    action_log.record(
        ctx,
        verb,
        "contact",
        contact.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return contact


def classify_contact(ctx: SandboxContext, contact: Contact, category: str) -> Contact:
    """Say whether a contact is an internal customer, an external customer or not a customer."""
    return update_contact(ctx, contact, {"category": category})


def _require_current(contact: Contact) -> None:
    if contact.merged_into_id is not None:
        raise ServiceError(
            "This record was merged into another one; make changes on that record instead."
        )


def mark_accuracy_checked(ctx: SandboxContext, contact: Contact) -> Contact:
    """Record that the details were checked with the customer and are accurate."""
    ctx.require_writable()
    _require_current(contact)
    before = contact.accuracy_checked_at
    contact.accuracy_checked_at = ctx.now()
    db.session.flush()
    action_log.record(
        ctx,
        "contact.accuracy_checked",
        "contact",
        contact.id,
        before={"accuracy_checked_at": before},
        after={"accuracy_checked_at": contact.accuracy_checked_at},
    )
    return contact


def merge_contacts(ctx: SandboxContext, keep: Contact, duplicate: Contact) -> Contact:
    """Merge a duplicate record into the one kept: its history, needs and preferences move
    across, blank details are filled from it, and the duplicate is marked as merged (kept,
    never deleted, so the record of what happened stays)."""
    ctx.require_writable()
    if keep.id == duplicate.id:
        raise ServiceError("Choose a different record to merge: a record cannot merge into itself.")
    _require_current(keep)
    _require_current(duplicate)
    before = snapshot(keep)
    for name in (
        "first_name",
        "last_name",
        "organisation_name",
        "job_title",
        "department",
        "email",
        "phone",
        "address",
        "postcode",
        "segment",
        "lifecycle_stage",
    ):
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
    for channel in ("email", "phone", "post", "sms"):
        # Consent is never widened by a merge: keep only what both records agreed to.
        field = f"consent_{channel}"
        setattr(keep, field, getattr(keep, field) and getattr(duplicate, field))
    moved = {}
    for model in (Interaction, Need, Preference):
        result = db.session.execute(
            update(model)
            .where(model.sandbox_id == ctx.sandbox_id, model.contact_id == duplicate.id)
            .values(contact_id=keep.id)
            .execution_options(synchronize_session=False)
        )
        moved[model.__tablename__] = result.rowcount
    duplicate.merged_into_id = keep.id
    keep.sort_name = sort_name_for(keep)
    db.session.flush()
    db.session.expire(keep, ["needs", "preferences"])
    after = snapshot(keep)
    action_log.record(
        ctx,
        "contact.merged",
        "contact",
        keep.id,
        before={"kept": {k: before[k] for k in after if before[k] != after[k]}},
        after={
            "merged_contact_id": duplicate.id,
            "moved": moved,
            "kept": {k: after[k] for k in after if before[k] != after[k]},
        },
    )
    return keep
