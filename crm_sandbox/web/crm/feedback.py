"""Feedback: collections (surveys and other methods), analysis with charts, findings, and the
improvement actions that follow from them."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort, flash, g, redirect, render_template, request, url_for

from ...access import learner_area
from ...models import (
    Contact,
    Finding,
    ImprovementAction,
    Question,
    QuestionKind,
    Segment,
    Survey,
)
from ...scoping import MAX_ID
from ...services import charts, feedback
from ...services.loyalty import HANDLING, LOYALTY_FIGURES
from ...wording import count_of, shorten
from ..forms_common import ButtonForm, ConfirmForm, options, save_once
from . import bp
from .common import commit_or_explain, get_or_404, post_then_redirect
from .forms import (
    EvaluateForm,
    FindingForm,
    ImprovementForm,
    QuestionForm,
    ResponseForm,
    SendForm,
    SurveyForm,
    TellForm,
)


@bp.route("/feedback")
@learner_area
def survey_list():
    return render_template("crm/surveys.html", rows=feedback.surveys(g.ctx))


@bp.route("/feedback/new", methods=["GET", "POST"])
@learner_area
def survey_new():
    form = SurveyForm()
    if form.validate_on_submit():
        survey, ok = commit_or_explain(
            save_once(
                form,
                lambda: feedback.create_survey(g.ctx, form.data),
                lambda sv: url_for("crm.survey_detail", survey_id=sv.id),
            ),
            form,
            None,
        )
        if ok:
            flash(
                f"Survey {survey.title!r} created. Add the questions, then send it or record "
                "responses.",
                "success",
            )
            return redirect(url_for("crm.survey_detail", survey_id=survey.id))
    return render_template("crm/survey_form.html", form=form), (422 if form.errors else 200)


@bp.route("/feedback/<int:survey_id>")
@learner_area
def survey_detail(survey_id: int):
    page = feedback.survey_page(g.ctx, survey_id) if survey_id <= MAX_ID else None
    if page is None:
        abort(404)
    return render_template(
        "crm/survey.html",
        survey=page["survey"],
        questions=page["questions"],
        question_form=QuestionForm(),
        send_form=SendForm(),
        audience_sizes=page["audience_sizes"],
        Segment=Segment,
        button=ButtonForm(),
        response_form=ResponseForm(),
        close_form=ConfirmForm(),
        responses=page["responses"],
        contacts_for_response=page["people"],
        QuestionKind=QuestionKind,
    )


@bp.route("/feedback/<int:survey_id>/questions", methods=["POST"])
@learner_area
def survey_question_add(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    form = QuestionForm()
    return post_then_redirect(
        form,
        lambda: feedback.add_question(
            g.ctx, survey, form.kind.data, form.text.data, form.options.data
        ),
        lambda: f"Question added to {survey.title!r}.",
        redirect(url_for("crm.survey_detail", survey_id=survey.id)),
    )


@bp.route("/feedback/<int:survey_id>/send", methods=["POST"])
@learner_area
def survey_send(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    form = SendForm()
    return post_then_redirect(
        form,
        lambda: feedback.send_survey(
            g.ctx, survey, form.category.data, form.segment.data, form.days_open.data
        ),
        lambda: (
            f"Survey {survey.title!r} sent to {count_of(survey.recipients, 'contact')}. "
            "Replies arrive "
            "over the next sandbox days: move the clock on to see them."
        ),
        redirect(url_for("crm.survey_detail", survey_id=survey.id)),
    )


@bp.route("/feedback/<int:survey_id>/responses", methods=["POST"])
@learner_area
def survey_response_add(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    form = ResponseForm()
    if not form.validate_on_submit():
        abort(400)
    answers = {}
    for q in survey.questions:
        key = f"q_{q.id}"
        if q.kind == QuestionKind.MULTI.value:
            answers[q.id] = request.form.getlist(key)
        else:
            answers[q.id] = request.form.get(key, "")
    contact = None
    if request.form.get("contact_id"):
        contact = get_or_404(Contact, request.form["contact_id"])
    return post_then_redirect(
        form,
        lambda: feedback.record_response(g.ctx, survey, answers, contact),
        f"Response to {survey.title!r} recorded.",
        redirect(url_for("crm.survey_detail", survey_id=survey.id)),
    )


@bp.route("/feedback/<int:survey_id>/close", methods=["POST"])
@learner_area
def survey_close(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        commit_or_explain(
            lambda: feedback.close_survey(g.ctx, survey),
            None,
            f"Survey {survey.title!r} closed: no more replies are collected.",
        )
    else:
        flash(
            f"Survey {survey.title!r} is still open: tick the box to confirm closing it.",
            "danger",
        )
    return redirect(url_for("crm.survey_detail", survey_id=survey.id))


def _finding_form(analysis) -> FindingForm:
    form = FindingForm()
    form.question_id.choices = options(
        ("", "— none —"),
        *[
            (str(r.question.id), f"Q{r.question.position}. {r.question.text}")
            for r in analysis.questions
        ],
    )
    themes = sorted({t for r in analysis.questions for t, _, _ in r.themes})
    form.theme.choices = options(("", "— none —"), *[(t, t) for t in themes])
    return form


@bp.route("/feedback/<int:survey_id>/analysis")
@learner_area
def survey_analysis(survey_id: int):
    page = feedback.analysis_page(g.ctx, survey_id) if survey_id <= MAX_ID else None
    if page is None:
        abort(404)
    return render_template(
        "crm/analysis.html",
        survey=page["survey"],
        analysis=page["analysis"],
        finding_form=_finding_form(page["analysis"]),
        findings=page["findings"],
        QuestionKind=QuestionKind,
        figure_labels={k: v.label for k, v in feedback.FIGURES.items()},
    )


@bp.route("/feedback/<int:survey_id>/questions/<int:question_id>/chart.svg")
@learner_area
def survey_question_chart(survey_id: int, question_id: int):
    survey = get_or_404(Survey, survey_id)
    question = get_or_404(Question, question_id)
    if question.survey_id != survey.id:
        abort(404)
    analysis = feedback.analyse(g.ctx, survey)
    result = next(r for r in analysis.questions if r.question.id == question.id)
    if result.themes:
        labels = [t for t, _, _ in result.themes]
        values = [n for _, n, _ in result.themes]
        svg = charts.bar_chart(labels, values, "Comments by theme", "comments", True)
    else:
        labels = [label for label, _ in result.distribution]
        values = [n for _, n in result.distribution]
        horizontal = question.kind in (QuestionKind.SINGLE.value, QuestionKind.MULTI.value)
        svg = charts.bar_chart(
            labels, values, f"Q{question.position}. {question.text}", horizontal=horizontal
        )
    return HttpResponse(svg, mimetype="image/svg+xml")


@bp.route("/feedback/<int:survey_id>/findings", methods=["POST"])
@learner_area
def finding_add(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    analysis = feedback.analyse(g.ctx, survey)
    form = _finding_form(analysis)

    def record():
        response_ids = [int(i) for i in request.form.getlist("response_ids") if i.isdigit()]
        return feedback.add_finding(
            g.ctx,
            survey,
            form.text.data,
            question_id=form.question_id.data or None,
            segment=form.segment.data,
            theme=form.theme.data,
            response_ids=response_ids,
            measure=form.measure.data,
            figure=form.figure.data,
            option=form.option.data,
        )

    return post_then_redirect(
        form,
        record,
        f"Finding from {survey.title!r} recorded with its evidence, beside the CRM's figure for "
        "the same data. Plan an improvement action from it.",
        redirect(url_for("crm.survey_analysis", survey_id=survey.id)),
    )


def _improvement_form(choices: dict) -> ImprovementForm:
    """The form planning an action, with `choices` as `feedback.plan_choices` reads them."""
    form = ImprovementForm()
    form.standard_id.choices = options(
        ("", "— none —"), *[(str(s.id), s.title) for s in choices["standards"]]
    )
    form.measure_question_id.choices = options(
        ("", "— none —"),
        *[
            (str(q.id), f"{shorten(q.title, 40)}: Q{q.position}. {q.text}")
            for q in choices["questions"]
        ],
    )
    return form


@bp.route("/improvements")
@learner_area
def improvement_list():
    page = feedback.improvement_page(g.ctx)
    return render_template(
        "crm/improvements.html",
        findings=page["findings"],
        form=_improvement_form(page),
        evaluate_form=EvaluateForm(),
        tell_form=TellForm(),
        button=ButtonForm(),
        figure_labels={k: v.label for k, v in feedback.FIGURES.items()},
        loyalty_labels={k: v[0] for k, v in LOYALTY_FIGURES.items()},
        handling=HANDLING,
        today=g.ctx.now().date(),
    )


@bp.route("/findings/<int:finding_id>/actions", methods=["POST"])
@learner_area
def improvement_add(finding_id: int):
    finding = get_or_404(Finding, finding_id)
    form = _improvement_form(feedback.plan_choices(g.ctx))
    return post_then_redirect(
        form,
        lambda: feedback.add_action(g.ctx, finding, form.data),
        lambda: f"Improvement action planned: {shorten(form.description.data, 80)}",
        redirect(url_for("crm.improvement_list")),
    )


@bp.route("/improvements/<int:action_id>/done", methods=["POST"])
@learner_area
def improvement_done(action_id: int):
    action = get_or_404(ImprovementAction, action_id)
    if ButtonForm().validate_on_submit():
        commit_or_explain(
            lambda: feedback.complete_action(g.ctx, action),
            None,
            f"Improvement action marked as done: {shorten(action.description, 80)}. "
            "Evaluate it once the measure has had time to move.",
        )
    return redirect(url_for("crm.improvement_list"))


@bp.route("/improvements/<int:action_id>/evaluate", methods=["POST"])
@learner_area
def improvement_evaluate(action_id: int):
    action = get_or_404(ImprovementAction, action_id)
    form = EvaluateForm()
    return post_then_redirect(
        form,
        lambda: feedback.evaluate_action(
            g.ctx, action, form.result.data, form.evaluation.data, form.outcome.data
        ),
        f"Evaluation of '{shorten(action.description, 80)}' recorded beside the CRM's figures "
        "for the period since the change.",
        redirect(url_for("crm.improvement_list")),
    )


@bp.route("/improvements/<int:action_id>/tell", methods=["POST"])
@learner_area
def improvement_tell(action_id: int):
    """ "You said, we did": tell the customers behind the action's finding what changed."""
    action = get_or_404(ImprovementAction, action_id)
    form = TellForm()
    told: dict = {}

    def tell():
        sent, skipped = feedback.tell_customers(g.ctx, action, form.channel.data, form.words.data)
        told.update(sent=len(sent), skipped=len(skipped))

    def done() -> str:
        message = f"Told {count_of(told['sent'], 'customer')} what changed."
        if told["skipped"]:
            message += (
                f" {count_of(told['skipped'], 'customer')} did not agree to that channel: "
                "tell them another way."
            )
        return message

    return post_then_redirect(form, tell, done, redirect(url_for("crm.improvement_list")))
