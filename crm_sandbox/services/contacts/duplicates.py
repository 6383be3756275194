"""Merge candidates: other current records that look like the same customer.

Two records are candidates when they share what identifies one customer: an email address, a
phone number, the same person's full name (at the same organisation, or with none given), the
same surname at the same postcode (a nickname or a typo in the first name), or the same
organisation for the same person (or with no person named). A surname alone is not enough:
"Rachel Ellis" at a school and "Mathew Ellis" at a cleaning firm are two customers."""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from ...models import Contact, db
from ..context import SandboxContext


def _postcode(column):
    return func.replace(func.lower(func.coalesce(column, "")), " ", "")


def _lowered(column):
    return func.lower(func.trim(func.coalesce(column, "")))


def duplicates_query(sandbox_id, contact_id, *columns, limit: int = 5) -> Select:
    """The merge candidates of the contact with this id (of `Contact`, or of `columns`), by
    its details read in the same statement (so a page can read them with the contact); the
    ids plain values or `bindparam`s."""
    this = aliased(Contact)
    first, last = _lowered(this.first_name), _lowered(this.last_name)
    organisation = _lowered(this.organisation_name)
    postcode, email, phone = _postcode(this.postcode), _lowered(this.email), this.phone
    person = and_(first != "", last != "")
    surname = func.lower(Contact.last_name) == last
    same_org = func.lower(Contact.organisation_name) == organisation
    return (
        select(*(columns or (Contact,)))
        .join(this, and_(this.id == contact_id, this.sandbox_id == sandbox_id))
        .where(
            Contact.sandbox_id == sandbox_id,
            Contact.id != contact_id,
            Contact.merged_into_id.is_(None),
            or_(
                # the same person; a contact with no organisation can be anyone's, one with an
                # organisation pairs with a record at the same organisation or at none
                and_(
                    person,
                    surname,
                    func.lower(Contact.first_name) == first,
                    or_(organisation == "", same_org, Contact.organisation_name == ""),
                ),
                and_(person, postcode != "", surname, _postcode(Contact.postcode) == postcode),
                and_(email != "", func.lower(Contact.email) == email),
                and_(func.coalesce(phone, "") != "", Contact.phone == phone),
                # the same person at the organisation, or a record of it with no person named
                and_(
                    organisation != "",
                    same_org,
                    or_(~person, surname, Contact.last_name == ""),
                ),
            ),
        )
        .order_by(Contact.sort_name)
        .limit(limit)
    )


def possible_duplicates(ctx: SandboxContext, contact: Contact, limit: int = 5) -> list[Contact]:
    """Other current records that share this customer's email, phone, full name, surname and
    postcode, or organisation (for the same person): merge candidates."""
    return list(db.session.scalars(duplicates_query(ctx.sandbox_id, contact.id, limit=limit)))
