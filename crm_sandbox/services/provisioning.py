"""Sandboxes: generated once per (profile, seed, size) as a template, then copied per learner.

Copying is set-based SQL: one `INSERT ... SELECT` per table, ids shifted by an offset and
foreign keys by their parent table's offset, which is some twenty times faster than building
the rows again with Faker or the ORM. A reset deletes the sandbox's rows and copies them again
with the same offsets, so the sandbox gets back the very same rows.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)

from seed.generate import generate
from seed.profiles import load_all as load_profiles

from ..models import Base, Sandbox, SandboxKind, SandboxScoped, User, db
from ..models.base import utcnow
from . import action_log, clock, staff_audit
from .context import SandboxContext
from .errors import ServiceError

SIZES = ("small", "standard", "large")
DEFAULT_PROFILE = "retail"
DEFAULT_SIZE = "standard"
DEFAULT_SEED = 1
NOT_COPIED = {"action_log"}  # each sandbox's log starts with its own first entry
_PG_LOCK_KEY = 7_263_001  # advisory lock that serialises template creation and copying


def copied_tables() -> list[Table]:
    """Every table of sandbox data (the models marked SandboxScoped), parents first."""
    scoped = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, SandboxScoped)
    }
    return [t for t in Base.metadata.sorted_tables if t.name in scoped - NOT_COPIED]


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _serialise_copies() -> None:
    if _is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        names = ", ".join(t.name for t in copied_tables())
        # Keep other writers out of these tables while ids are being reserved and copied.
        db.session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


def _next_free_id(table: Table) -> int:
    return _next_free_ids([table])[table.name]


def _next_free_ids(tables: list[Table]) -> dict[str, int]:
    """The next unused id of each table, in one query (one round trip per copy, not two per
    table)."""
    if not tables:
        return {}
    postgres = _is_postgres()
    row = db.session.execute(_next_free_query(tuple(tables), postgres)).one()
    return {
        t.name: (value or 0) + (0 if postgres else 1) for t, value in zip(tables, row, strict=True)
    }


@lru_cache(maxsize=8)
def _next_free_query(tables: tuple[Table, ...], postgres: bool):
    if postgres:
        return text(
            "SELECT "
            + ", ".join(f"nextval(pg_get_serial_sequence('{t.name}', 'id'))" for t in tables)
        )
    return select(*(select(func.max(t.c.id)).scalar_subquery().label(t.name) for t in tables))


def _sync_sequences(tables: list[Table]) -> None:
    """Move PostgreSQL's id sequences past the rows copied with explicit ids (one query)."""
    if not _is_postgres() or not tables:
        return
    # One query for all tables, built with SQLAlchemy (no SQL text from strings).
    calls = [
        func.setval(
            func.pg_get_serial_sequence(table.name, "id"),
            func.greatest(select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery(), 1),
        )
        for table in tables
    ]
    db.session.execute(select(*calls))


def _fk_parent(column) -> str | None:
    for fk in column.foreign_keys:
        return fk.column.table.name
    return None


def _validate_key(profile: str, size: str) -> None:
    known = load_profiles()
    if profile not in known:
        raise ServiceError(
            f"Unknown organisation profile {profile!r}; known: {', '.join(sorted(known))}."
        )
    if size not in SIZES:
        raise ServiceError(f"Unknown size {size!r}; use one of: {', '.join(SIZES)}.")


def find_template(profile: str, seed: int, size: str, start: datetime) -> Sandbox | None:
    return db.session.scalar(
        select(Sandbox).where(
            Sandbox.kind == SandboxKind.TEMPLATE.value,
            Sandbox.profile == profile,
            Sandbox.seed == seed,
            Sandbox.size == size,
            Sandbox.clock_start == start,
        )
    )


