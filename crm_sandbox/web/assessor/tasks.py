"""The assessor's "Build every learner's pack" for a group they assess, run by the worker."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from ...access import assessor_area
from ...services import groups
from ...services.errors import NotFound
from ...tasks import kinds
from ..tutor.tasks import queue_for_group
from . import bp


@bp.route("/groups/<int:group_id>/evidence-packs", methods=["POST"])
@assessor_area
def group_evidence_packs(group_id: int):
    try:
        found = groups.get_group(current_user, group_id)
    except NotFound:
        abort(404)
    return queue_for_group(found, kinds.ask_group_packs, url_for("assessor.home"))
