"""Helpers shared by the CRM's route modules."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for

from ...extensions import db
from ...services.errors import NotFound, ServiceError
from ...services.form_tokens import AlreadySaved
from ..forms_common import OnceForm, save_once, show_service_error


def get_or_404(model, object_id):
    try:
        return g.ctx.get(model, object_id)
    except NotFound:
        abort(404)


def commit_or_explain(action, form=None, success: str = ""):
    """Run a service call; commit and flash on success, roll back and explain on refusal."""
    try:
        result = action()
    except AlreadySaved:
        raise  # answered by a redirect to what the first save made (forms_common)
    except ServiceError as exc:
        db.session.rollback()
        show_service_error(form, exc)
        return None, False
    db.session.commit()
    if success:
        flash(success, "success")
    return result, True


def back_to_contact(contact_id: int):
    return redirect(url_for("crm.contact_detail", contact_id=contact_id))


def flash_form_errors(form) -> None:
    """Explain a refused form that is shown on another page (the redirect loses the form)."""
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        flash(f"Nothing was saved: {label}: {' '.join(errors)}", "danger")


def post_then_redirect(form, action, success, target):
    """For a form shown on another page: run the action if the form is valid and go back.
    Refusals are flashed, since the redirect loses the form and its highlighted fields.
    `success` may be a function, for a message that reads the (validated) form. A create form
    (an `OnceForm`) saves once: a repeat is sent back to the same page, saying so."""
    if isinstance(form, OnceForm):
        action = save_once(form, action, lambda _: target.location)
    if form.validate_on_submit():
        commit_or_explain(action, None, success() if callable(success) else success)
    else:
        flash_form_errors(form)
    return target
