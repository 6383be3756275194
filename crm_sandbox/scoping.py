"""The one place that keeps a learner inside their own sandbox.

When a request enters a sandbox (`enter_sandbox`), every ORM query on the session, including
lazy loads of relationships, gets `sandbox_id = <that sandbox>` added to every sandbox-scoped
table it touches (SQLAlchemy's `with_loader_criteria`). Services also fetch objects with
`get_in_sandbox`, which names the sandbox explicitly, so the CLI and tests are scoped too.
Core selects run on the connection (the fast read paths) go through `read_in_sandbox`, which
refuses a statement that does not pin every sandboxed table it reads to that sandbox; no other
module executes on the raw connection (tests/test_scoping.py looks). Reads of rows outside any
sandbox (accounts, sessions) go through the ORM session like any other.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import (
    Alias,
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
    CompoundSelect,
    FromClause,
    Grouping,
    Join,
    Result,
    Select,
    TableClause,
    TextClause,
    event,
    select,
)
from sqlalchemy.orm import Session, with_loader_criteria
from sqlalchemy.sql import operators, visitors

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


# ---------------------------------------------------------------- Core reads
#
# The fast read paths run Core selects on the session's connection (plain rows, no ORM result
# machinery), where the ORM hook above does not reach. They go through `read_in_sandbox`, which
# refuses a statement unless every sandboxed table it reads is pinned to the sandbox asked for:
# checked on the statement itself, so a forgotten filter fails loudly instead of showing another
# learner's rows. Statements built once at import are analysed once (cached); each call then
# only compares the pinning parameters' values with the sandbox id.

SANDBOXES_TABLE = "sandboxes"  # its rows are sandboxes: pinned by their own id


class UnscopedRead(RuntimeError):
    """A Core read that could see rows outside the sandbox it was asked to read: a bug in the
    calling code (a missing or wrong filter), never something a user's input can cause."""


def read_in_sandbox(sandbox_id: int, statement: Select, params: dict | None = None) -> Result:
    """Run a Core select on the session's connection, after checking that every sandboxed table
    it reads (in any of its SELECTs) has its `sandbox_id` (the sandboxes table: its `id`) equal to
    a bound parameter whose value is `sandbox_id`, through AND-ed equalities in WHERE and JOIN ON
    clauses. Raises UnscopedRead otherwise."""
    if type(sandbox_id) is not int:  # None or text would make the comparison below meaningless
        raise UnscopedRead(f"a sandbox id is a number, not {sandbox_id!r}")
    params = params or {}
    for table, binds in _pins(statement):
        if not any(params.get(bind.key, bind.effective_value) == sandbox_id for bind in binds):
            raise UnscopedRead(
                f"the read of {table} is not limited to sandbox {sandbox_id} "
                "(its sandbox column is bound to another value, or to none)"
            )
    return db.session.connection().execute(statement, params)


@functools.cache
def _sandboxed_tables() -> dict[str, str]:
    """Every sandboxed table's name and the column that holds its sandbox's id."""
    found = {t.name: "sandbox_id" for t in db.metadata.tables.values() if "sandbox_id" in t.c}
    found[SANDBOXES_TABLE] = "id"
    return found


# Literal SQL that reads no table: a quoted word (`together`'s JSON keys), an empty JSON
# array, or the star of count(*).
_STRING_CONSTANT = re.compile(r"'\w*'|'\[\]'::json|\*")


@functools.lru_cache(maxsize=512)
def _pins(statement, required: bool = True) -> tuple[tuple[str, tuple[BindParameter, ...]], ...]:
    """For every sandboxed table the statement reads: its name and the bound parameters its
    sandbox column is equal to. Raises UnscopedRead for SQL this cannot see into (text) and,
    when `required`, for a sandboxed table pinned to no parameter at all."""
    if not isinstance(statement, Select | CompoundSelect):
        raise UnscopedRead(f"only select() statements can be checked, not {type(statement)}")
    found = []
    for element in visitors.iterate(statement):
        if isinstance(element, TextClause) or (
            isinstance(element, ColumnClause)
            and element.is_literal
            and not _STRING_CONSTANT.fullmatch(element.name)
        ):
            raise UnscopedRead("a statement with literal SQL text cannot be checked")
        if isinstance(element, Select):
            found.extend(_pins_of_select(element, required))
    return tuple(found)


