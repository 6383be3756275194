"""Templates: each (profile, seed, size, clock start) generated once with Faker, shifted past
every existing row and stored as a sandbox of its own, for copying.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from seed.generate import generate
from seed.profiles import load_all as load_profiles

from ...models import Sandbox, SandboxKind, db
from ...models.base import utcnow
from .. import clock
from ..errors import ServiceError
from .tables import _fk_parent, _next_free_id, _serialise_copies, _sync_sequences, copied_tables

SIZES = ("small", "standard", "large")
DEFAULT_PROFILE = "retail"
DEFAULT_SIZE = "standard"
DEFAULT_SEED = 1


def _validate_key(profile: str, size: str) -> None:
    known = load_profiles()
    if profile not in known:
        raise ServiceError(
            f"Unknown organisation profile {profile!r}; known: {', '.join(sorted(known))}."
        )
    if size not in SIZES:
        raise ServiceError(f"Unknown size {size!r}; use one of: {', '.join(SIZES)}.")


def find_template(profile: str, seed: int, size: str, start: datetime) -> Sandbox | None:
    """The template already generated for this (profile, seed, size, clock start), if any."""
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
