"""An administrator resets anyone else's password from the users list: a one-time password,
shown here once, which its owner must replace at their next sign-in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...access import admin_area
from ...extensions import db
from ...models import User
from ...services import accounts
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@admin_area
def reset_password(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    back = url_for("admin.home")
    if not ButtonForm().validate_on_submit():
        flash("Nothing was reset: use the button on the users list.", "warning")
        return redirect(back)
    password = None
    with transaction(refused="Nothing was reset") as tx:
        password = accounts.reset_password(user, current_user)
    if not tx.ok:
        return redirect(back)
    # Rendered, not redirected: a password must not travel in a flashed (readable) cookie.
    return render_template("auth/one_time_password.html", user=user, password=password, back=back)
