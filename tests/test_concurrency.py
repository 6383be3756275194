"""Concurrent writers: 16 processes, each with its own app on the same database, record 100
complaints each in one sandbox. No "database is locked", no duplicate reference, and the
action log's chain verifies."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from crm_sandbox.extensions import db
from crm_sandbox.models import ActionLogEntry, Complaint, Contact
from crm_sandbox.services import action_log

from .writers import finish_writers, start_writers

PROCESSES = 16
EACH = 100


@pytest.mark.heavy
def test_sixteen_writer_processes_record_complaints_without_locks_or_duplicates(
    app, provision, tmp_path
):
    sandbox = provision()
    contact_id = db.session.scalar(
        select(Contact.id).where(Contact.sandbox_id == sandbox.id).limit(1)
    )
    log_before = sandbox.log_seq
    complaints_before = set(
        db.session.scalars(select(Complaint.reference).where(Complaint.sandbox_id == sandbox.id))
    )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    db.engine.dispose()  # no connection is shared with the forked writers

    began = time.perf_counter()
    workers, results = start_writers(
        url, tmp_path / "writers", sandbox.id, contact_id, PROCESSES, EACH
    )
    reports = finish_writers(workers, results)
    elapsed = time.perf_counter() - began

    errors = [e for _, _, errs, _ in reports for e in errs]
    assert errors == []  # in particular no "database is locked"
    assert sum(done for _, done, _, _ in reports) == PROCESSES * EACH
    db.session.rollback()
    references = db.session.scalars(
        select(Complaint.reference).where(Complaint.sandbox_id == sandbox.id)
    ).all()
    new = [r for r in references if r not in complaints_before]
    assert len(new) == len(set(new)) == PROCESSES * EACH  # no reference given twice
    assert len(references) == len(complaints_before) + PROCESSES * EACH
    numbers = sorted(int(r.split("-")[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap, no repeat
    received = db.session.scalar(
        select(func.count())
        .select_from(ActionLogEntry)
        .where(ActionLogEntry.sandbox_id == sandbox.id, ActionLogEntry.verb == "complaint.received")
    )
    assert received == PROCESSES * EACH
    result = action_log.verify(sandbox.id)
    assert result.ok, str(result)
    assert result.entries == log_before + PROCESSES * EACH
    print(  # shown with -s: the measurement the lead asked for
        f"\n{PROCESSES}x{EACH} transactions on {db.engine.dialect.name}: {elapsed:.1f} s, "
        f"{PROCESSES * EACH / elapsed:.0f} transactions/s"
    )


def test_the_database_refuses_a_second_complaint_with_the_same_reference(provision):
    sandbox = provision()
    existing = db.session.scalar(
        select(Complaint).where(Complaint.sandbox_id == sandbox.id).limit(1)
    )
    copy = {c.key: getattr(existing, c.key) for c in Complaint.__table__.columns if c.key != "id"}
    with pytest.raises(IntegrityError, match="reference"):
        db.session.execute(insert(Complaint.__table__).values(**copy))
    db.session.rollback()
