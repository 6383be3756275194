"""Helpers shared by the CRM's route modules."""

from __future__ import annotations

from flask import abort, flash, g, redirect, url_for

from ...services.errors import NotFound
from ..forms_common import OnceForm, save_once
from ..transaction import run_in_transaction, transaction


def get_or_404(model, object_id):
    try:
        return g.ctx.get(model, object_id)
    except NotFound:
        abort(404)


# The CRM's views run their changes through this name (as in `web.transaction`).
commit_or_explain = run_in_transaction


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
    `success` may be a function, for a message that reads the form or what the action did: it
    is called once the action has run (a survey's recipients are counted by sending it). A
    create form (an `OnceForm`) saves once: a repeat is sent back to the same page, saying so."""
    if isinstance(form, OnceForm):
        action = save_once(form, action, lambda _: target.location)
    if form.validate_on_submit():
        with transaction() as tx:
            action()
            tx.success = success() if callable(success) else success
    else:
        flash_form_errors(form)
    return target
