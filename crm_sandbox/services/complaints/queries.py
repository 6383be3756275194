"""Reading complaints: the filtered list (and its overdue filter), counts by stage, owners,
the communications linked to a complaint, and the snapshot the action log records."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ...models import Interaction, db
from ...models.complaints import Complaint, Level, Stage
from ..context import SandboxContext


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


@functools.lru_cache(maxsize=64)
def _complaints_statement(stage: bool, owner: bool, escalated: bool, overdue: bool, limit: bool):
    """The complaint list query for one shape of filters, built once with bound parameters
    (building it costs as much as running it)."""
    query = (
        select(Complaint)
        .options(joinedload(Complaint.contact))
        .where(Complaint.sandbox_id == bindparam("sandbox_id"))
    )
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
    query = query.order_by(Complaint.received_at.desc(), Complaint.id)
    if limit:
        query = query.limit(bindparam("limit"))
    return query


def list_complaints(
    ctx: SandboxContext, filters: ComplaintFilters, limit: int | None = None
) -> list[Complaint]:
    """Complaints matching the filters, newest first, each with its customer (loaded in the
    same query: the list shows every complaint's customer)."""
    query = _complaints_statement(
        bool(filters.stage),
        bool(filters.owner),
        bool(filters.escalated),
        bool(filters.overdue),
        limit is not None,
    )
    params = {"sandbox_id": ctx.sandbox_id, "stage": filters.stage, "owner": filters.owner}
    if filters.overdue:
        params["now"] = ctx.now()
    if limit is not None:
        params["limit"] = limit
    return list(db.session.scalars(query, params))


_COUNTS_BY_STAGE = (
    select(Complaint.stage, func.count())
    .where(Complaint.sandbox_id == bindparam("sandbox_id"))
    .group_by(Complaint.stage)
)


def counts_by_stage(ctx: SandboxContext) -> dict[str, int]:
    """How many complaints are at each stage (every stage listed, zero when none)."""
    rows = db.session.execute(_COUNTS_BY_STAGE, {"sandbox_id": ctx.sandbox_id}).all()
    found = dict(rows)
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


_COUNTS_BY_OWNER_AND_STAGE = (
    select(Complaint.owner, Complaint.stage, func.count())
    .where(Complaint.sandbox_id == bindparam("sandbox_id"))
    .group_by(Complaint.owner, Complaint.stage)
    .order_by(Complaint.owner)
)


def counts_and_owners(ctx: SandboxContext) -> tuple[dict[str, int], list[str]]:
    """`counts_by_stage` and `owners` in one statement (the complaint list shows both)."""
    counts = dict.fromkeys((s.value for s in Stage), 0)
    owners_in_order: dict[str, None] = {}  # the database's order of the owners, kept
    for owner, stage, n in db.session.execute(
        _COUNTS_BY_OWNER_AND_STAGE, {"sandbox_id": ctx.sandbox_id}
    ):
        owners_in_order.setdefault(owner, None)
        if stage in counts:
            counts[stage] += n
    return counts, list(owners_in_order)


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
