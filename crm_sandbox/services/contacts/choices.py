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


def people_select(sandbox_id):
    """The columns `people_choices` reads, of the contacts `people_to_choose` offers in a
    sandbox (its id, or a `bindparam` for it; unordered: order by `people_order`)."""
    return select(
        Contact.id,
        Contact.first_name,
        Contact.last_name,
        Contact.organisation_name,
        Contact.category,
    ).where(
        Contact.sandbox_id == sandbox_id,
        Contact.merged_into_id.is_(None),
        Contact.category.in_(_PEOPLE),
    )


def people_order(*, internal_first: bool = False) -> tuple:
    """By name, or with `internal_first` the internal contacts (colleagues) first; by id
    where names sort alike (two people of one organisation), so the order is always the same."""
    by_name = (Contact.sort_name, Contact.id)
    return (Contact.category.desc(), *by_name) if internal_first else by_name


def people_choices(rows) -> list[PersonChoice]:
    """`people_select`'s rows as choices."""
    return [
        PersonChoice(
            r.id,
            f"{r.first_name} {r.last_name}".strip() or r.organisation_name,
            r.category == Category.INTERNAL.value,
        )
        for r in rows
    ]


def people_to_choose(ctx: SandboxContext, *, internal_first: bool = False) -> list[PersonChoice]:
    """The sandbox's internal and external contacts (merged-away records left out) by name,
    named as a person ("First Last") or else by their organisation; `internal_first` lists
    the internal ones (colleagues) before the external."""
    order = people_order(internal_first=internal_first)
    return people_choices(db.session.execute(people_select(ctx.sandbox_id).order_by(*order)).all())
