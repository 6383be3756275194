"""A tutor resets a learner's password from their group's page: the learner gets a one-time
password, shown here once, and must choose their own at their next sign-in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...access import tutor_area
from ...services import accounts
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp
from .common import group_or_404


@bp.route("/groups/<int:group_id>/learners/<int:user_id>/reset-password", methods=["POST"])
@tutor_area
def reset_password(group_id: int, user_id: int):
    group = group_or_404(group_id)
    learner = next((u for u in group.learners if u.id == user_id), None)
    if learner is None:
        abort(404)
    back = url_for("tutor.group", group_id=group.id)
    if not ButtonForm().validate_on_submit():
        flash("Nothing was reset: use the button on the group's page.", "warning")
        return redirect(back)
    password = None
    with transaction(refused="Nothing was reset") as tx:
        password = accounts.reset_password(learner, current_user, group)
    if not tx.ok:
        return redirect(back)
    # Rendered, not redirected: a password must not travel in a flashed (readable) cookie.
    return render_template(
        "auth/one_time_password.html",
        layout="tutor/layout.html",
        user=learner,
        password=password,
        back=back,
    )
