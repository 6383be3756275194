"""Finding contacts: the keyset-paged, filtered and searchable contact list (its prebuilt
statements read through `scoping.read_in_sandbox`) and the counts by type."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, or_, select

from ...models import Category, Contact, Lifecycle, Segment, db
from ...scoping import MAX_ID, read_in_sandbox
from ..context import SandboxContext

PAGE_SIZE = 50
SEARCH_MAX = 100


@dataclass
class ContactFilters:
    """The contact list's filters; blank or False means not filtered."""

    search: str = ""
    category: str = ""
    segment: str = ""
    lifecycle_stage: str = ""
    include_merged: bool = False


def _search_condition(like):
    """A contact matches a search when its name, email, organisation or phone contains it
    (`like` is an escaped LIKE pattern, or a bound parameter holding one)."""
    return or_(
        Contact.sort_name.like(like, escape="\\"),
        func.lower(Contact.first_name + " " + Contact.last_name).like(like, escape="\\"),
        func.lower(Contact.email).like(like, escape="\\"),
        func.lower(Contact.organisation_name).like(like, escape="\\"),
        Contact.phone.like(like, escape="\\"),
    )


def _like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, its wildcards taken literally (escape '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_COUNTS_BY_CATEGORY = (
    select(Contact.category, func.count(Contact.id))
    .where(Contact.sandbox_id == bindparam("sandbox_id"), Contact.merged_into_id.is_(None))
    .group_by(Contact.category)
)


def counts_by_category(ctx: SandboxContext) -> dict[str, int]:
    """How many current (not merged) contacts of each type, in one query."""
    found = dict(db.session.execute(_COUNTS_BY_CATEGORY, {"sandbox_id": ctx.sandbox_id}).all())
    return {c.value: found.get(c.value, 0) for c in Category}


class ContactRow(NamedTuple):
    """A contact as the list shows it: the listed columns only, read without building ORM
    objects (a page of 50 full contacts costs several times more)."""

    id: int
    first_name: str
    last_name: str
    organisation_name: str
    account_type: str
    job_title: str
    department: str
    category: str
    segment: str | None
    lifecycle_stage: str | None
    email: str
    phone: str
    sort_name: str

    display_name = property(Contact.display_name.fget)

    def cells(self) -> tuple:
        """The list's cells in column order: (name, job title with department, type, segment,
        stage, email, phone). A template unpacks them into names in its loop, which costs
        less than looking up and joining the fields cell by cell."""
        job = self.job_title
        if job and self.department:
            job = f"{job}, {self.department}"
        return (
            self.display_name,
            job,
            _CATEGORY_LABELS[self.category],
            _SEGMENT_TEXTS.get(self.segment, ""),
            _STAGE_TEXTS.get(self.lifecycle_stage, ""),
            self.email,
            self.phone,
        )


_CATEGORY_LABELS = {c.value: c.label for c in Category}
_SEGMENT_TEXTS = {s.value: s.value.replace("_", " ").capitalize() for s in Segment}
_STAGE_TEXTS = {s.value: s.value.capitalize() for s in Lifecycle}


_ROW_COLUMNS = [getattr(Contact, name) for name in ContactRow._fields]


@functools.lru_cache(maxsize=64)
def _list_statements(
    merged: bool, category: bool, segment: bool, stage: bool, search: bool, after: bool
):
    """The list query and its count for one shape of filters, built once with bound
    parameters (building a select with its filters costs about a quarter of running it)."""
    conditions = [Contact.sandbox_id == bindparam("sandbox_id")]
    if not merged:
        conditions.append(Contact.merged_into_id.is_(None))
    if category:
        conditions.append(Contact.category == bindparam("category"))
    if segment:
        conditions.append(Contact.segment == bindparam("segment"))
    if stage:
        conditions.append(Contact.lifecycle_stage == bindparam("stage"))
    if search:
        conditions.append(_search_condition(bindparam("like")))
    count = select(func.count(Contact.id)).where(*conditions)
    row_conditions = list(conditions)
    if after:
        row_conditions.append(
            or_(
                Contact.sort_name > bindparam("after_name"),
                and_(
                    Contact.sort_name == bindparam("after_name"),
                    Contact.id > bindparam("after_id"),
                ),
            )
        )
    rows = (
        select(*_ROW_COLUMNS, count.scalar_subquery())
        .where(*row_conditions)
        .order_by(Contact.sort_name, Contact.id)
        .limit(bindparam("limit"))
    )
    return rows, count


def list_contacts(
    ctx: SandboxContext, filters: ContactFilters, after: str = "", limit: int = PAGE_SIZE
) -> tuple[list[ContactRow], str | None, int]:
    """One page of contacts in name order, the cursor of the next page (keyset paging: a late
    page costs the same as the first), and how many contacts match the filters in all.

    One query on the connection (no ORM objects): the page stops at its last row along the
    (sandbox, name) index, and the count is a scalar subquery the database runs once, on the
    index alone. A window count instead would read and sort every matching row (measured on
    SQLite: 149 us against 84 for the page and 9 for the count)."""
    params = {
        "sandbox_id": ctx.sandbox_id,
        "category": filters.category,
        "segment": filters.segment,
        "stage": filters.lifecycle_stage,
        "limit": limit + 1,
    }
    term = (filters.search or "").strip().lower()[:SEARCH_MAX]
    if term:
        params["like"] = _like_pattern(term)
    if after:
        name, _, last_id = after.rpartition("|")
        try:
            last_id = int(last_id)
        except ValueError:
            name, last_id = "", 0
        if not 0 <= last_id <= MAX_ID:  # a forged cursor: start from the first page
            name, last_id = "", 0
        params["after_name"], params["after_id"] = name, last_id
    rows_query, count_query = _list_statements(
        filters.include_merged,
        bool(filters.category),
        bool(filters.segment),
        bool(filters.lifecycle_stage),
        bool(term),
        bool(after),
    )
    found = read_in_sandbox(ctx.sandbox_id, rows_query, params).all()
    if found:
        rows = [ContactRow._make(row[:-1]) for row in found]
        total = found[0][-1]
    else:  # no row to carry the count (a page past the end, or nothing matches)
        rows = []
        total = read_in_sandbox(ctx.sandbox_id, count_query, params).scalar()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = f"{rows[-1].sort_name}|{rows[-1].id}"
    return rows, next_cursor, total
