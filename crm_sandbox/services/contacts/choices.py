"""The people a learner can pick in a form of another area: who gave a feedback response,
who a service standard was agreed with."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from ...models import Category, Contact, db
from ..context import SandboxContext

# Customers only, internal and external: a non-customer or an unclassified record has no
# part in the service's feedback or its standards.
_PEOPLE = (Category.INTERNAL.value, Category.EXTERNAL.value)


class PersonChoice(NamedTuple):
    id: int
    name: str
    internal: bool


def people_to_choose(ctx: SandboxContext, *, internal_first: bool = False) -> list[PersonChoice]:
    """The sandbox's internal and external contacts (merged-away records left out) by name,
    named as a person ("First Last") or else by their organisation; `internal_first` lists
    the internal ones (colleagues) before the external."""
    order = (Contact.category.desc(), Contact.sort_name) if internal_first else (Contact.sort_name,)
    rows = db.session.execute(
        select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Contact.organisation_name,
            Contact.category,
        )
        .where(
            Contact.sandbox_id == ctx.sandbox_id,
            Contact.merged_into_id.is_(None),
            Contact.category.in_(_PEOPLE),
        )
        .order_by(*order)
    ).all()
    return [
        PersonChoice(cid, f"{first} {last}".strip() or org, category == Category.INTERNAL.value)
        for cid, first, last, org, category in rows
    ]