def _pins_of_select(select_: Select, required: bool) -> list:
    """The pins of one SELECT's own FROM list, from its own WHERE and JOIN ON clauses (a nested
    SELECT is checked on its own: the outer one's filter does not carry into it)."""
    tables: list[FromClause] = []
    pinned: dict[tuple, set[BindParameter]] = {}
    edges: list[tuple[tuple, tuple]] = []  # (a, b): b is pinned to whatever pins a
    for from_ in select_.get_final_froms():
        _walk_from(from_, tables, pinned, edges)
    if select_.whereclause is not None:
        _add_equalities(select_.whereclause, pinned, edges)
    _carry_pins(pinned, edges)
    return _pins_of_tables(tables, pinned, required)


def _equalities(clause):
    """The (left, right) sides of the `=` terms AND-ed together in a clause."""
    for term in _conjuncts(clause):
        if isinstance(term, BinaryExpression) and term.operator is operators.eq:
            yield term.left, term.right


def _add_equalities(clause, pinned: dict, edges: list, inner_side: set | None = None) -> None:
    """AND-ed equalities of a WHERE or ON clause. `inner_side`: the FROMs on the nullable
    side of a LEFT OUTER JOIN, whose ON clause limits only their rows."""
    for left, right in _equalities(clause):
        for a, b in ((left, right), (right, left)):
            if not isinstance(a, ColumnClause) or a.table is None:
                continue
            if inner_side is not None and a.table not in inner_side:
                continue
            if isinstance(b, BindParameter):
                pinned.setdefault((a.table, a.name), set()).add(b)
            elif isinstance(b, ColumnClause) and b.table is not None:
                edges.append(((b.table, b.name), (a.table, a.name)))


def _walk_from(from_, tables: list, pinned: dict, edges: list) -> None:
    """Collect the tables of a FROM entry, and the pins of the ON clauses of its joins."""
    if isinstance(from_, Join):
        if from_.full:
            raise UnscopedRead("a FULL OUTER JOIN cannot be checked")
        _walk_from(from_.left, tables, pinned, edges)
        _walk_from(from_.right, tables, pinned, edges)
        _add_equalities(
            from_.onclause, pinned, edges, _leaves(from_.right) if from_.isouter else None
        )
    else:
        tables.append(from_)


def _carry_pins(pinned: dict, edges: list) -> None:
    """Carry pins along column equalities until nothing changes (a = b and b = :x pins a)."""
    changed = True
    while changed:
        changed = False
        for source, target in edges:
            extra = pinned.get(source, set()) - pinned.get(target, set())
            if extra:
                pinned.setdefault(target, set()).update(extra)
                changed = True


def _pins_of_tables(tables: list, pinned: dict, required: bool) -> list:
    """(table name, binds) for each sandboxed table read; with `required`, an unpinned one is
    refused."""
    result = []
    for from_ in tables:
        name = _table_name(from_)
        column = _sandboxed_tables().get(name)
        if column is None:
            continue
        binds = pinned.get((from_, column))
        if not binds and required:
            raise UnscopedRead(f"the read of {name} does not filter on {name}.{column}")
        result.append((name, tuple(binds or ())))
    return result


def _conjuncts(clause):
    """The terms of a clause joined by AND (a term under OR limits nothing on its own)."""
    while isinstance(clause, Grouping):
        clause = clause.element
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for term in clause.clauses:
            yield from _conjuncts(term)
    else:
        yield clause


def _leaves(from_) -> set:
    if isinstance(from_, Join):
        return _leaves(from_.left) | _leaves(from_.right)
    return {from_}


def _table_name(from_) -> str | None:
    """The table a FROM entry reads: a table, or an alias of one (a subquery's own SELECT is
    checked where it is found)."""
    while isinstance(from_, Alias):
        from_ = from_.element
    return from_.name if isinstance(from_, TableClause) else None
