"""Provisioning a class: practice sandboxes for many learners at once, their ids reserved
together and copied in batches.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, Table, bindparam, func, select

from ...models import Sandbox, SandboxKind, User, db
from ...models.base import utcnow
from .copying import _copy_plan, _insert_copies, _record_provisioned
from .integrity import checked_copy
from .tables import _next_free_ids, _sync_sequences, copied_tables
from .templates import DEFAULT_PROFILE, DEFAULT_SEED, DEFAULT_SIZE, get_or_create_template

GROUP_BATCH = 30  # sandboxes copied together by provision_group (a class)


def provision_group(
    owners: list[User],
    *,
    profile: str = DEFAULT_PROFILE,
    seed: int = DEFAULT_SEED,
    size: str = DEFAULT_SIZE,
    actor: User | None = None,
) -> list[Sandbox]:
    """Practice sandboxes for several learners at once (in the caller's transaction): the
    same rows and log entries as `provision` for each in turn, but the template is looked up
    and measured once, the ids of every copy reserved in one query, the sandboxes inserted
    together, every copy's INSERT ... SELECT of a table sent at once (the same cached
    statements as `provision`), their references checked together and PostgreSQL's id
    sequences moved once."""
    if not owners:
        return []
    template = get_or_create_template(profile, seed, size)
    now = utcnow()
    sandboxes = [
        Sandbox(
            kind=SandboxKind.PRACTICE.value,
            owner_id=owner.id,
            template_id=template.id,
            title="Practice CRM",
            profile=profile,
            seed=seed,
            size=size,
            clock_start=template.clock_start,
            clock_anchor=now,
        )
        for owner in owners
    ]
    for sandbox, offsets in zip(
        sandboxes, _plan_group_offsets(template, len(sandboxes)), strict=True
    ):
        sandbox.id_offsets = offsets
    db.session.add_all(sandboxes)
    db.session.flush()
    with checked_copy([sandbox.id for sandbox in sandboxes]):
        _insert_copies(template, [(sandbox, sandbox.id_offsets) for sandbox in sandboxes])
    tables, _, _ = _copy_plan()
    used = [t for t in tables if t.name in sandboxes[0].id_offsets]
    _sync_sequences(used)
    for sandbox in sandboxes:
        _record_provisioned(sandbox, actor)
    return sandboxes


def _plan_group_offsets(template: Sandbox, count: int) -> list[dict[str, int]]:
    """The id offsets of `count` copies of the template, one after another past every
    existing row of each table."""
    tables = copied_tables()
    bounds = db.session.execute(_bounds_query(tuple(tables)), {"template": template.id}).one()
    present = {
        t.name: (bounds[2 * i], bounds[2 * i + 1])
        for i, t in enumerate(tables)
        if bounds[2 * i] is not None
    }
    free = _next_free_ids([t for t in tables if t.name in present])
    spans = present.items()
    return [
        {name: free[name] + k * (last - first + 1) - first for name, (first, last) in spans}
        for k in range(count)
    ]


@lru_cache(maxsize=8)
def _bounds_query(tables: tuple[Table, ...]):
    template = bindparam("template", type_=Integer)
    columns = []
    for t in tables:
        columns.append(select(func.min(t.c.id)).where(t.c.sandbox_id == template).scalar_subquery())
        # "+ 0": not the primary key's order, which would walk every later copy's rows
        columns.append(
            select(func.max(t.c.id + 0)).where(t.c.sandbox_id == template).scalar_subquery()
        )
    return select(*columns)


def provision_missing(
    learners: list[User],
    *,
    profile: str = DEFAULT_PROFILE,
    seed: int = DEFAULT_SEED,
    size: str = DEFAULT_SIZE,
    progress=None,
) -> int:
    """Practice sandboxes for those of `learners` who have none (what `crm-sandbox sandbox
    provision --group` does), `GROUP_BATCH` at a time; `progress(n)` after each batch. The
    number made."""
    ids = [learner.id for learner in learners]
    having = set(
        db.session.scalars(
            select(Sandbox.owner_id).where(
                Sandbox.owner_id.in_(ids), Sandbox.kind == SandboxKind.PRACTICE.value
            )
        )
    )
    missing = [learner for learner in learners if learner.id not in having]
    for start in range(0, len(missing), GROUP_BATCH):
        batch = missing[start : start + GROUP_BATCH]
        provision_group(batch, profile=profile, seed=seed, size=size)
        if progress is not None:
            progress(len(batch))
    return len(missing)
