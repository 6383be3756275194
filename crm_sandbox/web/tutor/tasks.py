"""The tutor's long tasks for a whole group, run by the worker: provisioning every learner's
practice sandbox, and building every learner's evidence pack. Each button queues the task
and opens its progress page."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user

from ...access import tutor_area
from ...services.errors import ServiceError
from ...tasks import kinds
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp
from .common import group_or_404


def queue_for_group(found, ask, back: str):
    """Queue `ask(current_user, group)` in a transaction; its progress page, or back."""
    form = ButtonForm()
    job_id = None
    with transaction(form, refused="Nothing was started") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        job_id = ask(current_user, found).id
    if tx.ok and job_id is not None:
        return redirect(url_for("main.task_progress", job_id=job_id))
    return redirect(back)


@bp.route("/groups/<int:group_id>/provision", methods=["POST"])
@tutor_area
def provision_group(group_id: int):
    found = group_or_404(group_id)
    return queue_for_group(found, kinds.ask_provisioning, url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/evidence-packs", methods=["POST"])
@tutor_area
def group_evidence_packs(group_id: int):
    found = group_or_404(group_id)
    return queue_for_group(found, kinds.ask_group_packs, url_for("tutor.group", group_id=found.id))
