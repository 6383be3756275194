from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import admin_area
from ...extensions import db
from ...models import Role, User
from ...services import accounts, groups, personal_data, staff_audit
from ...services.errors import ServiceError
from ..personal_data import personal_data_response
from ..transaction import transaction
from . import bp
from .forms import EraseForm, ToggleActiveForm


@bp.route("/")
@admin_area
def home():
    return render_template(
        "admin/home.html",
        counts=accounts.count_by_role(),
        users=accounts.all_users(),
        groups=groups.groups_for(current_user, include_archived=True),
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
    with transaction(refused="") as tx:
        accounts.toggle_active(user, by=current_user)
        state = "enabled" if user.active else "disabled; their sessions have ended"
        tx.success = f"{user.name}'s account is {state}."
    return redirect(url_for("admin.home"))


def _learner_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.LEARNER.value:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/data.json")
@admin_area
def user_data(user_id: int):
    """A learner's personal data as JSON, for a subject access request made to the college."""
    return personal_data_response(_learner_or_404(user_id))


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@admin_area
def erase_user(user_id: int):
    """Erase a learner's personal data, after the admin types their email to confirm."""
    user = _learner_or_404(user_id)
    if personal_data.is_erased(user):
        flash(f"Account {user.id} has already been erased.", "info")
        return redirect(url_for("admin.home"))
    form = EraseForm()
    if form.validate_on_submit():
        name = user.name
        with transaction(form, refused="Nothing was erased") as tx:
            personal_data.confirm_erasure(user, form.confirm_email.data)
            erasure = personal_data.erase_learner(user, erased_by=current_user)
            tx.success = (
                f"{name}'s personal data is erased: the account is now {user.email} and "
                f"disabled, and {erasure.log_payloads_erased} recorded value(s) in "
                f"{erasure.sandboxes} sandbox log(s) are erased."
            )
        if tx.ok or tx.error.field is None:
            return redirect(url_for("admin.home"))
    return render_template("admin/erase.html", user=user, form=form), (422 if form.errors else 200)


@bp.route("/audit")
@admin_area
def audit():
    """The staff audit log, newest first, filtered by actor, action, group and dates."""
    args = request.args
    error = None
    try:
        filters = staff_audit.Filters(
            actor=args.get("actor", "")[:254],
            verb=args.get("action", ""),
            group_id=_whole_number(args.get("group"), "group"),
            since=staff_audit.parse_day(args.get("since"), "From"),
            until=staff_audit.parse_day(args.get("until"), "To"),
        )
        page = staff_audit.list_entries(filters, before=_whole_number(args.get("before"), "page"))
    except ServiceError as exc:
        error = exc.message
        filters = staff_audit.Filters()
        page = staff_audit.Page([], None)
    # the filters as given, for the form and the paging links (blank ones left out)
    query = {k: args[k] for k in ("actor", "action", "group", "since", "until") if args.get(k)}
    return render_template(
        "admin/audit.html",
        page=page,
        query=query,
        first_page=not args.get("before"),
        error=error,
        verbs=staff_audit.VERBS,
        groups=groups.groups_for(current_user, include_archived=True),
        group_names=staff_audit.group_names(page.entries),
        learner_names=staff_audit.learner_names(page.entries),
        actor_label=staff_audit.actor_label,
        describe=staff_audit.describe,
    ), (400 if error else 200)


def _whole_number(value: str | None, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ServiceError(f"The {label} in the address is not a number; nothing was filtered.")
    return int(value)
