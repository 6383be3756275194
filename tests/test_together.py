"""Several reads in one statement (`services.together`): each read's rows and values come
back exactly as the same read run on its own would give them, in its order, with their
Python types, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Float, Numeric, cast, event, func, select

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Contact
from crm_sandbox.services.together import Record, read_together, rows, value


@pytest.fixture
def sandbox(provision):
    return provision()


def contact_columns():
    return (
        Contact.id,
        Contact.first_name,
        Contact.consent_email,
        Contact.accuracy_checked_at,
        Contact.created_sbx,
        Contact.created_at,
        Contact.merged_into_id,
    )


def test_rows_come_back_as_the_same_read_alone_gives_them_in_its_order(sandbox):
    newest_first = [Contact.created_sbx.desc(), Contact.id.desc()]
    alone = db.session.execute(
        select(*contact_columns())
        .where(Contact.sandbox_id == sandbox.id)
        .order_by(*newest_first)
        .limit(7)
    ).all()
    parts = read_together(
        contacts=rows(
            select(*contact_columns()).where(Contact.sandbox_id == sandbox.id).limit(7),
            order_by=newest_first,
        )
    )
    assert len(alone) == 7
    assert parts["contacts"] == [Record(**row._asdict()) for row in alone]
    first = parts["contacts"][0]
    assert isinstance(first.consent_email, bool)
    assert first.created_at.tzinfo is not None  # UTCDateTime's own reading
    assert first.created_sbx.tzinfo is None


def test_json_columns_and_values_and_empty_reads_in_one_statement(sandbox):
    statements = []

    def count(*_args):
        statements.append(1)

    log = select(ActionLogEntry.seq, ActionLogEntry.verb, ActionLogEntry.payload).where(
        ActionLogEntry.sandbox_id == sandbox.id
    )
    alone = db.session.execute(log.order_by(ActionLogEntry.seq)).all()
    total = db.session.scalar(select(func.count()).where(Contact.sandbox_id == sandbox.id))
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        parts = read_together(
            log=rows(log, order_by=[ActionLogEntry.seq]),
            contacts=value(select(func.count()).where(Contact.sandbox_id == sandbox.id)),
            nobody=rows(select(Contact.id).where(Contact.sandbox_id == -1)),
            no_value=value(select(Contact.id).where(Contact.sandbox_id == -1)),
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert [(r.seq, r.verb, r.payload) for r in parts["log"]] == [tuple(r) for r in alone]
    assert isinstance(parts["log"][0].payload, dict)
    assert parts["contacts"] == total > 0
    assert parts["nobody"] == []
    assert parts["no_value"] is None


def test_a_read_whose_columns_share_a_name_is_refused():
    with pytest.raises(ValueError, match="distinct names"):
        rows(select(Contact.id, ActionLogEntry.id))


def test_numbers_keep_their_python_type_even_when_whole(sandbox):
    """JSON has one kind of number (PostgreSQL writes a whole float as 3): a Float column
    still reads as a float, a Numeric one as a Decimal, as they do alone."""
    numbers = select(
        cast(Contact.id, Float).label("as_float"),
        cast(Contact.id, Numeric(10, 2)).label("as_numeric"),
        (cast(Contact.id, Float) / 2).label("half"),
    ).where(Contact.sandbox_id == sandbox.id)
    alone = db.session.execute(numbers.order_by(Contact.id).limit(2)).all()
    together = read_together(numbers=rows(numbers.limit(2), order_by=[Contact.id]))["numbers"]
    assert together == [Record(**row._asdict()) for row in alone]
    assert [type(r.as_float) for r in together] == [float, float]
    assert [type(r.as_numeric) for r in together] == [Decimal, Decimal]


def test_prepared_reads_are_built_once_and_run_with_each_requests_values(provision):
    from sqlalchemy import Integer, bindparam

    from crm_sandbox.services.together import prepared

    builds = []

    @prepared
    def contacts_of_a_sandbox():
        builds.append(1)
        sandbox = bindparam("sandbox_id", type_=Integer)
        return {
            "names": rows(
                select(Contact.id, Contact.first_name).where(Contact.sandbox_id == sandbox),
                order_by=[Contact.id],
            ),
            "count": value(select(func.count()).where(Contact.sandbox_id == sandbox)),
        }

    first, second = provision(), provision()
    for sandbox in (first, second, first):
        parts = contacts_of_a_sandbox().run(sandbox_id=sandbox.id)
        alone = db.session.execute(
            select(Contact.id, Contact.first_name)
            .where(Contact.sandbox_id == sandbox.id)
            .order_by(Contact.id)
        ).all()
        assert [(r.id, r.first_name) for r in parts["names"]] == [tuple(r) for r in alone]
        assert parts["count"] == len(alone) > 0
    assert len(builds) == 1
    assert contacts_of_a_sandbox() is contacts_of_a_sandbox()


def test_prepared_reads_run_in_a_sandbox_are_checked_core_reads(provision):
    """`run_in_sandbox` gives what `run` gives, through `scoping.read_in_sandbox`: a read of
    a table not pinned to the sandbox of its `sandbox_id` parameter is refused."""
    from sqlalchemy import Integer, bindparam

    from crm_sandbox.scoping import UnscopedRead
    from crm_sandbox.services.together import Prepared

    sandbox = provision()
    pinned = bindparam("sandbox_id", type_=Integer)
    reads = {
        "names": rows(
            select(Contact.id, Contact.first_name).where(Contact.sandbox_id == pinned),
            order_by=[Contact.id],
        ),
        "count": value(select(func.count()).where(Contact.sandbox_id == pinned)),
    }
    prepared_reads = Prepared(db.engine.dialect, reads)
    assert prepared_reads.run_in_sandbox(sandbox_id=sandbox.id) == prepared_reads.run(
        sandbox_id=sandbox.id
    )
    unpinned = Prepared(
        db.engine.dialect,
        {"all": rows(select(Contact.id).where(Contact.id > pinned), order_by=[Contact.id])},
    )
    with pytest.raises(UnscopedRead):
        unpinned.run_in_sandbox(sandbox_id=sandbox.id)