def get_or_create_template(
    profile: str, seed: int, size: str, start: datetime | None = None
) -> Sandbox:
    """The template for this (profile, seed, size, clock start), generated with Faker the
    first time. The seeded history is generated to end at the clock start."""
    _validate_key(profile, size)
    start = start or clock.DEFAULT_START
    _serialise_copies()
    template = find_template(profile, seed, size, start)
    if template is not None:
        return template
    rows = generate(profile, seed, size, start)
    template = Sandbox(
        kind=SandboxKind.TEMPLATE.value,
        profile=profile,
        seed=seed,
        size=size,
        title=f"Template {profile}/{seed}/{size}",
        clock_start=start,
        clock_anchor=utcnow(),
    )
    db.session.add(template)
    db.session.flush()
    now = utcnow()
    offsets: dict[str, int] = {}
    tables = copied_tables()
    for table in tables:
        table_rows = rows.get(table.name, [])
        if not table_rows:
            continue
        offsets[table.name] = _next_free_id(table) - 1
        shifted = []
        for row in table_rows:
            new = dict(row)
            new["id"] = row["id"] + offsets[table.name]
            new["sandbox_id"] = template.id
            if "created_at" in table.c and "created_at" not in new:
                new["created_at"] = now
            for column in table.c:
                parent = _fk_parent(column)
                if parent and parent != "sandboxes" and new.get(column.name) is not None:
                    new[column.name] = new[column.name] + offsets[parent]
            shifted.append(new)
        db.session.execute(insert(table), shifted)
    _sync_sequences(tables)
    template.id_offsets = {}
    db.session.flush()
    return template


@lru_cache(maxsize=1)
def _copy_plan() -> tuple:
    """The statements a copy runs, built once: a probe for the template's first id in every
    table, and one INSERT ... SELECT per table with the template, the target sandbox and the
    id offsets as bound parameters (so SQLAlchemy's compiled-statement cache serves them)."""
    tables = copied_tables()
    template = bindparam("template", type_=Integer)
    probe = select(
        *(
            select(func.min(t.c.id)).where(t.c.sandbox_id == template).scalar_subquery()
            for t in tables
        )
    )
    inserts = {}
    for table in tables:
        columns, exprs = [], []
        for column in table.c:
            columns.append(column.name)
            parent = _fk_parent(column)
            if column.name == "id":
                exprs.append(column + bindparam(f"off_{table.name}", type_=Integer))
            elif column.name == "sandbox_id":
                exprs.append(bindparam("target", type_=Integer))
            elif parent and parent != "sandboxes":
                exprs.append(column + bindparam(f"off_{parent}", type_=Integer))
            else:
                exprs.append(column)
        inserts[table.name] = insert(table).from_select(
            columns, select(*exprs).where(table.c.sandbox_id == template)
        )
    return tables, probe, inserts


def _plan_offsets(template: Sandbox, offsets: dict[str, int] | None) -> dict[str, int]:
    """The id offset of each table that has rows in the template: the stored ones for a
    reset, else the shift that puts the copy after every existing row."""
    tables, probe, _ = _copy_plan()
    firsts = db.session.execute(probe, {"template": template.id}).one()
    present = {t.name: first for t, first in zip(tables, firsts, strict=True) if first is not None}
    if offsets:
        missing = [t for t in tables if t.name in present and t.name not in offsets]
        used = {name: offsets[name] for name in present if name in offsets}
    else:
        missing = [t for t in tables if t.name in present]
        used = {}
    for name, free in _next_free_ids(missing).items():
        used[name] = free - present[name]
    return used


def _copy_rows(template: Sandbox, target: Sandbox, used: dict[str, int], sync: bool = True) -> dict:
    """Copy every row of `template` into `target` with the planned offsets; return them.
    `sync=False` leaves PostgreSQL's id sequences for the caller to move once."""
    tables, _, inserts = _copy_plan()
    params = {"template": template.id, "target": target.id}
    params.update({f"off_{name}": offset for name, offset in used.items()})
    for table in tables:
        if table.name in used:
            db.session.execute(inserts[table.name], params)
    if sync:
        _sync_sequences([t for t in tables if t.name in used])
    return used


