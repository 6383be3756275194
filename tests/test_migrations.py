"""The schema comes from Alembic migrations, and they match the models."""

import re
from datetime import date, datetime

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table

from crm_sandbox.app import MIGRATIONS_DIR
from crm_sandbox.extensions import db
from crm_sandbox.models import Base

from .conftest import dispose, make_app
from .databases import empty_database


def test_the_migrations_create_exactly_the_tables_the_models_describe(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


# ---------------------------------------------------------------- upgrading keeps the data


def revisions_in_order() -> list[str]:
    """Every revision from the first to the head(s), whatever the chain holds."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _allowed_values(table: Table, inspector) -> dict[str, object]:
    """For columns a CHECK constraint limits to a list or a range: one allowed value."""
    allowed = {}
    for check in inspector.get_check_constraints(table.name):
        sql = check["sqltext"]
        for column in table.columns:
            name = re.escape(column.name)
            # as written (SQLite) or as PostgreSQL gives it back
            listed = re.search(rf"\b{name}\s+IN\s*\(\s*'([^']*)'", sql, re.IGNORECASE) or (
                re.search(rf"\b{name}\)?(::\w+)?\s*=\s*ANY\s*\(+ARRAY\['([^']*)'", sql)
            )
            ranged = re.search(
                rf"\b{name}\s+BETWEEN\s+(\d+)\s+AND", sql, re.IGNORECASE
            ) or re.search(rf"\b{name}\)?\s*>=\s*(\d+)", sql)
            if listed:
                allowed[column.name] = listed.group(listed.lastindex)
            elif ranged:
                allowed[column.name] = int(ranged.group(1))
    return allowed


def _value(table: Table, column, row: int, allowed: dict):
    """A representative value of the column's type for the row-th row (1-based)."""
    if column.name in allowed:
        return allowed[column.name]
    if column.foreign_keys:
        fk = next(iter(column.foreign_keys))
        if fk.column.table.name == table.name and column.nullable:
            return None
        return row  # the referenced table's row-th row has id `row`
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return row % 2 == 1
    if isinstance(kind, sa.Integer):
        return row
    if isinstance(kind, sa.Float | sa.Numeric):
        return row + 0.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 3, row, 9, 30)
    if isinstance(kind, sa.Date):
        return date(2026, 3, row)
    if isinstance(kind, sa.JSON):
        return {"row": row, "items": [row]}
    if isinstance(kind, sa.String | sa.Text):
        text_value = f"{table.name}.{column.name}.{row}"
        length = getattr(kind, "length", None)
        return text_value[-length:] if length else text_value
    raise AssertionError(f"no representative value for {table.name}.{column.name} ({kind})")


def _fill(conn, tables: list[Table], rows_per_table: int = 2) -> dict[str, list[dict]]:
    inspector = sa.inspect(conn)
    inserted = {}
    for table in tables:
        allowed = _allowed_values(table, inspector)
        rows = [
            {c.name: _value(table, c, n, allowed) for c in table.columns}
            for n in range(1, rows_per_table + 1)
        ]
        conn.execute(table.insert(), rows)
        inserted[table.name] = rows
    return inserted


def _same(stored, expected) -> bool:
    if isinstance(expected, float):
        return float(stored) == expected
    return stored == expected


def test_upgrading_step_by_step_from_the_first_migration_keeps_every_row(tmp_path):
    """Upgrade an empty database to the first revision, put rows in every table, then upgrade
    one revision at a time to the head, filling each table a step adds; after every step every
    row put in so far is still there with its values. (A migration that deliberately rewrites
    data must say so here.)"""
    revisions = revisions_in_order()
    with empty_database(tmp_path, "migrate") as url:
        app = make_app(url, tmp_path / "instance")
        try:
            with app.app_context():
                inserted: dict[str, list[dict]] = {}
                for step, revision in enumerate(revisions):
                    flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision=revision)
                    metadata = sa.MetaData()
                    metadata.reflect(bind=db.engine)
                    with db.engine.begin() as conn:
                        for name, rows in inserted.items():
                            table = metadata.tables[name]
                            stored = [dict(r._mapping) for r in conn.execute(table.select())]
                            for row in rows:
                                assert any(
                                    all(
                                        _same(s[k], v)
                                        for k, v in row.items()
                                        if k in s and v is not None
                                    )
                                    for s in stored
                                ), f"after {revision}: a row of {name} was lost or changed: {row}"
                        new_tables = [
                            t
                            for t in metadata.sorted_tables
                            if t.name not in inserted and t.name != "alembic_version"
                        ]
                        inserted.update(_fill(conn, new_tables))
                    assert inserted or step > 0
                assert set(inserted) == {t.name for t in Base.metadata.sorted_tables}
        finally:
            dispose(app)


