"""`crm-sandbox backup` takes a consistent copy while writers run; `crm-sandbox restore` puts
it back (refusing to overwrite data without --force); the restored database passes SQLite's
integrity check, every action log verifies, and its counts agree with each other."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Complaint, Contact
from crm_sandbox.models.complaints import SandboxCounter

from .conftest import TEST_DATABASE_URL, dispose, make_app
from .databases import empty_database
from .writers import finish_writers, start_writers

WRITERS = 4
EACH = 150


def complaint_count(sandbox_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Complaint).where(Complaint.sandbox_id == sandbox_id)
    )


@pytest.fixture
def restore_target(tmp_path):
    with empty_database(tmp_path, "restore") as url:
        yield url


@pytest.mark.heavy
def test_a_backup_taken_while_writers_run_restores_consistently(
    app, runner, provision, tmp_path, restore_target
):
    sandbox = provision()
    sandbox_id = sandbox.id
    contact_id = db.session.scalar(
        select(Contact.id).where(Contact.sandbox_id == sandbox_id).limit(1)
    )
    before = complaint_count(sandbox_id)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    db.engine.dispose()

    workers, results = start_writers(
        url, tmp_path / "writers", sandbox_id, contact_id, WRITERS, EACH
    )
    try:
        deadline = time.monotonic() + 120
        while complaint_count(sandbox_id) < before + 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        backup_file = tmp_path / "backup.crm"
        result = runner.invoke(args=["backup", "--out", str(backup_file)])
        assert result.exit_code == 0, result.output
    finally:
        reports = finish_writers(workers, results)
    assert [e for _, _, errs, _ in reports for e in errs] == []
    final = complaint_count(sandbox_id)
    assert final == before + WRITERS * EACH

    restored = make_app(restore_target, tmp_path / "restored-instance")
    restore_runner = restored.test_cli_runner()
    try:
        with restored.app_context():  # the commands below run on the restored database
            result = restore_runner.invoke(args=["restore", str(backup_file)])
            assert result.exit_code == 0, result.output
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            # every log's chain verifies, and each sandbox's head matches its log
            result = restore_runner.invoke(args=["log", "verify"])
            assert result.exit_code == 0, result.output
            backed_up = db.session.scalar(
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.sandbox_id == sandbox_id)
            )
            logged = db.session.scalar(
                select(func.count())
                .select_from(ActionLogEntry)
                .where(
                    ActionLogEntry.sandbox_id == sandbox_id,
                    ActionLogEntry.verb == "complaint.received",
                )
            )
            counter = db.session.scalar(
                select(SandboxCounter.value).where(
                    SandboxCounter.sandbox_id == sandbox_id, SandboxCounter.name == "complaint"
                )
            )
            db.session.remove()
            # one snapshot: the complaints, their log entries and the reference counter agree
            assert backed_up - before == logged == counter - before
            # and it was taken while the writers were still writing
            assert before < backed_up < final

            refused = restore_runner.invoke(args=["restore", str(backup_file)])
            assert refused.exit_code == 1
            assert "already has data" in refused.output and "--force" in refused.output
            forced = restore_runner.invoke(args=["restore", "--force", str(backup_file)])
            assert forced.exit_code == 0, forced.output
    finally:
        dispose(restored)


def test_backup_refuses_to_overwrite_a_file(runner, tmp_path: Path):
    existing = tmp_path / "taken.crm"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", "--out", str(existing)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert existing.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path: Path, create_user):
    create_user()
    junk = tmp_path / "junk.crm"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["restore", "--force", str(junk)])
    assert result.exit_code == 1 and "Not restored" in result.output
    missing = runner.invoke(args=["restore", str(tmp_path / "missing.crm")])
    assert missing.exit_code == 1 and "no backup file" in missing.output


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite files")
def test_a_backup_and_a_restored_database_are_readable_by_their_owner_only(
    runner, create_user, tmp_path: Path
):
    create_user()
    old_umask = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        backup_file = tmp_path / "taken.crm"
        assert runner.invoke(args=["backup", "--out", str(backup_file)]).exit_code == 0
        restored_path = tmp_path / "restored.sqlite3"
        restored = make_app(f"sqlite:///{restored_path}", tmp_path / "restored-instance")
        try:
            with restored.app_context():
                result = restored.test_cli_runner().invoke(args=["restore", str(backup_file)])
            assert result.exit_code == 0, result.output
        finally:
            dispose(restored)
    finally:
        os.umask(old_umask)
    assert _mode(backup_file) == 0o600
    assert _mode(restored_path) == 0o600
