"""The action log: appended with every change, refused any edit by the database, and a hash
chain that `crm-sandbox log verify` checks."""

from __future__ import annotations

import stat
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from crm_sandbox import config
from crm_sandbox.app import MIGRATIONS_DIR
from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Contact, User
from crm_sandbox.services import action_log, contacts, personal_data

from .tampering import drop_guards, rewrite_and_rehash


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


# ---------------------------------------------------------------- the keyed checkpoint


def _new_phone(payload: dict) -> dict:
    return {**payload, "after": {"phone": "0800 000 0000"}}


def test_every_entry_moves_the_keyed_checkpoint_to_the_new_head(logged, app):
    key = action_log.log_key()
    assert logged.log_mac == action_log.head_mac(key, logged.id, 5, logged.log_head)
    assert action_log.verify(logged.id).ok
    assert "keyed checkpoint matches" in str(action_log.verify(logged.id))


def test_an_edited_and_fully_rehashed_log_fails_its_keyed_checkpoint(logged):
    rewrite_and_rehash(logged.id, 5, _new_phone)

    result = action_log.verify(logged.id)

    # The unkeyed chain was re-hashed perfectly: only the keyed checkpoint catches it.
    assert not result.ok
    assert result.first_bad_seq == 5 and result.entries == 5
    assert "does not match its keyed checkpoint" in result.reason
    assert action_log.entries(logged.id, limit=1)[0].payload["after"]["phone"] == "0800 000 0000"


def test_an_edit_in_the_middle_rehashed_to_the_end_is_caught_too(logged):
    rewrite_and_rehash(logged.id, 2, lambda p: {**p, "after": {**p["after"], "last_name": "X"}})
    result = action_log.verify(logged.id)
    assert not result.ok and "keyed checkpoint" in result.reason


def test_log_verify_command_names_the_sandbox_whose_rehashed_head_fails(runner, logged):
    rewrite_and_rehash(logged.id, 4, _new_phone)

    result = runner.invoke(args=["log", "verify"])

    assert result.exit_code == 1
    assert f"sandbox {logged.id}: BROKEN at entry seq 5" in result.output
    assert "(seq 5," in result.output and "does not match its keyed checkpoint" in result.output
    assert "1 of 1 log(s) failed verification" in result.output


def test_a_checkpoint_copied_from_another_sandbox_does_not_fit(logged, provision, ctx_for):
    other = provision()
    contacts.create_contact(
        ctx_for(other), {"first_name": "Alan", "last_name": "Turing", "category": "external"}
    )
    db.session.commit()
    raw(
        "UPDATE sandboxes SET log_seq = :seq, log_head = :head, log_mac = :mac WHERE id = :s",
        seq=other.log_seq,
        head=other.log_head,
        mac=other.log_mac,
        s=logged.id,
    )
    db.session.expire_all()
    assert not action_log.verify(logged.id).ok


def test_a_removed_checkpoint_is_reported_not_taken_for_an_old_log(logged):
    raw("UPDATE sandboxes SET log_mac = NULL WHERE id = :s", s=logged.id)
    db.session.expire_all()
    result = action_log.verify(logged.id)
    assert not result.ok and "has no keyed checkpoint" in result.reason


def test_the_log_verifies_only_with_the_key_it_was_written_with(logged):
    assert action_log.verify(logged.id, key=b"k" * 64).ok is False
    assert action_log.verify(logged.id, key=action_log.log_key()).ok


def test_without_a_configured_key_one_is_generated_into_the_instance_folder_0600(app_factory):
    app = app_factory(LOG_KEY=None)
    with app.app_context():
        key = action_log.log_key()
        path = Path(app.instance_path) / "log_key"
        assert path.read_text().encode() == key and len(key) == 64
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert config.instance_log_key(app.instance_path, create=False).encode() == key


def test_erasing_payloads_is_the_one_change_that_still_verifies_and_is_counted(logged, create_user):
    learner = db.session.get(User, logged.owner_id)
    erasure = personal_data.erase_learner(learner)
    db.session.commit()

    result = action_log.verify(logged.id)

    assert result.ok, str(result)
    assert result.erased == erasure.log_payloads_erased == 5
    assert "5 payload(s) erased for data protection" in str(result)
    assert action_log.entries(logged.id, limit=1)[0].verb == personal_data.ERASED_VERB


def test_the_migration_checkpoints_logs_written_before_keyed_checkpoints(logged, app):
    head = logged.log_head
    db.session.commit()  # end the test's read transaction: the migration alters the table
    with app.app_context():
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="d3a8f0b1c2e4")
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
    db.session.expire_all()
    mac = db.session.scalar(text("SELECT log_mac FROM sandboxes WHERE id = :s"), {"s": logged.id})
    assert mac == action_log.head_mac(action_log.log_key(), logged.id, 5, head)
    assert action_log.verify(logged.id).ok


def test_log_verify_without_the_key_says_so_and_never_makes_one_up(app_factory, provision):
    app = app_factory(LOG_KEY=None)
    with app.app_context():
        key_file = Path(app.instance_path) / "log_key"
        key_file.write_text("a" * 64)  # the key the logs are written with
        sandbox = provision()
        db.session.commit()
        assert sandbox.log_seq > 0
        key_file.unlink()  # verifying elsewhere, without the key

    elsewhere = app_factory(LOG_KEY=None)
    with elsewhere.app_context():
        result = elsewhere.test_cli_runner().invoke(args=["log", "verify"])

        assert result.exit_code == 1
        assert "No log key here" in result.output and "Nothing was verified" in result.output
        assert not key_file.exists()
