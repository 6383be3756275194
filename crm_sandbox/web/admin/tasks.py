"""The admin's tasks page: what the background worker is doing, has done and could not do,
with "Run again" for a failed task (recorded in the staff audit log)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ...access import admin_area
from ...models import BackgroundJob, db
from ...services import background_jobs
from ...services.errors import ServiceError
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp

STATUS_WORDS = {
    "pending": "waiting",
    "running": "running",
    "retrying": "to be tried again",
    "failed": "failed",
    "done": "done",
}


@bp.route("/tasks")
@admin_area
def tasks_page():
    return render_template(
        "admin/tasks.html",
        jobs=background_jobs.jobs(limit=200),
        counts=background_jobs.counts(),
        status_words=STATUS_WORDS,
        kind_words=background_jobs.kind_words,
        form=ButtonForm(),
    )


@bp.route("/tasks/<int:job_id>/run-again", methods=["POST"])
@admin_area
def task_run_again(job_id: int):
    job = db.session.get(BackgroundJob, job_id)
    if job is None:
        abort(404)
    form = ButtonForm()
    with transaction(form, refused="Nothing was changed") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        background_jobs.run_again(job, current_user)
        tx.success = f"Task #{job_id} ({job.summary or job.kind}) is queued again."
    return redirect(url_for(".tasks_page"))
