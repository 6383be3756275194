"""Internal quality assurance by sampling plan: per assessor, the plan an IQA (another
assessor or an admin) sets, the sample it picks, which are reviewed and which outstanding."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from ...access import assessor_area
from ...services import assessment
from ...services.errors import NotFound, ServiceError
from ..forms_common import form_problems, save_once
from ..transaction import transaction
from . import bp
from .forms import ReviewForm


def _number(name: str) -> IntegerField:
    label, low, high = assessment.PLAN_LIMITS[name]
    return IntegerField(
        label,
        validators=[
            InputRequired(message=f"{label}: give a whole number."),
            NumberRange(min=low, max=high, message=f"{label}: from {low} to {high}."),
        ],
    )


class PlanForm(FlaskForm):
    percentage = _number("percentage")
    new_assessor_decisions = _number("new_assessor_decisions")
    new_assessor_days = _number("new_assessor_days")
    new_scenario_decisions = _number("new_scenario_decisions")
    borderline = BooleanField("Sample every borderline decision")
    submit = SubmitField("Save the sampling plan")


def _assessor(assessor_id: int):
    try:
        return assessment.assessor_for_iqa(current_user, assessor_id)
    except NotFound:
        abort(404)


@bp.route("/iqa")
@assessor_area
def iqa():
    people = assessment.assessors_for(current_user)
    samples = {p.id: assessment.sample_for(current_user, p) for p in people}
    return render_template(
        "assessor/iqa.html",
        people=people,
        samples=samples,
        plans={p.id: assessment.plan_of(p) for p in people},
    )


def _page(assessor, form=None, status=200):
    plan = assessment.plan_of(assessor)
    if form is None:
        form = PlanForm(formdata=None, obj=plan) if plan else PlanForm(formdata=None)
        if plan is None:
            form.percentage.data, form.new_assessor_decisions.data = 10, 5
            form.new_assessor_days.data, form.new_scenario_decisions.data = 90, 2
            form.borderline.data = True
    return render_template(
        "assessor/iqa_assessor.html",
        assessor=assessor,
        plan=plan,
        rules=assessment.plan_rules(plan) if plan else [],
        rows=assessment.sample_for(current_user, assessor),
        form=form,
        review_form=ReviewForm(formdata=None),
        assessment=assessment,
        labels=assessment.DECISION_LABELS,
        work_link="assessor.attempt",
    ), status


@bp.route("/iqa/<int:assessor_id>")
@assessor_area
def iqa_assessor(assessor_id: int):
    return _page(_assessor(assessor_id))


@bp.route("/iqa/<int:assessor_id>/plan", methods=["POST"])
@assessor_area
def iqa_plan(assessor_id: int):
    assessor = _assessor(assessor_id)
    form = PlanForm()
    with transaction(form, success=f"Sampling plan for {assessor.name} saved.") as tx:
        if not form.validate_on_submit():
            raise ServiceError(form_problems(form))
        assessment.set_plan(
            assessor,
            current_user,
            borderline=form.borderline.data,
            **{name: form[name].data for name in assessment.PLAN_LIMITS},
        )
    if not tx.ok:
        return _page(_assessor(assessor_id), form=form, status=422)
    return redirect(url_for(".iqa_assessor", assessor_id=assessor_id))


@bp.route("/iqa/<int:assessor_id>/decisions/<int:decision_id>/review", methods=["POST"])
@assessor_area
def iqa_review(assessor_id: int, decision_id: int):
    assessor = _assessor(assessor_id)
    try:
        decision = assessment.decision_for_reviewer(current_user, decision_id)
    except NotFound:
        abort(404)
    if decision.assessor_id != assessor.id:
        abort(404)
    form = ReviewForm()
    back = url_for(".iqa_assessor", assessor_id=assessor_id, _anchor=f"decision-{decision_id}")
    with transaction() as tx:
        if not form.validate_on_submit():
            raise ServiceError(form_problems(form))
        save_once(
            form,
            lambda: assessment.review(
                decision, current_user, form.agrees.data == "agree", form.comment.data
            ),
            lambda _: back,
        )()
        tx.success = f"Review of {assessor.name}'s decision recorded: you {form.agrees.data}."
    return redirect(back)
