"""Several reads of one page in one statement.

A CRM page shows rows of several kinds (the dashboard: the recent log, replies waiting,
follow-ups, counts...). Each read is an ordinary indexed SELECT; `read_together` sends them
as the columns of a single SELECT, so the page costs the database one round trip, one parse
and one plan instead of one per read. A read of rows (`rows(...)`) travels as a JSON array
of objects (SQLite's `json_group_array(json_object(...))`, PostgreSQL's
`json_agg(json_build_object(...))`), and comes back as `Record`s: plain objects with the
selected columns as attributes, each value turned back into its Python type by the column's
SQLAlchemy type (dates and timestamps, booleans, enums, JSON, `TypeDecorator`s such as
`UTCDateTime`). A read of one value (`value(...)`: a count, a total) is a scalar subquery.

    parts = read_together(
        recent=rows(select(Entry.id, Entry.verb).where(...).limit(8), order_by=[Entry.seq.desc()]),
        contacts=value(select(func.count()).where(...)),
    )
    parts["recent"]  # [Record(id=..., verb=...), ...] in the read's order
    parts["contacts"]  # 42

A read's rows come in its `order_by` (given to `rows`, not to the statement): each row
carries its position (`row_number()` over that order) and the rows are sorted by it after
parsing, since neither database promises that an aggregate keeps its input's order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Numeric,
    TypeDecorator,
    func,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from ..models import db

_POSITION = "_position"


class Record:
    """One row of a read: its selected columns as attributes (read-only by convention)."""

    __slots__ = ("__dict__",)

    def __init__(self, **values):
        self.__dict__.update(values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Record({inner})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Record) and other.__dict__ == self.__dict__

    def _asdict(self) -> dict:
        return dict(self.__dict__)


class _Read:
    """A part of `read_together`: how it is selected and how its result is read back."""

    def column(self, dialect: str) -> ColumnElement:
        raise NotImplementedError

    def parse(self, raw, dialect) -> Any:
        raise NotImplementedError


class rows(_Read):  # noqa: N801 - used like a function, as SQLAlchemy's select()
    """Every row `statement` selects, as a list of `Record`s in `order_by`'s order (also the
    order in which a LIMIT of `statement` picks them)."""

    def __init__(self, statement: Select, order_by=()):
        self.statement = statement
        self.order_by = list(order_by)
        self.columns = list(statement.selected_columns)
        self._readers: dict[str, list] = {}  # by dialect: how each column is read back
        names = [c.key for c in self.columns]
        if len(set(names)) != len(names) or _POSITION in names:
            raise ValueError(f"A read's columns need distinct names (label them): {names}")
        if not all(name.isidentifier() for name in names):
            raise ValueError(f"A read's column names must be identifiers: {names}")

    def column(self, dialect: str) -> ColumnElement:
        if self.order_by:
            position = func.row_number().over(order_by=self.order_by)
            statement = self.statement.order_by(*self.order_by)
        else:
            position, statement = literal_column("0"), self.statement
        inner = statement.add_columns(position.label(_POSITION)).subquery()
        pairs = []
        for name in [c.key for c in self.columns] + [_POSITION]:
            pairs += [literal_column(f"'{name}'"), inner.c[name]]
        if dialect == "postgresql":
            array = func.coalesce(
                func.json_agg(func.json_build_object(*pairs)), literal_column("'[]'::json")
            )
        else:
            array = func.json_group_array(func.json_object(*pairs))
        return select(array).select_from(inner).scalar_subquery()

    def parse(self, raw, dialect) -> list[Record]:
        items = json.loads(raw) if isinstance(raw, str | bytes) else (raw or [])
        items.sort(key=lambda item: item[_POSITION])
        readers = self._readers.get(dialect.name)
        if readers is None:
            readers = self._readers[dialect.name] = [
                (c.key, _reader(c.type, dialect)) for c in self.columns
            ]
        return [Record(**{key: read(item[key]) for key, read in readers}) for item in items]


class value(_Read):  # noqa: N801
    """The one value `statement` selects (None when it selects no row)."""

    def __init__(self, statement: Select):
        self.statement = statement

    def column(self, dialect: str) -> ColumnElement:
        return self.statement.scalar_subquery()

    def parse(self, raw, dialect) -> Any:
        return raw


def columns_of(model) -> list:
    """Every mapped column of `model`, labelled with its attribute's name (a `Record` of them
    reads like the ORM object's columns)."""
    return [getattr(model, a.key).label(a.key) for a in inspect(model).column_attrs]


