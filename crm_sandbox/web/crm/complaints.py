"""Complaints: the list, recording one, and each move of the procedure."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from ...access import learner_area
from ...models import Complaint, Contact, Stage
from ...services import complaints
from ...services.validation import value_or_blank
from ..forms_common import ButtonForm, save_once
from ..forms_common import options as select_options
from . import bp
from .common import commit_or_explain, get_or_404, post_then_redirect
from .forms import (
    CloseForm,
    ComplaintForm,
    EscalateForm,
    MessageForm,
    NoteForm,
    ResolveForm,
    UpdateForm,
)


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
    return render_template(
        "crm/complaints.html",
        rows=complaints.list_complaints(g.ctx, filters),
        filters=filters,
        counts=complaints.counts_by_stage(g.ctx),
        owners=complaints.owners(g.ctx),
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
    complaint = get_or_404(Complaint, complaint_id)
    return render_template(
        "crm/complaint.html",
        complaint=complaint,
        due=complaints.due_statuses(g.ctx, complaint),
        actions=complaints.legal_actions(complaint, g.ctx),
        labels=complaints.ACTION_LABELS,
        communications=complaints.communications(g.ctx, complaint),
        next_level=complaints.next_level(g.ctx, complaint.level_enum),
        procedure=complaints.procedure(g.ctx),
        rating_visible=complaints.satisfaction_visible(g.ctx, complaint),
        forms={
            "acknowledge": MessageForm(prefix="ack"),
            "update": UpdateForm(prefix="upd"),
            "note": NoteForm(prefix="note"),
            "resolve": ResolveForm(prefix="res"),
            "close": CloseForm(prefix="close"),
            "escalate": EscalateForm(prefix="esc"),
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


@bp.route("/complaints/<int:complaint_id>/acknowledge", methods=["POST"])
@learner_area
def complaint_acknowledge(complaint_id: int):
    return _move(
        complaint_id,
        MessageForm(prefix="ack"),
        lambda c, f: complaints.acknowledge(g.ctx, c, f.channel.data, f.message.data),
        "Complaint {ref} acknowledged; the acknowledgement is logged as a communication.",
    )


@bp.route("/complaints/<int:complaint_id>/update", methods=["POST"])
@learner_area
def complaint_update(complaint_id: int):
    return _move(
        complaint_id,
        UpdateForm(prefix="upd"),
        lambda c, f: complaints.send_update(g.ctx, c, f.channel.data, f.message.data),
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
        ResolveForm(prefix="res"),
        lambda c, f: complaints.resolve(
            g.ctx, c, f.resolution.data, f.channel.data, f.outcome_message.data
        ),
        "Resolution of complaint {ref} recorded and the outcome sent to the customer.",
    )


@bp.route("/complaints/<int:complaint_id>/close", methods=["POST"])
@learner_area
def complaint_close(complaint_id: int):
    def run(c, f):
        confirmed = {"yes": True, "no": False}.get(f.customer_confirmed.data)
        return complaints.close(
            g.ctx,
            c,
            customer_confirmed=confirmed,
            confirmation_note=f.confirmation_note.data,
            root_cause=f.root_cause.data,
            lessons_learned=f.lessons_learned.data,
            judgement_note=f.judgement_note.data,
        )

    return _move(complaint_id, CloseForm(prefix="close"), run, "Complaint {ref} closed.")


@bp.route("/complaints/<int:complaint_id>/escalate", methods=["POST"])
@learner_area
def complaint_escalate(complaint_id: int):
    return _move(
        complaint_id,
        EscalateForm(prefix="esc"),
        lambda c, f: complaints.escalate(g.ctx, c, f.reason.data),
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
