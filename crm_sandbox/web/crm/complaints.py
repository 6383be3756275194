"""Complaints: the list, recording one, and each move of the procedure."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, g, redirect, render_template, request, url_for

from ...access import learner_area
from ...models import Complaint, Contact, Interaction, Stage
from ...services import complaints
from ...services.complaints import rules as policy_rules
from ...services.complaints.page import complaint_page
from ...services.errors import NotFound, ServiceError
from ...services.validation import value_or_blank
from ...wording import datetime_text
from ..forms_common import ButtonForm, save_once
from ..forms_common import options as select_options
from . import bp
from .common import commit_or_explain, get_or_404, post_then_redirect
from .forms import (
    AcknowledgeForm,
    AskSatisfiedForm,
    CloseForm,
    ComplaintForm,
    EscalateForm,
    NoteForm,
    ProposeForm,
    ResolveForm,
    UpdateForm,
)

UNCONFIRMED = "No: the customer has not told you they are satisfied (closed as unconfirmed)"


def _close_form(complaint: Complaint, satisfied: list[Interaction]) -> CloseForm:
    form = _lesson_choices(CloseForm(prefix="close"))
    form.satisfaction_reply.choices = select_options(
        *(
            (str(m.id), f"Yes: confirmed by the customer's reply of {datetime_text(m.occurred_at)}")
            for m in satisfied
        ),
        ("", UNCONFIRMED),
    )
    return form


def _policies() -> dict:
    return g.ctx.organisation.policies or {}


def _resolve_form() -> ResolveForm:
    form = ResolveForm(prefix="res")
    form.policy_rule.choices = select_options(
        ("", "Choose the rule…"), *policy_rules.rule_choices(_policies())
    )
    return form


def _escalate_form() -> EscalateForm:
    form = EscalateForm(prefix="esc")
    form.rule.choices = select_options(
        ("", "None of these (a judgement call)"),
        *(
            (str(n), f"{n}. {text[0].upper()}{text[1:]}")
            for n, text in policy_rules.escalation_rules(complaints.procedure(g.ctx))
        ),
    )
    return form


def _lesson_choices(form: CloseForm) -> CloseForm:
    form.lessons_policy.choices = select_options(
        ("", "Choose…"), *policy_rules.policy_choices(_policies())
    )
    form.lessons_change.choices = select_options(
        ("", "Choose…"), *policy_rules.LESSON_CHANGES.items()
    )
    return form


def _recorded_choices(complaint: Complaint) -> dict:
    """The structured choices recorded on the complaint, in words for the page."""
    policies = _policies()
    rule = policy_rules.find_rule(policies, complaint.policy_rule)
    titles = dict(policy_rules.policy_choices(policies))
    reasons = dict(policy_rules.escalation_rules(complaints.procedure(g.ctx)))
    return {
        "rule": rule.label(titles.get(rule.policy, "")) if rule else complaint.policy_rule,
        "lesson_policy": titles.get(complaint.lessons_policy, complaint.lessons_policy),
        "lesson_change": policy_rules.LESSON_CHANGES.get(
            complaint.lessons_change, complaint.lessons_change
        ),
        "escalation_rule": (
            f"{complaint.escalation_rule}. {reasons.get(complaint.escalation_rule, '')}"
            if complaint.escalation_rule
            else ""
        ),
    }


def _remedy(form) -> dict | None:
    """The remedy a form names (None when no type is chosen)."""
    if not form.remedy_type.data:
        return None
    return {
        "type": form.remedy_type.data,
        "amount": form.remedy_amount.data or None,
        "by": form.remedy_by.data,
    }


@bp.route("/complaints")
@learner_area
def complaint_list():
    args = request.args
    filters = complaints.ComplaintFilters(
        stage=value_or_blank(args.get("stage"), Stage),
        owner=args.get("owner", "")[:120],
        overdue=args.get("overdue") == "1",
        escalated=args.get("escalated") == "1",
    )
    page = complaints.list_page(g.ctx, filters)  # one statement
    return render_template(
        "crm/complaints.html",
        rows=page.rows,
        filters=filters,
        counts=page.counts,
        owners=page.owners,
        Stage=Stage,
    )


def _category_choices():
    cats = complaints.procedure(g.ctx).get("categories") or []
    return select_options(*[(c, c) for c in cats], ("Other", "Other"))


@bp.route("/contacts/<int:contact_id>/complaints/new", methods=["GET", "POST"])
@learner_area
def complaint_new(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = ComplaintForm()
    form.category.choices = _category_choices()
    if form.validate_on_submit():
        complaint, ok = commit_or_explain(
            save_once(
                form,
                lambda: complaints.receive_complaint(g.ctx, contact, form.data),
                lambda c: url_for("crm.complaint_detail", complaint_id=c.id),
            ),
            form,
            None,
        )
        if ok:
            flash(
                f"Complaint {complaint.reference} recorded for {contact.display_name}. "
                "The procedure's timescales start now.",
                "success",
            )
            return redirect(url_for("crm.complaint_detail", complaint_id=complaint.id))
    return render_template("crm/complaint_form.html", form=form, contact=contact), (
        422 if form.errors else 200
    )


@bp.route("/complaints/<int:complaint_id>")
@learner_area
def complaint_detail(complaint_id: int):
    try:
        page = complaint_page(g.ctx, complaint_id)  # one statement
    except NotFound:
        abort(404)
    complaint, satisfied = page.complaint, page.satisfied
    return render_template(
        "crm/complaint.html",
        complaint=complaint,
        due=complaints.due_statuses(g.ctx, complaint),
        actions=complaints.legal_actions(complaint, g.ctx),
        labels=complaints.ACTION_LABELS,
        threads=page.threads,
        satisfied=satisfied,
        confirmed_by=page.confirmed_by,
        next_level=complaints.next_level(g.ctx, complaint.level_enum),
        recorded=_recorded_choices(complaint),
        procedure=complaints.procedure(g.ctx),
        rating_visible=complaints.satisfaction_visible(g.ctx, complaint),
        forms={
            "acknowledge": AcknowledgeForm(prefix="ack"),
            "update": UpdateForm(prefix="upd"),
            "propose": ProposeForm(prefix="prop"),
            "ask_satisfied": AskSatisfiedForm(prefix="sat"),
            "note": NoteForm(prefix="note"),
            "resolve": _resolve_form(),
            "close": _close_form(complaint, satisfied),
            "escalate": _escalate_form(),
            "button": ButtonForm(),
        },
    )


def _move(complaint_id: int, form, run, success: str):
    """One move of the procedure; `success` names the complaint as {ref}."""
    complaint = get_or_404(Complaint, complaint_id)
    return post_then_redirect(
        form,
        lambda: run(complaint, form),
        success.format(ref=complaint.reference),
        redirect(url_for("crm.complaint_detail", complaint_id=complaint.id)),
    )


def _next_contact(form):
    """The next contact a message promises (date and time together), or None."""
    if not (form.promise_on.data or form.promise_time.data):
        return None
    if not (form.promise_on.data and form.promise_time.data):
        raise ServiceError(
            "Give both the date and the time of the next contact you promise.", "promise_on"
        )
    return datetime.combine(form.promise_on.data, form.promise_time.data)


@bp.route("/complaints/<int:complaint_id>/acknowledge", methods=["POST"])
@learner_area
def complaint_acknowledge(complaint_id: int):
    return _move(
        complaint_id,
        AcknowledgeForm(prefix="ack"),
        lambda c, f: complaints.acknowledge(
            g.ctx, c, f.channel.data, f.message.data, promise_by=_next_contact(f)
        ),
        "Complaint {ref} acknowledged; the acknowledgement is logged as a communication.",
    )


@bp.route("/complaints/<int:complaint_id>/update", methods=["POST"])
@learner_area
def complaint_update(complaint_id: int):
    return _move(
        complaint_id,
        UpdateForm(prefix="upd"),
        lambda c, f: complaints.send_update(
            g.ctx, c, f.channel.data, f.message.data, promise_by=_next_contact(f)
        ),
        "Update to the customer on complaint {ref} logged.",
    )


NOTE_MOVES = {
    "investigate": (complaints.start_investigation, "Investigation of complaint {ref} started."),
    "wait_for_customer": (
        complaints.wait_for_customer,
        "Complaint {ref} is waiting for the customer: the procedure's clock is paused.",
    ),
    "customer_replied": (
        complaints.customer_replied,
        "The customer replied on complaint {ref}: the clock runs again, with the due time "
        "moved back.",
    ),
    "reopen": (complaints.reopen, "Investigation of complaint {ref} reopened."),
}


NOTE_ACTIONS = "any(investigate, wait_for_customer, customer_replied, reopen)"


@bp.route(f"/complaints/<int:complaint_id>/<{NOTE_ACTIONS}:action>", methods=["POST"])
@learner_area
def complaint_note_move(complaint_id: int, action: str):
    run, success = NOTE_MOVES[action]
    return _move(
        complaint_id, NoteForm(prefix="note"), lambda c, f: run(g.ctx, c, f.note.data), success
    )


@bp.route("/complaints/<int:complaint_id>/resolve", methods=["POST"])
@learner_area
def complaint_resolve(complaint_id: int):
    return _move(
        complaint_id,
        _resolve_form(),
        lambda c, f: complaints.resolve(
            g.ctx,
            c,
            f.resolution.data,
            f.channel.data,
            f.outcome_message.data,
            remedy=_remedy(f),
            policy_rule=f.policy_rule.data or None,
        ),
        "Resolution of complaint {ref} recorded and the outcome sent to the customer.",
    )


@bp.route("/complaints/<int:complaint_id>/propose", methods=["POST"])
@learner_area
def complaint_propose(complaint_id: int):
    def run(c, f):
        remedy = _remedy(f)
        if remedy is None:
            raise ServiceError("Choose the remedy you are proposing.", "remedy_type")
        return complaints.propose_resolution(g.ctx, c, f.channel.data, f.message.data, remedy)

    return _move(
        complaint_id,
        ProposeForm(prefix="prop"),
        run,
        "Resolution proposed to the customer on complaint {ref}; they answer in sandbox time.",
    )


@bp.route("/complaints/<int:complaint_id>/ask-satisfied", methods=["POST"])
@learner_area
def complaint_ask_satisfied(complaint_id: int):
    return _move(
        complaint_id,
        AskSatisfiedForm(prefix="sat"),
        lambda c, f: complaints.ask_satisfied(g.ctx, c, f.channel.data, f.message.data),
        "Asked the customer whether they are satisfied with complaint {ref}; they answer in "
        "sandbox time.",
    )


@bp.route("/complaints/<int:complaint_id>/close", methods=["POST"])
@learner_area
def complaint_close(complaint_id: int):
    complaint = get_or_404(Complaint, complaint_id)
    form = _lesson_choices(CloseForm(prefix="close"))
    chosen = form.satisfaction_reply.data or ""
    form.satisfaction_reply.choices = select_options(
        (chosen, ""), ("", UNCONFIRMED)
    )  # the service checks

    def run(c, f):
        reply = None
        if chosen:
            try:
                reply = g.ctx.get(Interaction, int(chosen))
            except (ValueError, OverflowError, NotFound):
                raise ServiceError(
                    "Choose the customer's reply saying they are satisfied with this complaint.",
                    "satisfaction_reply",
                ) from None
        return complaints.close(
            g.ctx,
            c,
            satisfaction_reply=reply,
            confirmation_note=f.confirmation_note.data,
            root_cause=f.root_cause.data,
            lessons_learned=f.lessons_learned.data,
            judgement_note=f.judgement_note.data,
            lessons_policy=f.lessons_policy.data or None,
            lessons_change=f.lessons_change.data or None,
        )

    return post_then_redirect(
        form,
        lambda: run(complaint, form),
        f"Complaint {complaint.reference} closed.",
        redirect(url_for("crm.complaint_detail", complaint_id=complaint.id)),
    )


@bp.route("/complaints/<int:complaint_id>/escalate", methods=["POST"])
@learner_area
def complaint_escalate(complaint_id: int):
    return _move(
        complaint_id,
        _escalate_form(),
        lambda c, f: complaints.escalate(
            g.ctx, c, f.reason.data, rule=f.rule.data or None, amount=f.amount.data or None
        ),
        "Complaint {ref} escalated to the next level of the procedure.",
    )


@bp.route("/complaints/<int:complaint_id>/satisfaction", methods=["POST"])
@learner_area
def complaint_satisfaction(complaint_id: int):
    return _move(
        complaint_id,
        ButtonForm(),
        lambda c, f: complaints.request_satisfaction(g.ctx, c),
        "Satisfaction rating for complaint {ref} sent to the customer; their answer arrives "
        "in sandbox time.",
    )
