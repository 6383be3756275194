"""Copies keep referential integrity: on PostgreSQL with the per-row foreign-key triggers
skipped and the copy checked as a whole (where the role may), or with the per-row checks."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from crm_sandbox.extensions import db
from crm_sandbox.models import Contact, Interaction, Role
from crm_sandbox.services import provisioning
from crm_sandbox.services.provisioning import integrity

from .conftest import TEST_DATABASE_URL

postgres_only = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's triggers")
PATHS = [
    pytest.param("checked", marks=postgres_only),
    "per-row",
]


@pytest.fixture
def copy_path(request, monkeypatch):
    """Force the per-row path (as for a role that may not set session_replication_role);
    the checked path is what the tests' superuser gets on PostgreSQL."""
    if request.param == "per-row" and TEST_DATABASE_URL:
        monkeypatch.setattr(integrity, "_set_replica_role_allowed", lambda: (False, "origin"))
    monkeypatch.setattr(integrity, "_logged_path", None)
    return request.param


def dangling(sandbox_ids: list[int]) -> list[str]:
    """Every reference of these sandboxes' rows that does not find its row in the same
    sandbox, read table by table in Python (independently of the copy's own check)."""
    found = []
    rows = {}
    for table in provisioning.copied_tables():
        rows[table.name] = db.session.execute(
            select(table).where(table.c.sandbox_id.in_(sandbox_ids))
        ).all()
    keys = {
        name: {(row.sandbox_id, row.id) for row in table_rows} for name, table_rows in rows.items()
    }
    for table in provisioning.copied_tables():
        for column in table.c:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if parent == "sandboxes":
                    missing = {row.sandbox_id for row in rows[table.name]} - set(sandbox_ids)
                else:
                    missing = {
                        (row.sandbox_id, getattr(row, column.name))
                        for row in rows[table.name]
                        if getattr(row, column.name) is not None
                    } - keys[parent]
                if missing:
                    found.append(f"{table.name}.{column.name}")
    return found


@pytest.mark.parametrize("copy_path", PATHS, indirect=True)
def test_a_copied_group_references_only_rows_of_its_own_sandbox(
    app, create_user, copy_path, caplog
):
    learners = [create_user(Role.LEARNER) for _ in range(3)]
    with caplog.at_level(logging.INFO, logger=integrity.__name__):
        provisioning.provision_missing(learners, size="small")
        provisioning.provision_missing(learners + [create_user(Role.LEARNER)], size="small")
    db.session.commit()
    ids = [provisioning.practice_sandbox(learner).id for learner in learners]
    referencing = db.session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.sandbox_id.in_(ids))
    )
    assert referencing and dangling(ids) == []
    if TEST_DATABASE_URL:
        said = [r.getMessage() for r in caplog.records if r.name == integrity.__name__]
        assert len(said) == 1  # once, not per copy
        assert ("without per-row" in said[0]) == (copy_path == "checked")


@pytest.mark.parametrize("copy_path", PATHS, indirect=True)
@pytest.mark.parametrize("how", ["group", "one", "reset"])
def test_a_copy_whose_rows_would_dangle_is_refused(
    app, provision, create_user, ctx_for, copy_path, how
):
    """A template row made to reference another sandbox's contact (a valid key, so the
    database accepted it): copied, the shifted reference finds no contact."""
    first = provision()
    template_id = first.template_id
    later = provision()  # its contacts have the largest ids
    stray = db.session.scalar(select(func.max(Contact.id)).where(Contact.sandbox_id == later.id))
    one = db.session.scalar(
        select(func.min(Interaction.id)).where(
            Interaction.sandbox_id == template_id, Interaction.contact_id.is_not(None)
        )
    )
    db.session.execute(update(Interaction).where(Interaction.id == one).values(contact_id=stray))
    refused = integrity.DanglingReferences if copy_path == "checked" else IntegrityError
    with pytest.raises(refused):
        if how == "group":
            provisioning.provision_missing([create_user(Role.LEARNER)], size="small")
        elif how == "one":
            provisioning.provision(create_user(Role.LEARNER), size="small")
        else:
            provisioning.reset(ctx_for(first), "testing")
        db.session.flush()
    db.session.rollback()


@postgres_only
def test_the_copy_puts_session_replication_role_back(provision):
    provisioning.provision_missing([provision().owner], size="small")  # none made
    sandbox = provision()
    assert db.session.scalar(text("SHOW session_replication_role")) == "origin"
    assert dangling([sandbox.id]) == []


@postgres_only
def test_no_trigger_or_rule_of_the_app_would_be_skipped_on_the_copied_tables(app):
    """session_replication_role = replica skips every ordinary trigger and rule, not only the
    foreign keys' ones: the copied tables must have none of their own."""
    names = [t.name for t in provisioning.copied_tables()]
    triggers = db.session.scalars(
        text(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(:names)"
        ),
        {"names": names},
    ).all()
    rules = db.session.scalars(
        text("SELECT tablename FROM pg_rules WHERE tablename = ANY(:names)"), {"names": names}
    ).all()
    assert triggers == [] and rules == []
    # the check is not vacuous: the action log (not copied) has triggers of its own
    assert db.session.scalar(
        text(
            "SELECT count(*) FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgrelid = 'action_log'::regclass"
        )
    )
