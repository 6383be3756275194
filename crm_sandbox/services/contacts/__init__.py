"""Contacts: find, create, edit, classify, record needs and preferences, consent, accuracy,
and merging duplicates. Every change is written to the action log in the same transaction.

Split by concern: `records` (the record: create, edit, classify, accuracy, merge), `needs`
(needs, preferences and consent), `listing` (the paged, searchable list and counts),
`duplicates` (merge candidates) and `choices` (people to pick in other areas' forms).
Callers use the names re-exported here.
"""

from __future__ import annotations

from ..contact_names import name_columns, name_of
from ..errors import ServiceError as ServiceError  # callers catch `contacts.ServiceError`
from .choices import PersonChoice, people_to_choose
from .duplicates import possible_duplicates
from .listing import (
    PAGE_SIZE,
    SEARCH_MAX,
    SORTS,
    ContactFilters,
    ContactPage,
    ContactRow,
    category_counts,
    contact_page,
    contacts_csv,
    counts_by_category,
    counts_by_category_select,
    export_rows,
    list_contacts,
)
from .listing import _list_statements as _list_statements  # the scoping tests build these
from .needs import add_need, add_preference, confirm_need, set_consent
from .records import (
    CONTACT_FIELDS,
    TEXT_FIELDS,
    classify_contact,
    create_contact,
    mark_accuracy_checked,
    merge_contacts,
    snapshot,
    sort_name_for,
    update_contact,
)

__all__ = [
    "CONTACT_FIELDS",
    "PAGE_SIZE",
    "SEARCH_MAX",
    "SORTS",
    "TEXT_FIELDS",
    "ContactFilters",
    "ContactPage",
    "ContactRow",
    "PersonChoice",
    "add_need",
    "add_preference",
    "category_counts",
    "classify_contact",
    "confirm_need",
    "contact_page",
    "contacts_csv",
    "counts_by_category",
    "counts_by_category_select",
    "create_contact",
    "export_rows",
    "list_contacts",
    "mark_accuracy_checked",
    "merge_contacts",
    "name_columns",
    "name_of",
    "people_to_choose",
    "possible_duplicates",
    "set_consent",
    "snapshot",
    "sort_name_for",
    "update_contact",
]
