"""The action log: appended with every change, refused any edit by the database, and a hash
chain that `crm-sandbox log verify` checks."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Contact
from crm_sandbox.services import action_log, contacts

from .conftest import TEST_DATABASE_URL


@pytest.fixture
def logged(provision, ctx_for):
    """A sandbox whose log has a handful of entries."""
    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = contacts.create_contact(
        ctx, {"first_name": "Ada", "last_name": "Lovelace", "category": "external"}
    )
    contacts.add_need(ctx, contact, "Needs the invoice by Friday for her finance team")
    contacts.add_preference(ctx, contact, "Prefers email to phone calls")
    contacts.update_contact(ctx, contact, {"phone": "020 7946 0018"})
    db.session.commit()
    return sandbox


def drop_guards():
    """What an attacker with database access would do first."""
    if TEST_DATABASE_URL:
        db.session.execute(text("ALTER TABLE action_log DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER action_log_no_update"))
        db.session.execute(text("DROP TRIGGER action_log_no_delete"))


def raw(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def test_every_change_is_logged_with_before_and_after_values(logged):
    entries = action_log.entries(logged.id, newest_first=False)
    assert [e.verb for e in entries] == [
        "sandbox.provisioned",
        "contact.created",
        "need.recorded",
        "preference.recorded",
        "contact.updated",
    ]
    update = entries[-1]
    assert update.payload["before"] == {"phone": ""}
    assert update.payload["after"] == {"phone": "020 7946 0018"}
    assert update.actor_id == logged.owner_id
    assert update.sandbox_time is not None and update.real_time.tzinfo is not None


def test_an_intact_log_verifies(logged):
    result = action_log.verify(logged.id)
    assert result.ok and result.entries == 5


def test_the_database_refuses_to_update_or_delete_log_entries(logged):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE action_log SET verb = 'x' WHERE sandbox_id = :s", s=logged.id)
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM action_log WHERE sandbox_id = :s", s=logged.id)
    db.session.rollback()
    assert action_log.verify(logged.id).ok


def test_an_edited_entry_is_caught(logged):
    drop_guards()
    raw(
        "UPDATE action_log SET verb = 'contact.deleted' WHERE sandbox_id = :s AND seq = 3",
        s=logged.id,
    )
    result = action_log.verify(logged.id)
    assert not result.ok and result.first_bad_seq == 3
    assert "changed" in result.reason


def test_an_edited_payload_is_caught(logged):
    drop_guards()
    entry = db.session.scalar(
        db.select(ActionLogEntry).where(
            ActionLogEntry.sandbox_id == logged.id, ActionLogEntry.seq == 2
        )
    )
    forged = dict(entry.payload, after={"first_name": "Someone else"})
    db.session.execute(
        db.update(ActionLogEntry).where(ActionLogEntry.id == entry.id).values(payload=forged)
    )
    db.session.commit()
    result = action_log.verify(logged.id)
    assert not result.ok and result.first_bad_seq == 2
    assert "recorded values were changed" in result.reason


def test_a_deleted_entry_is_caught(logged):
    drop_guards()
    raw("DELETE FROM action_log WHERE sandbox_id = :s AND seq = 2", s=logged.id)
    result = action_log.verify(logged.id)
    assert not result.ok and result.first_bad_seq == 3


def test_a_deleted_last_entry_is_caught(logged):
    drop_guards()
    raw("DELETE FROM action_log WHERE sandbox_id = :s AND seq = 5", s=logged.id)
    result = action_log.verify(logged.id)
    assert not result.ok and "removed" in result.reason


def test_an_inserted_entry_is_caught(logged):
    drop_guards()
    last = action_log.entries(logged.id, limit=1)[0]
    raw(
        "INSERT INTO action_log (sandbox_id, seq, actor_id, real_time, sandbox_time, verb, "
        "object_type, object_id, payload, payload_hash, prev_hash, entry_hash) "
        "SELECT sandbox_id, 6, actor_id, real_time, sandbox_time, 'contact.deleted', "
        "object_type, object_id, payload, payload_hash, entry_hash, entry_hash "
        "FROM action_log WHERE id = :id",
        id=last.id,
    )
    result = action_log.verify(logged.id)
    assert not result.ok and result.first_bad_seq == 6


def test_reordered_entries_are_caught(logged):
    drop_guards()
    raw(
        "UPDATE action_log SET seq = seq + 100 WHERE sandbox_id = :s AND seq IN (3, 4)", s=logged.id
    )
    raw("UPDATE action_log SET seq = 4 WHERE sandbox_id = :s AND seq = 103", s=logged.id)
    raw("UPDATE action_log SET seq = 3 WHERE sandbox_id = :s AND seq = 104", s=logged.id)
    result = action_log.verify(logged.id)
    assert not result.ok and result.first_bad_seq in (3, 4)


def test_log_verify_command_passes_then_names_the_broken_entry(runner, logged):
    ok = runner.invoke(args=["log", "verify", "--sandbox", str(logged.id)])
    assert ok.exit_code == 0, ok.output
    assert "5 entries, chain intact" in ok.output
    drop_guards()
    raw("UPDATE action_log SET object_id = 999 WHERE sandbox_id = :s AND seq = 4", s=logged.id)
    bad = runner.invoke(args=["log", "verify"])
    assert bad.exit_code == 1
    assert f"sandbox {logged.id}: BROKEN at entry seq 4" in bad.output


def test_log_verify_command_refuses_an_unknown_sandbox(runner, app):
    result = runner.invoke(args=["log", "verify", "--sandbox", "424242"])
    assert result.exit_code == 1 and "No sandbox 424242" in result.output


def test_a_refused_change_leaves_no_log_entry(logged, ctx_for):
    ctx = ctx_for(logged)
    contact = db.session.scalar(
        db.select(Contact).where(Contact.sandbox_id == logged.id, Contact.last_name == "Lovelace")
    )
    with pytest.raises(contacts.ServiceError):
        contacts.update_contact(ctx, contact, {"email": "not an email"})
    db.session.rollback()
    assert action_log.verify(logged.id).entries == 5
