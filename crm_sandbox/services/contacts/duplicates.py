"""Merge candidates: other current records that look like the same customer.

Two records are candidates when they share what identifies one customer: an email address, a
phone number, the same person's full name (at the same organisation, or with none given), the
same surname at the same postcode (a nickname or a typo in the first name), or the same
organisation for the same person (or with no person named). A surname alone is not enough:
"Rachel Ellis" at a school and "Mathew Ellis" at a cleaning firm are two customers."""

from __future__ import annotations

import functools

from sqlalchemy import and_, bindparam, func, or_, select

from ...models import Contact, db
from ..context import SandboxContext


def _postcode(column):
    return func.replace(func.lower(column), " ", "")


def _same_organisation_or_none(org: bool):
    # A contact with no organisation can be anyone's; one with an organisation pairs with a
    # record at the same organisation or at none.
    if not org:
        return True
    return or_(
        func.lower(Contact.organisation_name) == bindparam("organisation"),
        Contact.organisation_name == "",
    )


@functools.lru_cache(maxsize=32)
def _duplicates_statement(person: bool, email: bool, phone: bool, postcode: bool, org: bool):
    """The merge-candidates query for the details a contact has, built once with bound
    parameters (the contact page asks on every visit)."""
    conditions = []
    surname = func.lower(Contact.last_name) == bindparam("last_name")
    if person:
        conditions.append(
            and_(
                surname,
                func.lower(Contact.first_name) == bindparam("first_name"),
                _same_organisation_or_none(org),
            )
        )
    if person and postcode:
        conditions.append(and_(surname, _postcode(Contact.postcode) == bindparam("postcode")))
    if email:
        conditions.append(func.lower(Contact.email) == bindparam("email"))
    if phone:
        conditions.append(Contact.phone == bindparam("phone"))
    if org:
        same_org = func.lower(Contact.organisation_name) == bindparam("organisation")
        # the same person at the organisation, or a record of the organisation with no person
        conditions.append(
            and_(same_org, or_(surname, Contact.last_name == "")) if person else same_org
        )
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
    """Other current records that share this customer's email, phone, full name, surname and
    postcode, or organisation (for the same person): merge candidates."""
    details = {
        "first_name": (contact.first_name or "").strip().lower(),
        "last_name": (contact.last_name or "").strip().lower(),
        "email": (contact.email or "").strip().lower(),
        "phone": contact.phone or "",
        "postcode": (contact.postcode or "").replace(" ", "").lower(),
        "organisation": (contact.organisation_name or "").strip().lower(),
    }
    person = bool(details["first_name"] and details["last_name"])
    flags = (
        person,
        bool(details["email"]),
        bool(details["phone"]),
        bool(details["postcode"]),
        bool(details["organisation"]),
    )
    if not any(flags):
        return []
    params = {**details, "sandbox_id": ctx.sandbox_id, "contact_id": contact.id, "limit": limit}
    return list(db.session.scalars(_duplicates_statement(*flags), params))
