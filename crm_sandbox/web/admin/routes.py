from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ...access import admin_area
from ...extensions import db
from ...models import Group, Role, User
from ...services import accounts
from . import bp
from .forms import ToggleActiveForm


@bp.route("/")
@admin_area
def home():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    users = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    group_list = db.session.scalars(select(Group).order_by(Group.name)).all()
    return render_template(
        "admin/home.html",
        counts={r: counts.get(r.value, 0) for r in Role},
        users=users,
        groups=group_list,
        form=ToggleActiveForm(),
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_area
def toggle_active(user_id: int):
    form = ToggleActiveForm()
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "warning")
        return redirect(url_for("admin.home"))
    accounts.set_active(user, not user.active)
    db.session.commit()
    state = "enabled" if user.active else "disabled; their sessions have ended"
    flash(f"{user.name}'s account is {state}.", "success")
    return redirect(url_for("admin.home"))
