from flask import abort, render_template
from flask_login import current_user

from ...access import eqa_area
from ...services import action_log, assessment, eqa, groups
from ...services.errors import NotFound
from ...services.writing import report as writing_report
from ..downloads import evidence_pack_response
from ..transaction import transaction
from . import bp


@bp.route("/")
@eqa_area
def home():
    granted = groups.groups_for(current_user, include_archived=True)
    work = {g.id: eqa.work_in_group(current_user, g.id) for g in granted}
    return render_template(
        "eqa/home.html",
        grants=eqa.grants_of(current_user),
        granted=granted,
        work=work,
        assessors=assessment.assessors_for(current_user) if granted else [],
        assessment=assessment,
        active=eqa.ACTIVE,
    )


def _attempt(attempt_id: int):
    try:
        return assessment.attempt_for_assessor(current_user, attempt_id)
    except NotFound:
        abort(404)


@bp.route("/attempts/<int:attempt_id>")
@eqa_area
def attempt(attempt_id: int):
    found = _attempt(attempt_id)
    with transaction(write=True):
        eqa.record_viewed(current_user, found)
    found = _attempt(attempt_id)
    decisions = assessment.decisions_of(found)
    return render_template(
        "eqa/attempt.html",
        attempt=found,
        title=assessment.title_of(found),
        group=assessment.group_of(found, current_user),
        entries=action_log.entries(found.sandbox_id, newest_first=False),
        criteria=assessment.criteria_view(found),
        decisions=decisions,
        reviews={d.id: assessment.reviews_of(d) for d in decisions},
        writing=writing_report.for_attempt(found),
        labels=assessment.DECISION_LABELS,
    )


@bp.route("/attempts/<int:attempt_id>/evidence.zip")
@eqa_area
def evidence_pack(attempt_id: int):
    """The learner's evidence pack as this EQA may see it: the granted groups' work only."""
    found = _attempt(attempt_id)
    with transaction(write=True):
        eqa.record_downloaded(current_user, found)
    learner = _attempt(attempt_id).learner
    return evidence_pack_response(learner, viewer=current_user)


@bp.route("/assessors/<int:assessor_id>")
@eqa_area
def sample(assessor_id: int):
    try:
        assessor = assessment.assessor_for_iqa(current_user, assessor_id)
    except NotFound:
        abort(404)
    plan = assessment.plan_of(assessor)
    return render_template(
        "eqa/sample.html",
        assessor=assessor,
        plan=plan,
        rules=assessment.plan_rules(plan) if plan else [],
        rows=assessment.sample_for(current_user, assessor),
        assessment=assessment,
        labels=assessment.DECISION_LABELS,
    )
