"""Reading complaints: the filtered list (and its overdue filter), counts by stage, owners,
the communications linked to a complaint, and the snapshot the action log records."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from ...models import Contact, Interaction, db
from ...models.complaints import Complaint, Level, Stage
from ..contact_names import name_columns, name_of
from ..context import SandboxContext
from ..together import Record, prepared, rows


def snapshot(c: Complaint) -> dict:
    """The complaint's procedure fields, for the action log's before/after."""
    return {
        "reference": c.reference,
        "stage": c.stage,
        "level": c.level,
        "owner": c.owner,
        "ack_due_at": c.ack_due_at,
        "resolve_due_at": c.resolve_due_at,
        "acknowledged_at": c.acknowledged_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
        "customer_confirmed": c.customer_confirmed,
    }


@dataclass
class ComplaintFilters:
    """The complaint list's filters; blank or False means not filtered."""

    stage: str = ""
    owner: str = ""
    overdue: bool = False
    escalated: bool = False


# The list's order, newest first (`rows` of a page's read takes it too).
LIST_ORDER = (Complaint.received_at.desc(), Complaint.id)


@functools.lru_cache(maxsize=64)
def _complaints_statement(
    stage: bool, owner: bool, escalated: bool, overdue: bool, limit: bool, orm: bool = True
):
    """The complaint list query for one shape of filters, built once with bound parameters
    (building it costs as much as running it): of `Complaint` with its customer loaded when
    `orm`, else a select whose columns a page chooses (`with_only_columns`), joined to the
    customer."""
    if orm:
        query = select(Complaint).options(joinedload(Complaint.contact))
    else:
        query = select(Complaint.id).join(Contact, Contact.id == Complaint.contact_id)
        query = query.where(Contact.sandbox_id == bindparam("sandbox_id"))
    query = query.where(Complaint.sandbox_id == bindparam("sandbox_id"))
    if stage:
        query = query.where(Complaint.stage == bindparam("stage"))
    if owner:
        query = query.where(Complaint.owner == bindparam("owner"))
    if escalated:
        query = query.where(Complaint.level != Level.FRONT_LINE.value)
    if overdue:
        now = bindparam("now")
        query = query.where(
            Complaint.stage != Stage.CLOSED.value,
            Complaint.stage != Stage.WAITING.value,
            ((Complaint.stage == Stage.RECEIVED.value) & (Complaint.ack_due_at < now))
            | ((Complaint.stage != Stage.RESOLVED.value) & (Complaint.resolve_due_at < now)),
        )
    query = query.order_by(*LIST_ORDER)
    if limit:
        query = query.limit(bindparam("limit"))
    return query


def _shape(filters: ComplaintFilters) -> tuple[bool, bool, bool, bool]:
    """Which filters are set: what the list's statement depends on (its values do not)."""
    return bool(filters.stage), bool(filters.owner), bool(filters.escalated), bool(filters.overdue)


def list_params(sandbox_id: int, filters: ComplaintFilters, now, limit: int | None) -> dict:
    """The values of the list statement's bound parameters (`list_read`): `now` is sandbox
    now (read only by the overdue filter)."""
    params = {"sandbox_id": sandbox_id, "stage": filters.stage, "owner": filters.owner}
    if filters.overdue:
        params["now"] = now
    if limit is not None:
        params["limit"] = limit
    return params


def list_complaints(
    ctx: SandboxContext, filters: ComplaintFilters, limit: int | None = None
) -> list[Complaint]:
    """Complaints matching the filters, newest first, each with its customer (loaded in the
    same query: the list shows every complaint's customer)."""
    query = _complaints_statement(*_shape(filters), limit is not None)
    params = list_params(ctx.sandbox_id, filters, ctx.now(), limit)
    return list(db.session.scalars(query, params))


def list_read(filters: ComplaintFilters, *columns, limit: bool = False) -> Select:
    """`list_complaints` as plain `columns` (of the complaint and its customer, `Contact`)
    for a page's prepared reads (in the order `LIST_ORDER`), with bound parameters whose
    values `list_params` gives (`limit`: whether the list is cut at its `limit`)."""
    return _complaints_statement(*_shape(filters), limit, orm=False).with_only_columns(*columns)


def counts_by_stage_select(sandbox_id) -> Select:
    """The select of `counts_by_stage` (its rows: `stage_counts`), the sandbox's id a plain
    value or a `bindparam`."""
    return (
        select(Complaint.stage, func.count().label("n"))
        .where(Complaint.sandbox_id == sandbox_id)
        .group_by(Complaint.stage)
    )


