"""Merge candidates: other current records that look like the same customer."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, func, or_, select

from ...models import Contact, db
from ..context import SandboxContext


@functools.lru_cache(maxsize=8)
def _duplicates_statement(last_name: bool, email: bool, phone: bool):
    """The merge-candidates query for the details a contact has, built once with bound
    parameters (the contact page asks on every visit)."""
    conditions = []
    if last_name:
        conditions.append(func.lower(Contact.last_name) == bindparam("last_name"))
    if email:
        conditions.append(func.lower(Contact.email) == bindparam("email"))
    if phone:
        conditions.append(Contact.phone == bindparam("phone"))
    return (
        select(Contact)
        .where(
            Contact.sandbox_id == bindparam("sandbox_id"),
            Contact.id != bindparam("contact_id"),
            Contact.merged_into_id.is_(None),
            or_(*conditions),
        )
        .order_by(Contact.sort_name)
        .limit(bindparam("limit"))
    )


def possible_duplicates(ctx: SandboxContext, contact: Contact, limit: int = 5) -> list[Contact]:
    """Other current records with the same surname, email or phone: merge candidates."""
    if not (contact.last_name or contact.email or contact.phone):
        return []
    query = _duplicates_statement(bool(contact.last_name), bool(contact.email), bool(contact.phone))
    params = {
        "sandbox_id": ctx.sandbox_id,
        "contact_id": contact.id,
        "last_name": (contact.last_name or "").lower(),
        "email": (contact.email or "").lower(),
        "phone": contact.phone or "",
        "limit": limit,
    }
    return list(db.session.scalars(query, params))
