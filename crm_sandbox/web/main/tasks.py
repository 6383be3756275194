"""A background task's progress page (served by any instance: the progress is in the
database) and the download of what it made."""

from __future__ import annotations

from flask import abort, render_template, send_file
from flask_login import current_user

from ...access import roles
from ...models import Role
from ...services import background_jobs
from ...services.errors import NotFound
from ...tasks import kinds
from . import bp

staff = roles(Role.TUTOR, Role.ASSESSOR, Role.ADMIN)


def job_or_404(job_id: int):
    try:
        return background_jobs.job_for(current_user, job_id)
    except NotFound:
        abort(404)


@bp.route("/tasks/<int:job_id>")
@staff
def task_progress(job_id: int):
    job = job_or_404(job_id)
    return render_template(
        "tasks/progress.html",
        job=job,
        kind_words=background_jobs.kind_words(job.kind),
        may_download=job.kind == "group-packs" and job.started_by_id == current_user.id,
    )


@bp.route("/tasks/<int:job_id>/download")
@staff
def task_download(job_id: int):
    job = job_or_404(job_id)
    try:
        path, name = kinds.packs_download(current_user, job)
    except NotFound:
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)
