"""Service standards: write, agree, monitor (with a chart), measure, record findings."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from ...access import learner_area
from ...extensions import db
from ...models import AnswerKind, Contact, Direction, Interaction, Measure, ServiceStandard
from ...services import charts, contacts, conversations, standards
from ...services.errors import ServiceError
from ...wording import datetime_text
from ..forms_common import options, save_once
from . import bp
from .common import commit_or_explain, get_or_404, post_then_redirect
from .forms import (
    AgreeForm,
    MeasurementForm,
    ProposeStandardForm,
    StandardFindingForm,
    StandardForm,
)


def _period_args() -> tuple[date | None, date | None]:
    def parse(name):
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    return parse("from"), parse("to")


def _standard_data(form: StandardForm) -> dict:
    return {
        name: form[name].data
        for name in (
            "title",
            "description",
            "measure",
            "threshold",
            "threshold_unit",
            "target_percent",
            "period",
            "method",
            "agreed_with",
        )
    }


@bp.route("/standards")
@learner_area
def standard_list():
    return render_template("crm/standards.html", summary=standards.standard_list(g.ctx))


@bp.route("/standards/new", methods=["GET", "POST"])
@learner_area
def standard_new():
    form = StandardForm()
    if form.validate_on_submit():
        standard, ok = commit_or_explain(
            save_once(
                form,
                lambda: standards.create_standard(g.ctx, _standard_data(form)),
                lambda st: url_for("crm.standard_detail", standard_id=st.id),
            ),
            form,
        )
        if ok:
            flash(f"Standard {standard.title!r} saved as a draft.", "success")
            return redirect(url_for("crm.standard_detail", standard_id=standard.id))
    return render_template("crm/standard_form.html", form=form, standard=None), (
        422 if form.errors else 200
    )


@bp.route("/standards/<int:standard_id>/edit", methods=["GET", "POST"])
@learner_area
def standard_edit(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    form = StandardForm(obj=standard)
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            lambda: standards.update_standard(g.ctx, standard, _standard_data(form)),
            form,
            f"Standard {standard.title!r} updated.",
        )
        if ok:
            return redirect(url_for("crm.standard_detail", standard_id=standard.id))
    return render_template("crm/standard_form.html", form=form, standard=standard), (
        422 if form.errors else 200
    )


def _conversation(standard: ServiceStandard) -> list[Interaction]:
    """The messages about this standard: proposals and the customers' replies, oldest first."""
    return list(
        db.session.scalars(
            standards.conversation_select(g.ctx.sandbox_id, standard.id).order_by(
                *standards.CONVERSATION_ORDER
            )
        )
    )


def _agreeing_replies(standard, messages) -> list:
    """Customers' replies that agree the standard as it stands now (newest first)."""
    now_terms = standards.terms(standard)
    return [
        m
        for m in reversed(messages)
        if m.direction == Direction.INBOUND.value
        and m.answer_kind == AnswerKind.AGREES_STANDARD.value
        and (m.details or {}).get("terms") == now_terms
    ]


def _reply_choices(replies) -> list:
    return options(
        *[
            (str(m.id), f"{m.contact.display_name}, {datetime_text(m.occurred_at)}")
            for m in replies
        ],
        ("", "No reply: agreed in person (recorded on your word, not the customer's)"),
    )


def _contact_choices(people=None):
    """The propose form's people (`people`, as read for the page, or read now)."""
    if people is None:
        people = contacts.people_to_choose(g.ctx, internal_first=True)
    return options(
        ("", "— none —"),
        *[(str(p.id), f"{p.name} ({'internal' if p.internal else 'external'})") for p in people],
    )


@bp.route("/standards/<int:standard_id>")
@learner_area
def standard_detail(standard_id: int):
    page = standards.standard_page(g.ctx, standard_id, *_period_args())
    if page is None:
        abort(404)
    standard, result, messages = page["standard"], page["result"], page["messages"]
    status = 200
    if page["period_error"]:
        # A period that cannot be shown: say why (the usual period is shown instead).
        flash(page["period_error"], "danger")
        status = 400
    agree = AgreeForm()
    agree.reply_id.choices = _reply_choices(_agreeing_replies(standard, messages))
    propose = ProposeStandardForm()
    propose.contact_id.choices = _contact_choices(page["people"])
    finding = StandardFindingForm()
    if result:
        finding.period_from.data = result.period_from.isoformat()
        finding.period_to.data = result.period_to.isoformat()
    findings = [
        (f, standards.figures.compare(standard.measure, _stated(f), _computed(f)))
        for f in page["findings"]
    ]
    return render_template(
        "crm/standard.html",
        standard=standard,
        problems=page["problems"],
        result=result,
        vague=standards.vague_words(f"{standard.title} {standard.description}"),
        agree_form=agree,
        propose_form=propose,
        messages=messages,
        findings=findings,
        tolerance=standards.figures.tolerance(standard.measure),
        agreed_reply=next((m for m in messages if m.id == standard.agreed_reply_id), None),
        measure_form=MeasurementForm(),
        finding_form=finding,
        Measure=Measure,
    ), status


