"""The one place that keeps a learner inside their own sandbox.

When a request enters a sandbox (`enter_sandbox`), every ORM query on the session, including
lazy loads of relationships, gets `sandbox_id = <that sandbox>` added to every sandbox-scoped
table it touches (SQLAlchemy's `with_loader_criteria`). Services also fetch objects with
`get_in_sandbox`, which names the sandbox explicitly, so the CLI and tests are scoped too.
"""

from __future__ import annotations

import functools

from sqlalchemy import event, select
from sqlalchemy.orm import Session, with_loader_criteria

from .models import SandboxScoped, db
from .services.errors import NotFound

SCOPE_KEY = "crm_sandbox.sandbox_id"
MAX_ID = 2**31 - 1


@event.listens_for(Session, "do_orm_execute")
def _limit_to_sandbox(state) -> None:
    sandbox_id = state.session.info.get(SCOPE_KEY)
    if sandbox_id is None or not state.is_select:
        return
    if state.is_column_load or state.is_relationship_load:
        return  # criteria added to the parent query propagate to these loads
    state.statement = state.statement.options(_scope_option(sandbox_id))


@functools.lru_cache(maxsize=4096)
def _scope_option(sandbox_id: int):
    """The loader criteria for one sandbox, built once per sandbox and reused (an option is
    immutable; building it costs more than the query's own compiled-cache lookup)."""
    return with_loader_criteria(
        SandboxScoped, lambda cls: cls.sandbox_id == sandbox_id, include_aliases=True
    )


def enter_sandbox(sandbox_id: int) -> None:
    """From now on in this session, ORM reads see only this sandbox's rows."""
    db.session.info[SCOPE_KEY] = sandbox_id


def leave_sandbox() -> None:
    db.session.info.pop(SCOPE_KEY, None)


def current_sandbox_id() -> int | None:
    return db.session.info.get(SCOPE_KEY)


def get_in_sandbox(model, object_id, sandbox_id: int):
    """The object of this type with this id in this sandbox; NotFound otherwise (even when it
    exists in another sandbox)."""
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise NotFound(f"No such {model.__name__.lower()}.") from None
    if not 0 < object_id <= MAX_ID:  # a larger number would overflow PostgreSQL's integer
        raise NotFound(f"No such {model.__name__.lower()}.")
    found = db.session.scalar(
        select(model).where(model.id == object_id, model.sandbox_id == sandbox_id)
    )
    if found is None:
        raise NotFound(f"No such {model.__name__.lower()}.")
    return found
