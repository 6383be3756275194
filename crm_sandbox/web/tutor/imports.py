"""Importing learners from a CSV file, and the import's progress and first passwords."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user

from ...access import tutor_area
from ...services import tutoring, user_import
from ...services.errors import NotFound
from ...wording import count_of
from ..transaction import transaction
from . import bp
from .common import uploaded_name
from .forms import ImportForm


@bp.route("/import", methods=["GET", "POST"])
@tutor_area
def import_learners():
    form = ImportForm()
    problems, filename = [], ""
    if form.validate_on_submit():
        filename = uploaded_name(form.file.data.filename, "upload.csv")
        with transaction(form) as tx:
            job, problems = tutoring.import_learners(form.file.data.read(), current_user, filename)
            if job is None:
                tx.abandon()
            else:
                _queue(job)
        if tx.ok:
            return redirect(url_for("tutor.import_status", job_id=job.id))
        if problems:
            flash(
                f"Nothing was imported: {count_of(len(problems), 'problem')} in the file. "
                "Correct them and upload it again.",
                "danger",
            )
    return render_template(
        "tutor/import.html",
        form=form,
        problems=problems,
        filename=filename,
        limit_mib=user_import.MAX_FILE_BYTES // (1024 * 1024),
        max_rows=user_import.MAX_ROWS,
    )


def _queue(job) -> None:
    """The worker hashes the import's passwords and saves its accounts once the upload's
    transaction commits; the per-upload secret goes with the task (sealed) and into this
    tutor's session cookie, never into the database."""
    key = secrets.token_bytes(32)
    _remember_import_key(job.id, key)
    user_import.queue_job(job, key, current_user)


# The first passwords of an import are derived from a secret kept only in the importing
# tutor's signed session cookie (never in the database): the last few imports' secrets.
_IMPORT_KEYS = "import_keys"
_IMPORT_KEYS_KEPT = 3


def _remember_import_key(job_id: int, key: bytes) -> None:
    keys = dict(session.get(_IMPORT_KEYS) or {})
    keys[str(job_id)] = key.hex()
    session[_IMPORT_KEYS] = dict(list(keys.items())[-_IMPORT_KEYS_KEPT:])


def _take_import_key(job_id: int) -> bytes | None:
    """The import's secret, forgotten as it is read: its passwords are shown once."""
    keys = dict(session.get(_IMPORT_KEYS) or {})
    found = keys.pop(str(job_id), None)
    if found:
        session[_IMPORT_KEYS] = keys
    return bytes.fromhex(found) if found else None


@bp.route("/imports/<int:job_id>")
@tutor_area
def import_status(job_id: int):
    try:
        job = tutoring.import_job(current_user, job_id)
    except NotFound:
        abort(404)
    state = user_import.job_state(job)
    if state == "done":
        return render_template(
            "tutor/accounts_created.html",
            created=user_import.job_accounts(job, _take_import_key(job.id)),
            groups_created=job.groups_created,
            back=url_for("tutor.home"),
        )
    return render_template(
        "tutor/import_status.html",
        job=job,
        state=state,
        problems=[user_import.ImportProblem(line, message) for line, message in job.problems],
        percent=int(100 * job.hashed / job.total) if job.total else 100,
    )
