"""Loyalty and lost customers (a page under Feedback), and recording a customer's order,
booking or renewal from their contact page (services/loyalty.py)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from wtforms import DateField, DecimalField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...access import learner_area
from ...models import Contact
from ...models.orders import OrderKind
from ...services import loyalty
from ...services.errors import ServiceError
from ..forms_common import OnceForm, choices
from . import bp
from .common import back_to_contact, get_or_404, post_then_redirect
from .forms import LoyaltyFindingForm


class OrderForm(OnceForm):
    kind = SelectField("What it is", choices=choices(OrderKind))
    description = StringField(
        "What they ordered, booked or renewed", validators=[DataRequired(), Length(max=300)]
    )
    amount = DecimalField(
        "Amount (£)", places=2, validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    placed_on = DateField("Placed on (today if blank)", validators=[Optional()])
    reference = StringField("Reference (optional)", validators=[Optional(), Length(max=20)])
    submit = SubmitField("Record order")


@bp.route("/feedback/loyalty")
@learner_area
def loyalty_report():
    """Repeat business by segment and lifecycle stage, and the customers lost by how their
    complaints went."""
    months = request.args.get("months", 12, type=int)
    lapsed = request.args.get("lapsed", 3, type=int)
    try:
        report, page = loyalty.report_page(g.ctx, months, lapsed)
    except ServiceError as exc:
        flash(f"{exc} Showing the last 12 months instead.", "warning")
        months, lapsed = 12, 3
        report, page = loyalty.report_page(g.ctx)
    return render_template(
        "crm/loyalty.html",
        report=report,
        months=months,
        lapsed=lapsed,
        handling=loyalty.HANDLING,
        went_wrong=loyalty.WENT_WRONG,
        finding_form=LoyaltyFindingForm(),
        findings=[f for f in page["findings"] if f.survey_id is None],
        loyalty_labels={k: v[0] for k, v in loyalty.LOYALTY_FIGURES.items()},
    )


@bp.route("/feedback/loyalty/findings", methods=["POST"])
@learner_area
def loyalty_finding_add():
    """A finding from the loyalty figures: the learner's words and the figures they state,
    recorded beside the report's own (for the period shown)."""
    months = request.args.get("months", 12, type=int)
    lapsed = request.args.get("lapsed", 3, type=int)
    form = LoyaltyFindingForm()
    return post_then_redirect(
        form,
        lambda: loyalty.add_finding(g.ctx, form.text.data, form.figures(), months, lapsed),
        "Finding recorded beside the report's own figures. Plan an improvement from it under "
        "Findings and improvement plan.",
        redirect(url_for("crm.loyalty_report", months=months, lapsed=lapsed)),
    )


@bp.route("/contacts/<int:contact_id>/orders", methods=["POST"])
@learner_area
def order_add(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = OrderForm()
    return post_then_redirect(
        form,
        lambda: loyalty.record_order(
            g.ctx,
            contact,
            {
                "kind": form.kind.data,
                "description": form.description.data,
                "amount": form.amount.data,
                "placed_on": form.placed_on.data,
                "reference": form.reference.data,
            },
        ),
        f"Order recorded for {contact.display_name}.",
        back_to_contact(contact.id),
    )
