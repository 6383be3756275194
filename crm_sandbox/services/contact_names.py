"""A customer's name on a page that reads plain rows: the columns `Contact.display_name` is
made of, selected beside a read's own (`name_columns`), and the name made from them as the
model makes it (`name_of`). A module of its own (models only): the complaint and contact
services both use it."""

from __future__ import annotations

from typing import NamedTuple

from ..models import Contact

# What a contact's display name is made of: a read that joins a contact selects these
# (`name_columns`), and `name_of` makes the name from them as `Contact.display_name` does.
_NAME_PARTS = ("first_name", "last_name", "organisation_name", "account_type")


class _NameParts(NamedTuple):
    id: int
    first_name: str
    last_name: str
    organisation_name: str
    account_type: str

    display_name = property(Contact.display_name.fget)


def name_columns(prefix: str = "contact_", contact=Contact) -> list:
    """The columns of a contact's display name, labelled `prefix` + their name (with
    `prefix` + "id" the read should select the contact's id)."""
    return [getattr(contact, part).label(prefix + part) for part in _NAME_PARTS]


def name_of(row, prefix: str = "contact_") -> str:
    """The display name of the contact whose `name_columns` (and id) `row` selected."""
    return _NameParts(*(getattr(row, prefix + part) for part in ("id", *_NAME_PARTS))).display_name