def provision(
    owner: User | None,
    *,
    kind: SandboxKind = SandboxKind.PRACTICE,
    profile: str = DEFAULT_PROFILE,
    seed: int = DEFAULT_SEED,
    size: str = DEFAULT_SIZE,
    title: str = "",
    start: datetime | None = None,
    actor: User | None = None,
) -> Sandbox:
    """Create a sandbox for `owner`, copied from its template, with its clock started."""
    template = get_or_create_template(profile, seed, size)
    sandbox = Sandbox(
        kind=kind.value,
        owner_id=owner.id if owner else None,
        template_id=template.id,
        title=title or "Practice CRM",
        profile=profile,
        seed=seed,
        size=size,
        clock_start=start or template.clock_start,
        clock_anchor=utcnow(),
    )
    sandbox.id_offsets = _plan_offsets(template, None)
    db.session.add(sandbox)
    db.session.flush()
    _copy_rows(template, sandbox, sandbox.id_offsets)
    _record_provisioned(sandbox, actor)
    return sandbox


def _record_provisioned(sandbox: Sandbox, actor: User | None) -> None:
    """The first entry of a new sandbox's log: what it was copied from, and its clock."""
    db.session.expire(sandbox, ["organisation"])
    action_log.record(
        SandboxContext(sandbox, actor),
        "sandbox.provisioned",
        "sandbox",
        sandbox.id,
        after={
            "profile": sandbox.profile,
            "seed": sandbox.seed,
            "size": sandbox.size,
            "kind": sandbox.kind,
            "clock_start": sandbox.clock_start,
        },
    )


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
    together and PostgreSQL's id sequences moved once. Each copy runs the same cached
    INSERT ... SELECT statements as `provision` (copying all of them in one statement per
    table, joined with a list of the copies, measured twice as slow on PostgreSQL, whose
    foreign-key checks run per row either way)."""
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
    for sandbox in sandboxes:
        _copy_rows(template, sandbox, sandbox.id_offsets, sync=False)
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


def reset(ctx: SandboxContext, reason: str = "") -> Sandbox:
    """Put a sandbox back to its starting state: the same rows, the clock at its start.

    The action log is kept (it is the evidence) and records the reset.
    """
    sandbox = ctx.sandbox
    if sandbox.kind == SandboxKind.TEMPLATE.value:
        raise ServiceError("A template cannot be reset.")
    if sandbox.read_only:
        raise ServiceError("This sandbox is read-only (submitted work); it cannot be reset.")
    template = db.session.get(Sandbox, sandbox.template_id)
    _serialise_copies()
    for table in reversed(copied_tables()):
        db.session.execute(delete(table).where(table.c.sandbox_id == sandbox.id))
    _copy_rows(template, sandbox, _plan_offsets(template, sandbox.id_offsets))
    sandbox.reset_count += 1
    clock.start_clock(sandbox, sandbox.clock_start)
    db.session.flush()
    db.session.expire(sandbox, ["organisation"])
    action_log.record(
        ctx,
        "sandbox.reset",
        "sandbox",
        sandbox.id,
        after={"reset_count": sandbox.reset_count, "reason": reason},
        sandbox_time=sandbox.clock_start,
    )
    if ctx.actor is None or ctx.actor.id != sandbox.owner_id:  # not the learner's own restart
        staff_audit.record_staff_action(
            "sandbox.reset",
            "sandbox",
            sandbox.id,
            actor=ctx.actor,
            group_id=staff_audit.group_of_sandbox(sandbox.id),
            learner_id=sandbox.owner_id,
            before={"reset_count": sandbox.reset_count - 1},
            after={"reset_count": sandbox.reset_count, "reason": reason},
        )
    return sandbox


def practice_sandbox(user: User) -> Sandbox | None:
    """The learner's free-practice sandbox, if it exists."""
    return db.session.scalar(
        select(Sandbox)
        .where(Sandbox.owner_id == user.id, Sandbox.kind == SandboxKind.PRACTICE.value)
        .order_by(Sandbox.id)
        .limit(1)
    )


def ensure_practice_sandbox(user: User) -> Sandbox:
    """The learner's practice sandbox, provisioned on first use."""
    if user.role != "learner":
        raise ServiceError("Only learners have practice sandboxes.")
    return practice_sandbox(user) or provision(user, actor=user)


def sandboxes_of(user: User) -> list[Sandbox]:
    """Every sandbox a learner owns, practice first."""
    return list(
        db.session.scalars(
            select(Sandbox)
            .where(Sandbox.owner_id == user.id)
            .order_by(Sandbox.kind.desc(), Sandbox.id)
        )
    )