def _stated(f) -> dict:
    return {"value": f.stated_value, "cases": f.stated_cases, "breaches": f.stated_breaches}


def _computed(f) -> dict:
    return {"value": f.computed_value, "cases": f.computed_cases, "breaches": f.computed_breaches}


@bp.route("/standards/<int:standard_id>/chart.svg")
@learner_area
def standard_chart(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    period_from, period_to = _period_args()
    if standards.measurability_problems(standard):
        points, target, unit = [], None, "%"
    else:
        try:
            result = standards.compliance(g.ctx, standard, period_from, period_to)
        except ServiceError as exc:
            return Response(charts.message_chart(exc.message), 400, mimetype="image/svg+xml")
        points = standards.series(result)
        unit = result.unit
        target = (
            standard.threshold
            if Measure(standard.measure) in (Measure.SATISFACTION, Measure.MANUAL)
            else standard.target_percent
        )
    svg = charts.compliance_chart(points, target, unit, standard.title)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/standards/<int:standard_id>/propose", methods=["POST"])
@learner_area
def standard_propose(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    form = ProposeStandardForm()
    form.contact_id.choices = _contact_choices()

    def propose():
        try:
            contact_id = int(form.contact_id.data or "")
        except ValueError:
            message = "Choose the customer you are proposing it to."
            raise ServiceError(message, "contact_id") from None
        return conversations.send_message(
            g.ctx,
            g.ctx.get(Contact, contact_id),
            {
                "channel": form.channel.data,
                "purpose": "propose_standard",
                "summary": form.summary.data,
                "standard_id": standard.id,
            },
        )

    return post_then_redirect(
        form,
        propose,
        "Proposal sent. Their reply will appear on this page and on their record.",
        redirect(url_for("crm.standard_detail", standard_id=standard.id)),
    )


@bp.route("/standards/<int:standard_id>/agree", methods=["POST"])
@learner_area
def standard_agree(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    form = AgreeForm()
    form.reply_id.choices = _reply_choices(_agreeing_replies(standard, _conversation(standard)))

    def agree():
        reply = None
        if form.reply_id.data:
            try:
                reply = g.ctx.get(Interaction, int(form.reply_id.data))
            except ValueError:
                raise ServiceError("Choose the customer's reply.", "reply_id") from None
        return standards.agree_standard(g.ctx, standard, form.agreed_with.data or "", reply=reply)

    return post_then_redirect(
        form,
        agree,
        lambda: f"Agreement recorded: {standard.title!r} is now agreed.",
        redirect(url_for("crm.standard_detail", standard_id=standard.id)),
    )


@bp.route("/standards/<int:standard_id>/measure", methods=["POST"])
@learner_area
def standard_measure(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    form = MeasurementForm()
    return post_then_redirect(
        form,
        lambda: standards.record_measurement(
            g.ctx, standard, form.taken_on.data, form.value.data, form.note.data
        ),
        lambda: f"Value {form.value.data} recorded for {standard.title!r}.",
        redirect(url_for("crm.standard_detail", standard_id=standard.id)),
    )


@bp.route("/standards/<int:standard_id>/findings", methods=["POST"])
@learner_area
def standard_finding(standard_id: int):
    standard = get_or_404(ServiceStandard, standard_id)
    form = StandardFindingForm()

    def parse(value):
        try:
            return date.fromisoformat(value or "")
        except ValueError:
            return None

    return post_then_redirect(
        form,
        lambda: standards.add_finding(
            g.ctx,
            standard,
            form.text.data,
            parse(form.period_from.data),
            parse(form.period_to.data),
            value=form.stated_value.data,
            cases=form.stated_cases.data,
            breaches=form.stated_breaches.data,
            from_crm=form.from_crm.data,
        ),
        f"Finding recorded against {standard.title!r}.",
        redirect(url_for("crm.standard_detail", standard_id=standard.id)),
    )
