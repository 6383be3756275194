from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ...access import admin_area
from ...extensions import db
from ...models import Role, User
from ...services import accounts, admin_overview, groups, personal_data, roles, staff_audit
from ...services import backup as backups
from ...services.errors import NotFound, ServiceError
from ..forms_common import ButtonForm, options, save_once
from ..personal_data import personal_data_response
from ..transaction import transaction
from . import bp
from .forms import (
    EraseForm,
    NewGroupForm,
    NewUserForm,
    RoleForm,
    ToggleActiveForm,
    TutorForm,
    tutor_choices,
)


@bp.route("/")
@admin_area
def home():
    """The administrator's dashboard: counts, and the way to every admin task."""
    return render_template(
        "admin/home.html",
        overview=admin_overview.overview(),
        backups_made=backups.list_backups(_backup_dir())[:1],
    )


# ---------------------------------------------------------------- users


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@admin_area
def users():
    """Every account, a page at a time, by role and name; filter by role or name/email."""
    args = request.args
    number = args.get("page", "1")
    page = admin_overview.user_page(
        role=args.get("role", ""),
        search=args.get("q", ""),
        page=int(number) if number.isdigit() and len(number) < 9 else 1,
    )
    query = {k: args[k] for k in ("role", "q") if args.get(k)}
    return render_template(
        "admin/users.html", page=page, query=query, roles=list(Role), form=ToggleActiveForm()
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_area
def new_user():
    """Create an account with a first password, typed or generated, shown once."""
    form = NewUserForm()
    if form.validate_on_submit():
        made = {}

        def create():
            made["user"], made["password"] = roles.create_account(
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                password=form.password.data or "",
                by=current_user,
            )
            return made["user"]

        with transaction(form, refused="No account was created") as tx:
            save_once(form, create, lambda u: url_for("admin.user", user_id=u.id))()
        if tx.ok:
            # Shown in this response only, never stored or put in a cookie.
            return render_template(
                "admin/user_created.html", user=made["user"], password=made["password"]
            )
    return render_template("admin/user_new.html", form=form), (400 if form.errors else 200)


def _render_user(user: User, role_form=None, status=200):
    if role_form is None:
        role_form = RoleForm(formdata=None, role=user.role)
    return (
        render_template(
            "admin/user.html",
            user=user,
            role_form=role_form,
            form=ToggleActiveForm(),
            owned=roles.owned_groups(user),
            assessed=roles.assessed_groups(user),
            erased=personal_data.is_erased(user),
        ),
        status,
    )


@bp.route("/users/<int:user_id>")
@admin_area
def user(user_id: int):
    """One account: its role, groups, and what an admin can do to it."""
    return _render_user(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_area
def change_role(user_id: int):
    """Change an account's role (refused for the last admin and a tutor who owns groups)."""
    found = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(found, form, 400)
    with transaction(form, refused="The role was not changed") as tx:
        change = roles.change_role(found, form.role.data, by=current_user)
        left = ", ".join(g.name for g in change.assessor_groups_left)
        tx.success = f"{found.name} is now {'an' if change.after.value[0] in 'aeiou' else 'a'} " + (
            f"{change.after.value}." + (f" They no longer assess: {left}." if left else "")
        )
    if not tx.ok:
        return _render_user(_user_or_404(user_id), form, 400)
    if found.id == current_user.id and found.role_enum != Role.ADMIN:
        return redirect(url_for("main.home"))
    return redirect(url_for("admin.user", user_id=found.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_area
def toggle_active(user_id: int):
    form = ToggleActiveForm()
    user = _user_or_404(user_id)
    if not form.validate_on_submit():
        abort(400)
    with transaction(refused="") as tx:
        accounts.toggle_active(user, by=current_user)
        state = "enabled" if user.active else "disabled; their sessions have ended"
        tx.success = f"{user.name}'s account is {state}."
    return redirect(_back_to(url_for("admin.user", user_id=user.id)))


def _back_to(default: str) -> str:
    """The page the form came from, when it is one of the admin's pages."""
    back = request.form.get("next", "")
    if back.startswith("/admin/") and "//" not in back and "\\" not in back:
        return back
    return default


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
        return redirect(url_for("admin.users"))
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
            return redirect(url_for("admin.users"))
    return render_template("admin/erase.html", user=user, form=form), (422 if form.errors else 200)


# ---------------------------------------------------------------- groups


def _new_group_form(form=None) -> NewGroupForm:
    form = form or NewGroupForm(formdata=None)
    form.tutor_id.choices = tutor_choices()
    form.body_id.choices = options(*groups.qualification_bodies())
    return form


def _render_groups(form=None, status=200):
    every = groups.groups_for(current_user, include_archived=True)
    return (
        render_template(
            "admin/groups.html",
            groups=every,
            counts=groups.learner_counts(every),
            lacking=groups.groups_without_reviewer(every),
            form=_new_group_form(form),
        ),
        status,
    )


@bp.route("/groups")
@admin_area
def groups_page():
    """Every group (archived ones too), with its tutor, learners and assessors."""
    return _render_groups()


@bp.route("/groups/new", methods=["POST"])
@admin_area
def new_group():
    """Create a group for a tutor, with its qualification."""
    form = _new_group_form(NewGroupForm())
    if not form.validate_on_submit():
        return _render_groups(form, 400)
    with transaction(form, refused="No group was created") as tx:

        def create():
            tutor = groups.tutor_by_id(form.tutor_id.data)
            return groups.create_group(
                name=form.name.data, tutor=tutor, by=current_user, body_id=form.body_id.data
            )

        made = save_once(form, create, lambda g: url_for("tutor.group", group_id=g.id))()
        tx.success = f"Group {made.name!r} created for {made.tutor.name}. Now give it an assessor."
    if not tx.ok:
        return _render_groups(form, 400)
    return redirect(url_for("tutor.group", group_id=made.id))


@bp.route("/groups/<int:group_id>/tutor", methods=["POST"])
@admin_area
def change_tutor(group_id: int):
    """Give a group to another tutor."""
    try:
        found = groups.get_group(current_user, group_id)
    except NotFound:
        abort(404)
    form = TutorForm()
    if form.validate_on_submit():
        with transaction(form, refused="The tutor was not changed") as tx:
            tutor = groups.tutor_by_id(form.tutor_id.data)
            groups.change_tutor(found, tutor, by=current_user)
            tx.success = f"{found.name} now belongs to {tutor.name}."
    return redirect(url_for("tutor.group", group_id=found.id))


# ---------------------------------------------------------------- backup


def _backup_dir():
    return current_app.config["BACKUP_DIR"]


@bp.route("/backup", methods=["GET", "POST"])
@admin_area
def backup():
    """Take a consistent backup of the whole database into the backup folder, and list the
    backups there for download."""
    form = ButtonForm()
    if form.validate_on_submit():
        with transaction(refused="No backup was made") as tx:
            report = backups.take_backup(db.engine, _backup_dir(), by=current_user)
            size = report.path.stat().st_size
            counts = f", {len(report.tables)} tables, {report.rows:,} rows" if report.tables else ""
            tx.success = (
                f"Backup written to {report.path} ({size:,} bytes{counts}; integrity checked). "
                "Download it below, or copy it from the server, to keep it somewhere safe."
            )
        return redirect(url_for("admin.backup"))
    return render_template(
        "admin/backup.html",
        form=form,
        folder=_backup_dir(),
        made=backups.list_backups(_backup_dir()),
        dialect=db.engine.dialect.name,
    )


@bp.route("/backup/download")
@admin_area
def backup_download():
    """One backup file from the backup folder, as a download (named by ?name=)."""
    name = request.args.get("name", "")
    if backups.find_backup(_backup_dir(), name) is None:
        abort(404)
    # a GET that writes (the download's audit row): its own write transaction
    with transaction(write=True) as tx:
        path = backups.backup_for_download(_backup_dir(), name, by=current_user)
    if not tx.ok:
        abort(404)
    return send_file(
        path, as_attachment=True, download_name=path.name, mimetype="application/octet-stream"
    )


# ---------------------------------------------------------------- audit


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
