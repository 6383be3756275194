"""Core reads on the raw connection go through scoping.py's checked helpers, and nowhere else.

The ORM hook keeps ORM reads inside the entered sandbox; the fast read paths run Core selects on
the connection instead, so `read_in_sandbox` checks each statement itself: every sandboxed
table it reads must be pinned (by AND-ed equalities in WHERE or JOIN ON) to a parameter whose
value is the sandbox asked for.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import bindparam, literal_column, or_, select, text, union_all
from sqlalchemy.orm import aliased

from crm_sandbox import scoping
from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Interaction, Sandbox
from crm_sandbox.scenarios import state
from crm_sandbox.scoping import UnscopedRead, read_in_sandbox
from crm_sandbox.services import accounts, contacts
from crm_sandbox.web.crm import routes as crm_routes

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crm_sandbox", "seed")
# Modules that may hold raw connections, and why: the checked helpers themselves; the engine's
# per-connection set-up (pragmas, BEGIN IMMEDIATE on the driver's connection); the admin's
# whole-database backup and restore (SQLite's backup API, every table at once); Alembic's env.
RAW_CONNECTION_ALLOWED = {
    "crm_sandbox/scoping.py",
    "crm_sandbox/database.py",
    "crm_sandbox/services/backup.py",
    "crm_sandbox/migrations/env.py",
}
RAW_ATTRIBUTES = {"connection", "connect", "raw_connection", "exec_driver_sql", "driver_connection"}

BY_SANDBOX = select(Contact.id).where(Contact.sandbox_id == bindparam("sandbox_id"))


def _contact_ids(sandbox_id: int) -> set[int]:
    return set(db.session.scalars(select(Contact.id).where(Contact.sandbox_id == sandbox_id)))


def test_a_scoped_core_read_returns_only_the_sandboxs_own_rows(provision):
    mine, theirs = provision(), provision(seed=2)
    rows = read_in_sandbox(mine.id, BY_SANDBOX, {"sandbox_id": mine.id}).scalars().all()
    assert set(rows) == _contact_ids(mine.id)
    assert not set(rows) & _contact_ids(theirs.id)


def test_a_core_read_bound_to_another_sandbox_is_refused(provision):
    mine, theirs = provision(), provision(seed=2)
    with pytest.raises(UnscopedRead, match="not limited to sandbox"):
        read_in_sandbox(mine.id, BY_SANDBOX, {"sandbox_id": theirs.id})
    with pytest.raises(UnscopedRead, match="not limited to sandbox"):
        read_in_sandbox(mine.id, BY_SANDBOX)  # the parameter not given at all
    with pytest.raises(UnscopedRead, match="is a number"):
        read_in_sandbox(None, BY_SANDBOX, {"sandbox_id": None})
    literal = select(Contact.id).where(Contact.sandbox_id == theirs.id)
    with pytest.raises(UnscopedRead):
        read_in_sandbox(mine.id, literal)
    assert set(read_in_sandbox(theirs.id, literal).scalars()) == _contact_ids(theirs.id)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(select(Contact.id), id="no filter"),
        pytest.param(
            select(Contact.id).where(or_(Contact.sandbox_id == 1, Contact.id > 0)),
            id="the filter under OR",
        ),
        pytest.param(
            select(Contact.id, Interaction.id)
            .join(Interaction, Interaction.contact_id == Contact.id)
            .where(Contact.sandbox_id == 1),
            id="a joined table reached by another column",
        ),
        pytest.param(
            select(Contact.id)
            .outerjoin(Interaction, Contact.sandbox_id == 1)
            .where(Interaction.id > 0),
            id="the left table limited only in a LEFT JOIN's ON",
        ),
        pytest.param(
            select(Contact.id).where(
                Contact.sandbox_id == 1, Contact.id.in_(select(Interaction.contact_id))
            ),
            id="a subquery without a filter of its own",
        ),
        pytest.param(
            union_all(
                select(Contact.id).where(Contact.sandbox_id == 1),
                select(Contact.id),
            ),
            id="one arm of a UNION unfiltered",
        ),
        pytest.param(
            select(Contact.id, aliased(Contact).id).where(Contact.sandbox_id == 1),
            id="an alias of a sandboxed table",
        ),
        pytest.param(
            select(literal_column("1")).select_from(Contact).where(Contact.sandbox_id == 1),
            id="literal SQL in the statement",
        ),
        pytest.param(
            select(literal_column("'a' || (SELECT first_name FROM contacts)")).where(
                Contact.sandbox_id == 1
            ),
            id="literal SQL that quotes and reads",
        ),
        pytest.param(text("SELECT id FROM contacts WHERE sandbox_id = 1"), id="text SQL"),
        pytest.param(select(Sandbox.title), id="the sandboxes table by no id"),
    ],
)
def test_a_core_read_that_could_leave_the_sandbox_is_refused(app, statement):
    with pytest.raises(UnscopedRead):
        read_in_sandbox(1, statement)


def test_literal_sql_that_reads_no_table_is_accepted(provision):
    """`together`'s combined reads name their JSON keys as quoted words, an empty array as
    '[]'::json, and count rows with count(*): none of it can read a table."""
    from sqlalchemy import func

    mine = provision()
    statement = select(literal_column("'contacts'"), func.count()).where(
        Contact.sandbox_id == mine.id
    )
    assert read_in_sandbox(mine.id, statement).one() == ("contacts", len(_contact_ids(mine.id)))
    empty = select(literal_column("'[]'::json")).where(Contact.sandbox_id == mine.id)
    assert scoping._pins(empty)  # PostgreSQL's syntax: checked, not run on every database


def test_joins_through_the_sandbox_column_and_left_joins_are_accepted(provision):
    mine = provision()
    joined = (
        select(Interaction.id)
        .join(Contact, Contact.id == Interaction.contact_id)
        .where(Contact.sandbox_id == mine.id, Interaction.sandbox_id == Contact.sandbox_id)
    )
    expected = set(
        db.session.scalars(select(Interaction.id).where(Interaction.sandbox_id == mine.id))
    )
    assert set(read_in_sandbox(mine.id, joined).scalars()) == expected
    # the sandbox's organisation and (none yet) attempt, as every CRM page reads them first
    header = read_in_sandbox(mine.id, crm_routes._HEADER, {"sandbox_id": mine.id}).one()
    assert header.id == mine.id


def test_every_fast_read_path_statement_passes_the_check(app):
    """The statements the pages and Check my work run pin every sandboxed table they read."""
    for merged in (False, True):
        for filters in range(32):
            flags = [bool(filters & (1 << n)) for n in range(5)]
            rows, count = contacts._list_statements(merged, *flags)
            assert [t for t, _ in scoping._pins(rows)] == ["contacts", "contacts"]
            assert [t for t, _ in scoping._pins(count)] == ["contacts"]
    assert [t for t, _ in scoping._pins(crm_routes._HEADER)] == [
        "sandboxes",
        "organisations",
        "attempts",
        "interactions",  # is a customer due to act? (the earliest customer_due_at)
    ]
    assert [t for t, _ in scoping._pins(state._LOG_SINCE)] == ["action_log"]
    assert scoping._pins(accounts._SESSION_USER, required=False) == ()


# ---------------------------------------------------------------- no raw reads elsewhere


def raw_executions(source: str) -> list[tuple[int, str]]:
    """Lines that execute SQL other than through the ORM session (`db.session.execute`) or
    hold a raw connection: `.connection()`, `.connect()`, a driver connection, `X.execute()`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        session_execute = node.attr == "execute" and ast.unparse(node.value) == "db.session"
        if node.attr in RAW_ATTRIBUTES or (node.attr == "execute" and not session_execute):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_scan_finds_raw_executions():
    source = textwrap.dedent(
        """
        rows = db.session.connection().execute(stmt)
        conn = db.engine.connect()
        conn.execute(stmt)
        db.session.get_bind().raw_connection()
        fine = db.session.execute(stmt)
        """
    )
    # line 2 twice (the connection and its execute); the session's own execute (6) is fine
    assert sorted(line for line, _ in raw_executions(source)) == [2, 2, 3, 4, 5]


def test_no_module_but_scoping_runs_statements_on_the_raw_connection():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in RAW_CONNECTION_ALLOWED or "/migrations/versions/" in relative:
                continue
            offenders += [
                f"{relative}:{line}: {code}"
                for line, code in raw_executions(path.read_text(encoding="utf-8"))
            ]
    assert offenders == [], (
        "Core reads on the connection go through crm_sandbox.scoping.read_in_sandbox:\n"
        + "\n".join(offenders)
    )
