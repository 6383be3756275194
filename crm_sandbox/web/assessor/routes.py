from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import assessor_area
from ...criteria import ref_of
from ...services import assessment, groups, hints, log_words
from ...services.errors import NotFound, ServiceError
from ...services.writing import report as writing_report
from ...wording import date_text
from ..downloads import evidence_pack_response
from ..forms_common import ButtonForm, form_problems, options, save_once
from ..transaction import transaction
from . import bp
from .forms import DecideForm, JudgeForm, QueueFilterForm, ReviewForm


@bp.route("/")
@assessor_area
def home():
    mine = groups.groups_for(current_user)
    form = QueueFilterForm(formdata=request.args)
    form.group.choices = options(("", "All groups"), *((str(g.id), g.name) for g in mine))
    form.scenario.choices = options(
        ("", "All scenarios"), *assessment.queue_scenarios(current_user)
    )
    filtered = bool(request.args) and form.validate()
    waiting = assessment.queue(
        current_user,
        group_id=int(form.group.data) if filtered and form.group.data else None,
        scenario_id=form.scenario.data if filtered else None,
        older_than_days=form.older_than.data if filtered else None,
    )
    return render_template(
        "assessor/home.html",
        form=form,
        filtered=filtered,
        waiting=waiting,
        groups=mine,
        counts=groups.learner_counts(mine),
        pack_form=ButtonForm(),
        assessment=assessment,
        viewer=current_user,
    )


def _attempt(attempt_id: int):
    try:
        return assessment.attempt_for_assessor(current_user, attempt_id)
    except NotFound:
        abort(404)


def _page(attempt, decide_form=None, failed_judgement=None, status=200):
    entries = log_words.timeline(attempt.sandbox_id)
    criteria = assessment.criteria_view(attempt)
    evidence: dict[int, list[str]] = {}
    for view in criteria:
        for check in view.checks:
            for seq in check.evidence:
                evidence.setdefault(seq, [])
                if check.id not in evidence[seq]:
                    evidence[seq].append(check.id)
    used_hints = hints.used_in(attempt)
    return render_template(
        "assessor/attempt.html",
        attempt=attempt,
        results=attempt.latest_results,
        hints=used_hints,
        hint_cost=round(sum(h.cost for h in used_hints), 3),
        title=assessment.title_of(attempt),
        group=assessment.group_of(attempt, current_user),
        entries=entries,
        real_when=log_words.real_when,
        evidence=evidence,
        criteria=criteria,
        decisions=assessment.decisions_of(attempt),
        judge_form=JudgeForm(formdata=None),
        decide_form=decide_form or DecideForm(formdata=None),
        failed=failed_judgement or {},
        waiting=attempt.status == "submitted",
        writing=writing_report.for_attempt(attempt),
        labels=assessment.DECISION_LABELS,
    ), status


@bp.route("/attempts/<int:attempt_id>")
@assessor_area
def attempt(attempt_id: int):
    return _page(_attempt(attempt_id))


@bp.route("/attempts/<int:attempt_id>/judge", methods=["POST"])
@assessor_area
def judge(attempt_id: int):
    attempt = _attempt(attempt_id)
    form = JudgeForm()
    criterion_id = form.criterion_id.data or ""
    with transaction(success=f"Judgement on {ref_of(criterion_id)} recorded.") as tx:
        if not form.validate_on_submit():
            raise ServiceError(form_problems(form))
        assessment.judge(attempt, current_user, criterion_id, form.decision.data, form.comment.data)
    if not tx.ok:
        failed = {
            "criterion": criterion_id,
            "decision": form.decision.data,
            "comment": form.comment.data,
            "message": tx.error.message,
        }
        return _page(_attempt(attempt_id), failed_judgement=failed, status=422)
    return redirect(url_for(".attempt", attempt_id=attempt_id, _anchor=f"criterion-{criterion_id}"))


@bp.route("/attempts/<int:attempt_id>/decide", methods=["POST"])
@assessor_area
def decide(attempt_id: int):
    attempt = _attempt(attempt_id)
    form = DecideForm()
    if not form.validate_on_submit():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        flash(f"Nothing was signed: {problems}", "danger")
        return _page(attempt, decide_form=form, status=422)
    work = f"{attempt.learner.name}'s {attempt.sandbox.title!r}"
    with transaction(form) as tx:
        made = assessment.decide(attempt, current_user, form.outcome.data, form.feedback.data)
        tx.success = (
            f"{work} signed off as met. They can read your feedback."
            if made.outcome == "met"
            else f"{work} returned to the learner as not yet met: their CRM is writable again "
            "to work on."
        )
    if not tx.ok:
        return _page(_attempt(attempt_id), decide_form=form, status=422)
    return redirect(url_for(".home"))


@bp.route("/quality")
@assessor_area
def quality():
    sample = assessment.quality_sample(current_user)
    return render_template(
        "assessor/quality.html",
        sample=sample,
        reviews={d.id: assessment.reviews_of(d) for d in sample},
        form=ReviewForm(formdata=None),
        assessment=assessment,
        labels=assessment.DECISION_LABELS,
    )


@bp.route("/quality/<int:decision_id>", methods=["POST"])
@assessor_area
def review(decision_id: int):
    try:
        decision = assessment.decision_for_reviewer(current_user, decision_id)
    except NotFound:
        abort(404)
    form = ReviewForm()
    back = url_for(".quality", _anchor=f"decision-{decision_id}")
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
        tx.success = (
            f"Quality review of {decision.assessor.name}'s decision (signed "
            f"{date_text(decision.created_at)}) recorded: you {form.agrees.data}."
        )
    return redirect(back)


@bp.route("/attempts/<int:attempt_id>/evidence.zip")
@assessor_area
def evidence_pack(attempt_id: int):
    """The evidence pack of the learner whose work this is: the work of theirs this assessor
    may open (their groups', submitted or decided) and its feedback."""
    learner = _attempt(attempt_id).learner
    return evidence_pack_response(learner, viewer=current_user)
