"""The learner's view of assessment: feedback on their own work, and their progress towards
their qualification's criteria."""

from flask import abort, render_template
from flask_login import current_user

from ...access import learner_area
from ...services import assessment, assignments, groups
from ...services.errors import NotFound
from . import bp


@bp.route("/scenarios/<int:attempt_id>/feedback")
@learner_area
def feedback(attempt_id: int):
    try:
        attempt = assignments.attempt_for(current_user, attempt_id)
    except NotFound:
        abort(404)
    return render_template(
        "learner/feedback.html",
        attempt=attempt,
        title=assessment.title_of(attempt),
        result=assessment.feedback_for(attempt),
        labels=assessment.DECISION_LABELS,
        has_reviewer=groups.attempt_has_reviewer(attempt),
    )


@bp.route("/criteria")
@learner_area
def criteria():
    return render_template(
        "learner/criteria.html", bodies=assessment.criteria_progress(current_user)
    )