_COUNTS_BY_STAGE = counts_by_stage_select(bindparam("sandbox_id"))


def counts_by_stage(ctx: SandboxContext) -> dict[str, int]:
    """How many complaints are at each stage (every stage listed, zero when none)."""
    return stage_counts(db.session.execute(_COUNTS_BY_STAGE, {"sandbox_id": ctx.sandbox_id}))


def stage_counts(rows) -> dict[str, int]:
    """`counts_by_stage`'s answer from the rows of `counts_by_stage_select`."""
    found = {row.stage: row.n for row in rows}
    return {s.value: found.get(s.value, 0) for s in Stage}


def owners(ctx: SandboxContext) -> list[str]:
    """The distinct owners of this sandbox's complaints, in name order."""
    return list(
        db.session.scalars(
            select(Complaint.owner)
            .where(Complaint.sandbox_id == ctx.sandbox_id)
            .distinct()
            .order_by(Complaint.owner)
        )
    )


def counts_and_owners_select(sandbox_id) -> Select:
    """The select of `counts_and_owners` (its rows: `_counts_and_owners_of`), the sandbox's id
    a plain value or a `bindparam`."""
    return (
        select(Complaint.owner, Complaint.stage, func.count().label("n"))
        .where(Complaint.sandbox_id == sandbox_id)
        .group_by(Complaint.owner, Complaint.stage)
        .order_by(Complaint.owner)
    )


_COUNTS_BY_OWNER_AND_STAGE = counts_and_owners_select(bindparam("sandbox_id"))


def counts_and_owners(ctx: SandboxContext) -> tuple[dict[str, int], list[str]]:
    """`counts_by_stage` and `owners` in one statement (the complaint list shows both)."""
    return _counts_and_owners_of(
        db.session.execute(_COUNTS_BY_OWNER_AND_STAGE, {"sandbox_id": ctx.sandbox_id})
    )


def _counts_and_owners_of(rows) -> tuple[dict[str, int], list[str]]:
    counts = dict.fromkeys((s.value for s in Stage), 0)
    owners_in_order: dict[str, None] = {}  # the database's order of the owners, kept
    for owner, stage, n in rows:
        owners_in_order.setdefault(owner, None)
        if stage in counts:
            counts[stage] += n
    return counts, list(owners_in_order)


@dataclass
class ListPage:
    """What the complaint list shows: the complaints (`Record`s with `contact_name`,
    `stage_label` and `level_label`), the counts by stage and the owners to filter by."""

    rows: list
    counts: dict[str, int]
    owners: list[str]


@functools.lru_cache(maxsize=16)
def _list_page_reads(shape: tuple[bool, bool, bool, bool]):
    """The complaint list's reads for one shape of filters (`_shape`), prepared once."""

    @prepared
    def reads():
        return {
            "complaints": rows(
                _complaints_statement(*shape, limit=False, orm=False).with_only_columns(
                    Complaint.id,
                    Complaint.reference,
                    Complaint.category,
                    Complaint.owner,
                    Complaint.stage,
                    Complaint.level,
                    Complaint.received_at,
                    Complaint.resolve_due_at,
                    Complaint.contact_id,
                    *name_columns(),
                ),
                order_by=LIST_ORDER,
            ),
            "counts": rows(
                counts_and_owners_select(bindparam("sandbox_id")), order_by=(Complaint.owner,)
            ),
        }

    return reads


def list_page(ctx: SandboxContext, filters: ComplaintFilters) -> ListPage:
    """The complaint list's reads in one statement, prepared once per shape of filters."""
    parts = _list_page_reads(_shape(filters))().run_in_sandbox(
        **list_params(ctx.sandbox_id, filters, ctx.now(), None)
    )
    counts, owners_in_order = _counts_and_owners_of(
        (row.owner, row.stage, row.n) for row in parts["counts"]
    )
    return ListPage(
        rows=[
            Record(
                **c._asdict(),
                contact_name=name_of(c),
                stage_label=Stage(c.stage).label,
                level_label=Level(c.level).label,
            )
            for c in parts["complaints"]
        ],
        counts=counts,
        owners=owners_in_order,
    )


def communications(ctx: SandboxContext, complaint: Complaint) -> list[Interaction]:
    """The interactions linked to the complaint, oldest first."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id, Interaction.complaint_id == complaint.id
            )
            .order_by(Interaction.occurred_at, Interaction.id)
        )
    )