def test_the_group_name_key_migration_fills_every_group_even_names_that_clash(tmp_path):
    """Groups made before group names were compared whatever their case ("Café" and "CAFÉ"
    side by side) get the same key, and the upgrade does not fail on them."""
    from crm_sandbox.models.groups import group_name_key

    with empty_database(tmp_path, "namekey") as url:
        app = make_app(url, tmp_path / "instance")
        try:
            with app.app_context():
                flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="c7e2d1a9b845")
                with db.engine.begin() as conn:
                    conn.execute(
                        sa.text(
                            "INSERT INTO users (id, email, name, role, password_hash, active, "
                            "created_at) VALUES (1, 't@x.example', 'T', 'tutor', 'x', true, "
                            "'2026-03-01 09:00:00')"
                        )
                    )
                    for group_id, name in ((1, "Café"), (2, "CAFÉ"), (3, "Tuesday")):
                        conn.execute(
                            sa.text(
                                "INSERT INTO groups (id, name, tutor_id, archived, body_id, "
                                "created_at) VALUES (:id, :name, 1, false, 'vtct', "
                                "'2026-03-01 09:00:00')"
                            ),
                            {"id": group_id, "name": name},
                        )
                flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="b3e9d4c1f7a2")
                with db.engine.connect() as conn:
                    keys = dict(conn.execute(sa.text("SELECT id, name_key FROM groups")).all())
            assert keys[1] == keys[2] == group_name_key("café")
            assert keys[3] == group_name_key("TUESDAY") != keys[1]
        finally:
            dispose(app)


def test_the_learner_clock_migration_keeps_the_assignment_time_and_starts_only_worked_attempts(
    tmp_path,
):
    """Existing attempts: the old started_at (the assignment) becomes assigned_at; started_at
    is the learner's first action in the log, or NULL (not started). Their sandboxes' clocks
    then run on working time: paused where they read, or back at the scenario's start for
    work nobody has opened and where nothing has happened yet."""
    with empty_database(tmp_path, "clock") as url:
        app = make_app(url, tmp_path / "instance")
        try:
            with app.app_context():
                flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="10564f8d56d2")
                with db.engine.begin() as conn:
                    run = lambda sql, **values: conn.execute(  # noqa: E731
                        sa.text(sql), {"at": "2026-03-01 09:00:00", **values}
                    )
                    for user_id in (1, 2):
                        run(
                            "INSERT INTO users (id, email, name, role, password_hash, active, "
                            "created_at) VALUES (:id, :email, 'L', 'learner', 'x', true, :at)",
                            id=user_id,
                            email=f"l{user_id}@x.example",
                        )
                    for n in (1, 2):  # sandbox and attempt n belong to learner n
                        run(
                            "INSERT INTO sandboxes (id, kind, owner_id, title, profile, seed, "
                            "size, id_offsets, clock_start, clock_anchor, clock_offset_seconds,"
                            " read_only, reset_count, log_seq, log_head, created_at) VALUES "
                            "(:id, 'assignment', :id, 'S', 'retail', 1, 'small', '{}', "
                            "'2026-03-09 09:00:00', :at, 0, false, 0, 0, 'x', :at)",
                            id=n,
                        )
                        run(
                            "INSERT INTO attempts (id, learner_id, sandbox_id, scenario_id, "
                            "scenario_yaml, status, keys, fired_events, hints_used, checks_run,"
                            " started_at, declaration) VALUES (:id, :id, :id, 'sc', '', "
                            "'in_progress', '{}', '[]', '[]', 0, :at, '')",
                            id=n,
                        )
                    run(
                        "INSERT INTO action_log (seq, actor_id, real_time, sandbox_time, verb, "
                        "object_type, object_id, payload_hash, prev_hash, entry_hash, "
                        "sandbox_id) VALUES (1, 1, '2026-03-02 10:15:00', '2026-03-09 "
                        "09:05:00', 'need.recorded', 'need', 1, 'h', 'p', 'e', 1)"
                    )
                flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="be4e3c1c5d14")
                with db.engine.connect() as conn:
                    attempts = conn.execute(
                        sa.text("SELECT id, assigned_at, started_at FROM attempts ORDER BY id")
                    ).all()
                    clocks = conn.execute(
                        sa.text(
                            "SELECT clock_runs_on_work, clock_running, clock_worked_seconds "
                            "FROM sandboxes ORDER BY id"
                        )
                    ).all()
            when = lambda value: str(value)[:19]  # noqa: E731
            assert [when(a.assigned_at) for a in attempts] == ["2026-03-01 09:00:00"] * 2
            assert [when(a.started_at) if a.started_at else None for a in attempts] == [
                "2026-03-02 10:15:00",
                None,
            ]
            assert all(c.clock_runs_on_work and not c.clock_running for c in clocks)
            assert clocks[0].clock_worked_seconds > 0  # paused where it read
            assert clocks[1].clock_worked_seconds == 0  # back at the scenario's start
        finally:
            dispose(app)