def read_together(**reads: _Read) -> dict[str, Any]:
    """Run every read in one statement; their results by name."""
    return Prepared(db.engine.dialect, reads).run()


class Prepared:
    """Reads combined into one statement once, to be run many times with each request's
    values for its `bindparam`s: building a combined statement, and SQLAlchemy's cache key
    for it, costs more Python than running it, so a page's reads are built once per process
    (see `prepared`) and only executed and parsed per request."""

    def __init__(self, dialect, reads: dict[str, _Read]):
        self.dialect = dialect
        self.reads = reads
        self.names = list(reads)
        self.statement = select(*(reads[n].column(dialect.name).label(n) for n in self.names))

    def run(self, **params) -> dict[str, Any]:
        return self._parsed(db.session.execute(self.statement, params).one())

    def run_in_sandbox(self, **params) -> dict[str, Any]:
        """`run` as a Core read checked by `scoping.read_in_sandbox`: every table it reads
        pinned to the sandbox whose id is its `sandbox_id` parameter. No ORM hook clones the
        statement per request, so its cache key is computed once."""
        from ..scoping import read_in_sandbox

        row = read_in_sandbox(params["sandbox_id"], self.statement, params).one()
        return self._parsed(row)

    def _parsed(self, row) -> dict[str, Any]:
        return {
            n: self.reads[n].parse(raw, self.dialect)
            for n, raw in zip(self.names, row, strict=True)
        }


def prepared(build: Callable[[], dict[str, _Read]]) -> Callable[[], Prepared]:
    """A page's reads built by `build()` with `bindparam`s for what changes between requests
    (the sandbox, the time), made into a `Prepared` once per process and database dialect:

        @prepared
        def _dashboard_reads():
            sandbox = bindparam("sandbox_id", type_=Integer)
            return {"recent": rows(select(...).where(Entry.sandbox_id == sandbox), ...)}

        parts = _dashboard_reads().run(sandbox_id=ctx.sandbox_id)

    The cache holds statement shapes only, never data (ARCHITECTURE, per-process caches)."""
    built: dict[str, Prepared] = {}

    @wraps(build)
    def get() -> Prepared:
        dialect = db.engine.dialect
        if dialect.name not in built:
            built[dialect.name] = Prepared(dialect, build())
        return built[dialect.name]

    return get


def _reader(sql_type, dialect):
    """A function turning a JSON value of a column of `sql_type` into its Python value."""
    if isinstance(sql_type, TypeDecorator):
        inner = _reader(sql_type.impl_instance, dialect)

        def decorated(raw):
            return sql_type.process_result_value(inner(raw), dialect)

        return decorated
    if isinstance(sql_type, Enum) and sql_type.enum_class is not None:
        by_name = sql_type.enum_class.__members__

        def enum_value(raw):
            if raw is None:
                return None
            return by_name[raw] if raw in by_name else sql_type.enum_class(raw)

        return enum_value
    if isinstance(sql_type, DateTime):
        return lambda raw: None if raw is None else datetime.fromisoformat(raw)
    if isinstance(sql_type, Date):
        return lambda raw: None if raw is None else date.fromisoformat(raw[:10])
    if isinstance(sql_type, Boolean):
        return lambda raw: None if raw is None else bool(raw)
    if isinstance(sql_type, JSON):
        # SQLite's json_object() embeds a JSON column's text as a string; PostgreSQL nests it.
        return lambda raw: json.loads(raw) if isinstance(raw, str) else raw
    if isinstance(sql_type, Numeric | Float):
        # JSON has one kind of number: PostgreSQL writes a whole float8 as 3, not 3.0.
        if sql_type.asdecimal:
            return lambda raw: None if raw is None else Decimal(str(raw))
        return lambda raw: None if raw is None else float(raw)
    return lambda raw: raw  # integers and strings are JSON's own
