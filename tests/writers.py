"""Writer processes for the concurrency and backup tests: each builds its own app on the
shared database (as a separate server process would) and records complaints through the
service layer, one transaction each."""

from __future__ import annotations

import multiprocessing
import time
import traceback

from sqlalchemy.exc import OperationalError

# fork: a child starts in a few milliseconds (spawn would re-import the app in each of them)
CONTEXT = multiprocessing.get_context("fork")


def write_complaints(url, instance, sandbox_id, contact_id, count, start, results, label):
    """Record `count` complaints, one per transaction; report (label, done, errors, seconds)."""
    from crm_sandbox.database import write_transactions
    from crm_sandbox.extensions import db
    from crm_sandbox.models import Contact, Sandbox
    from crm_sandbox.services import complaints
    from crm_sandbox.services.context import SandboxContext

    from .conftest import make_app

    errors: list[str] = []
    done = 0
    app = make_app(url, instance)
    with app.app_context():
        start.wait()
        began = time.perf_counter()
        for i in range(count):
            tried = time.perf_counter()
            try:
                with write_transactions():
                    sandbox = db.session.get(Sandbox, sandbox_id)
                    contact = db.session.get(Contact, contact_id)
                    complaints.receive_complaint(
                        SandboxContext(sandbox, sandbox.owner),
                        contact,
                        {
                            "channel": "email",
                            "category": "Other",
                            "description": f"Writer {label}, complaint {i}",
                        },
                    )
                    db.session.commit()
                    done += 1
            except OperationalError as exc:  # "database is locked" would land here
                db.session.rollback()
                waited = time.perf_counter() - tried
                errors.append(f"{exc.orig} (after {waited:.1f} s, in {exc.statement[:60]!r})")
            except Exception:  # noqa: BLE001 - reported to the test, which fails on it
                db.session.rollback()
                errors.append(traceback.format_exc(limit=3))
        seconds = time.perf_counter() - began
        db.session.remove()
        db.engine.dispose()
    results.put((label, done, errors, seconds))


def start_writers(url, instance, sandbox_id, contact_id, processes, each):
    """Start the writer processes; they begin together once all are ready."""
    start = CONTEXT.Barrier(processes)
    results = CONTEXT.Queue()
    workers = [
        CONTEXT.Process(
            target=write_complaints,
            args=(url, instance, sandbox_id, contact_id, each, start, results, n),
        )
        for n in range(processes)
    ]
    for w in workers:
        w.start()
    return workers, results


def finish_writers(workers, results, timeout=600) -> list[tuple]:
    reports = [results.get(timeout=timeout) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0, f"writer process exited with {w.exitcode}"
    return reports
