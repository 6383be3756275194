"""The admin's outbox page: grades and xAPI statements waiting to be sent to other systems,
those refused (with the other system's words), and sending refused ones again."""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import admin_area
from ...models.base import utcnow
from ...services import outbox_admin, xapi
from ...services.errors import ServiceError
from ...wording import count_of
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp


@bp.route("/outbox")
@admin_area
def outbox_page():
    """Counts by kind and state; the waiting and the refused messages, newest first."""
    lrs = xapi.settings(current_app.config)
    return render_template(
        "admin/outbox.html",
        view=outbox_admin.overview(),
        status_words=outbox_admin.STATUS_WORDS,
        kind_words=outbox_admin.kind_words,
        form=ButtonForm(),
        now=utcnow(),
        lrs_url=lrs.url if lrs else "",
    )


@bp.route("/outbox/send-again", methods=["POST"])
@admin_area
def outbox_send_again():
    """Send one refused message again (the button beside it)."""
    form = ButtonForm()
    with transaction(form, refused="Nothing was changed") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        message = outbox_admin.send_again(request.form.get("message"), by=current_user)
        tx.success = (
            f"Message #{message.id} ({outbox_admin.kind_words(message.kind)}) will be sent "
            "again at the sender's next round."
        )
    return redirect(url_for(".outbox_page"))


@bp.route("/outbox/send-all-failed-again", methods=["POST"])
@admin_area
def outbox_send_all_again():
    """Send every refused message again (after fixing what made them fail)."""
    form = ButtonForm()
    with transaction(form, refused="Nothing was changed") as tx:
        if not form.validate_on_submit():
            raise ServiceError("The form expired: try again.")
        n = outbox_admin.send_all_failed_again(by=current_user)
        tx.success = (
            f"{count_of(n, 'refused message')} will be sent again at the sender's next round."
        )
    return redirect(url_for(".outbox_page"))
