import secrets

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ...access import tutor_area
from ...extensions import db
from ...models import AttemptStatus
from ...scenarios.loader import ScenarioError, library, scenario_of
from ...services import groups, tutoring, user_import
from ...services.errors import NotFound, ServiceError
from ..forms_common import ButtonForm, options, show_service_error
from . import bp
from .forms import (
    AddLearnerForm,
    ArchiveGroupForm,
    AssignForm,
    ExtendDueForm,
    GroupForm,
    ImportForm,
    RenameGroupForm,
    ResetAttemptForm,
    ScenarioEditForm,
    ScenarioUploadForm,
)


def _group(group_id: int):
    try:
        return groups.get_group(current_user, group_id)
    except NotFound:
        abort(404)


def _attempt(attempt_id: int):
    try:
        return tutoring.get_attempt(current_user, attempt_id)
    except NotFound:
        abort(404)


def _authored(authored_id: int):
    try:
        return tutoring.get_authored(current_user, authored_id)
    except NotFound:
        abort(404)


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        flash(" ".join(errors), "danger")


# ---------------------------------------------------------------- groups


@bp.route("/")
@tutor_area
def home():
    mine = groups.groups_for(current_user)
    archived = [g for g in groups.groups_for(current_user, include_archived=True) if g.archived]
    return render_template(
        "tutor/home.html",
        groups=mine,
        archived=archived,
        counts=groups.learner_counts(mine + archived),
        restore_form=ButtonForm(),
    )


def _group_form() -> GroupForm:
    form = GroupForm()
    form.body_id.choices = options(*groups.qualification_bodies())
    return form


@bp.route("/groups/new", methods=["GET", "POST"])
@tutor_area
def new_group():
    form = _group_form()
    if form.validate_on_submit():
        try:
            made = groups.create_group(
                name=form.name.data, tutor=current_user, body_id=form.body_id.data
            )
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(f"Group {made.name!r} created.", "success")
            return redirect(url_for("tutor.group", group_id=made.id))
    return render_template("tutor/group_new.html", form=form)


def _render_group(found, add_form=None, rename_form=None, status=200):
    rename_form = rename_form or RenameGroupForm(name=found.name)
    body = None
    for body_id, name in groups.qualification_bodies():
        if body_id == found.body_id:
            body = name
    return (
        render_template(
            "tutor/group.html",
            group=found,
            body_name=body or found.body_id,
            add_form=add_form or AddLearnerForm(formdata=None),
            rename_form=rename_form,
            restore_form=ButtonForm(),
        ),
        status,
    )


@bp.route("/groups/<int:group_id>")
@tutor_area
def group(group_id: int):
    return _render_group(_group(group_id))


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@tutor_area
def rename_group(group_id: int):
    found = _group(group_id)
    form = RenameGroupForm()
    if not form.validate_on_submit():
        return _render_group(found, rename_form=form, status=400)
    try:
        tutoring.rename_group(found, form.name.data)
    except ServiceError as exc:
        db.session.rollback()
        show_service_error(form, exc)
        return _render_group(_group(group_id), rename_form=form, status=400)
    db.session.commit()
    flash(f"The group is now called {found.name!r}.", "success")
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/archive", methods=["GET", "POST"])
@tutor_area
def archive_group(group_id: int):
    found = _group(group_id)
    form = ArchiveGroupForm()
    if form.validate_on_submit():
        try:
            tutoring.archive_group(found)
        except ServiceError as exc:
            db.session.rollback()
            flash(f"Nothing was changed: {exc.message}", "danger")
        else:
            db.session.commit()
            flash(f"Group {found.name!r} archived; restore it from your home page.", "success")
            return redirect(url_for("tutor.home"))
    return render_template("tutor/archive.html", group=found, form=form)


@bp.route("/groups/<int:group_id>/restore", methods=["POST"])
@tutor_area
def restore_group(group_id: int):
    found = _group(group_id)
    if ButtonForm().validate_on_submit():
        tutoring.restore_group(found)
        db.session.commit()
        flash(f"Group {found.name!r} is back in your lists.", "success")
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/learners", methods=["POST"])
@tutor_area
def add_learner(group_id: int):
    found = _group(group_id)
    form = AddLearnerForm()
    if not form.validate_on_submit():
        return _render_group(found, add_form=form, status=400)
    try:
        learner, password = tutoring.add_learner(
            found, form.name.data, form.email.data, by=current_user
        )
    except ServiceError as exc:
        db.session.rollback()
        show_service_error(form, exc)
        return _render_group(_group(group_id), add_form=form, status=400)
    db.session.commit()
    if password is None:
        flash(f"{learner.name} (an existing learner) is now in {found.name}.", "success")
        return redirect(url_for("tutor.group", group_id=found.id))
    # Shown in this response only, never stored or put in a cookie.
    return render_template(
        "tutor/accounts_created.html",
        created=[(learner, password)],
        groups_created=[],
        back=url_for("tutor.group", group_id=found.id),
    )


@bp.route("/import", methods=["GET", "POST"])
@tutor_area
def import_learners():
    limit_mib = user_import.MAX_FILE_BYTES // (1024 * 1024)
    form = ImportForm()
    problems, filename = [], ""
    if form.validate_on_submit():
        filename = _uploaded_name(form.file.data.filename, "upload.csv")
        try:
            job, problems = tutoring.import_learners(form.file.data.read(), current_user, filename)
        except ServiceError as exc:
            show_service_error(form, exc)
            job = None
        if job is not None:
            db.session.commit()
            key = secrets.token_bytes(32)
            _remember_import_key(job.id, key)
            if current_app.config.get("IMPORT_IN_BACKGROUND", True):
                user_import.run_in_background(current_app._get_current_object(), job.id, key)
            else:
                user_import.run_job(job.id, key)
            return redirect(url_for("tutor.import_status", job_id=job.id))
        db.session.rollback()
        if problems:
            flash(
                f"Nothing was imported: {len(problems)} problem(s) in the file. "
                "Correct them and upload it again.",
                "danger",
            )
    return render_template(
        "tutor/import.html",
        form=form,
        problems=problems,
        filename=filename,
        limit_mib=limit_mib,
        max_rows=user_import.MAX_ROWS,
    )


# The first passwords of an import are derived from a secret kept only in the importing
# tutor's signed session cookie (never in the database): the last few imports' secrets.
_IMPORT_KEYS = "import_keys"
_IMPORT_KEYS_KEPT = 3


def _remember_import_key(job_id: int, key: bytes) -> None:
    keys = dict(session.get(_IMPORT_KEYS) or {})
    keys[str(job_id)] = key.hex()
    session[_IMPORT_KEYS] = dict(list(keys.items())[-_IMPORT_KEYS_KEPT:])


def _take_import_key(job_id: int) -> bytes | None:
    """The import's secret, forgotten as it is read: its passwords are shown once."""
    keys = dict(session.get(_IMPORT_KEYS) or {})
    found = keys.pop(str(job_id), None)
    if found:
        session[_IMPORT_KEYS] = keys
    return bytes.fromhex(found) if found else None


@bp.route("/imports/<int:job_id>")
@tutor_area
def import_status(job_id: int):
    try:
        job = tutoring.import_job(current_user, job_id)
    except NotFound:
        abort(404)
    state = user_import.job_state(job)
    if state == "done":
        return render_template(
            "tutor/accounts_created.html",
            created=user_import.job_accounts(job, _take_import_key(job.id)),
            groups_created=job.groups_created,
            back=url_for("tutor.home"),
        )
    return render_template(
        "tutor/import_status.html",
        job=job,
        state=state,
        problems=[user_import.ImportProblem(line, message) for line, message in job.problems],
        percent=int(100 * job.hashed / job.total) if job.total else 100,
    )


# ---------------------------------------------------------------- assigning and progress


def _assign_form(found) -> AssignForm:
    form = AssignForm()
    form.scenario.choices = options(
        *(
            (s.id, f"{s.title} (written by a tutor)" if s.authored else s.title)
            for s in tutoring.assignable_scenarios()
        )
    )
    form.learners.choices = options(*((str(u.id), u.name) for u in found.learners))
    return form


@bp.route("/groups/<int:group_id>/assign", methods=["GET", "POST"])
@tutor_area
def assign(group_id: int):
    found = _group(group_id)
    form = _assign_form(found)
    if form.validate_on_submit():
        chosen = None if form.who.data == "all" else [int(i) for i in form.learners.data or []]
        try:
            made = tutoring.assign_to_group(
                current_user, found, form.scenario.data, chosen, form.due.data
            )
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            title = next(
                (c.label for c in form.scenario.choices if c.value == form.scenario.data),
                form.scenario.data,
            )
            flash(
                f"Assigned {title!r} to {found.name}: {made} sandbox(es) provisioned"
                + ("" if made else " (every learner chosen already has an attempt at it)")
                + ".",
                "success",
            )
            return redirect(url_for("tutor.progress", group_id=found.id))
    return render_template("tutor/assign.html", group=found, form=form)


@bp.route("/groups/<int:group_id>/progress")
@tutor_area
def progress(group_id: int):
    found = _group(group_id)
    grid = tutoring.progress_grid(found, request.args.get("sort", "name"))
    return render_template("tutor/progress.html", group=found, grid=grid)


# ---------------------------------------------------------------- one learner's attempt


@bp.route("/attempts/<int:attempt_id>")
@tutor_area
def attempt(attempt_id: int):
    found = _attempt(attempt_id)
    scenario = scenario_of(found)
    tasks = {t.id: t for t in scenario.tasks}
    hints = []
    for marker in found.hints_used or []:
        task_id, _, index = marker.partition(":")
        task = tasks.get(task_id)
        if task is not None and index.isdigit() and int(index) < len(task.hints):
            hints.append((task.title, int(index) + 1, task.hints[int(index)]))
    return render_template(
        "tutor/attempt.html",
        attempt=found,
        scenario=scenario,
        results=found.latest_results,
        hints=hints,
        due=tutoring.due_of(found),
        overdue=tutoring.is_overdue(found),
        entries=tutoring.attempt_timeline(found),
        log_limit=tutoring.LOG_LIMIT,
        extend_form=ExtendDueForm(formdata=None),
        can_reset=found.status in (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value),
        handed_in=found.status in (AttemptStatus.SUBMITTED.value, AttemptStatus.ASSESSED.value),
    )


@bp.route("/attempts/<int:attempt_id>/reset", methods=["GET", "POST"])
@tutor_area
def reset_attempt(attempt_id: int):
    found = _attempt(attempt_id)
    form = ResetAttemptForm()
    if form.validate_on_submit():
        try:
            tutoring.reset_attempt(found, current_user, form.reason.data)
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(
                f"{found.learner.name}'s sandbox for {found.sandbox.title!r} is back at the "
                "scenario's start (logged, with your reason).",
                "success",
            )
            return redirect(url_for("tutor.attempt", attempt_id=attempt_id))
        found = _attempt(attempt_id)
    return render_template("tutor/reset.html", attempt=found, form=form)


@bp.route("/attempts/<int:attempt_id>/due", methods=["POST"])
@tutor_area
def extend_due(attempt_id: int):
    found = _attempt(attempt_id)
    form = ExtendDueForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
    else:
        try:
            tutoring.extend_due_date(found, current_user, form.due.data)
        except ServiceError as exc:
            db.session.rollback()
            flash(f"Nothing was changed: {exc.message}", "danger")
        else:
            db.session.commit()
            flash(f"Due date extended to {form.due.data:%d %b %Y} (end of day, UTC).", "success")
    return redirect(url_for("tutor.attempt", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/contacts")
@tutor_area
def attempt_contacts(attempt_id: int):
    found = _attempt(attempt_id)
    contacts, total, page = tutoring.sandbox_contacts(found, request.args.get("page", 1, type=int))
    return render_template(
        "tutor/sandbox_contacts.html",
        attempt=found,
        contacts=contacts,
        total=total,
        page=page,
        pages=max(1, -(-total // tutoring.CONTACTS_PER_PAGE)),
    )


@bp.route("/attempts/<int:attempt_id>/complaints")
@tutor_area
def attempt_complaints(attempt_id: int):
    found = _attempt(attempt_id)
    return render_template(
        "tutor/sandbox_complaints.html",
        attempt=found,
        complaints=tutoring.sandbox_complaints(found),
    )


# ---------------------------------------------------------------- authoring


@bp.route("/scenarios")
@tutor_area
def scenarios():
    return render_template(
        "tutor/scenarios.html",
        authored=tutoring.authored_for(current_user),
        library=sorted(library().values(), key=lambda s: s.title.lower()),
    )


def _uploaded_name(filename: str, default: str) -> str:
    """The name of an uploaded file without any folders, to name it in messages."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:120] or default


@bp.route("/scenarios/new", methods=["GET", "POST"])
@tutor_area
def new_scenario():
    form = ScenarioUploadForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is not None and upload.filename:
                source = _uploaded_name(upload.filename, "uploaded.yaml")
                text = tutoring.read_upload(upload.read(), source)
                form.text.data = text
            elif form.text.data and form.text.data.strip():
                source, text = "pasted.yaml", form.text.data
            else:
                raise ServiceError("Choose a file to upload, or paste the YAML.", "text")
            made = tutoring.save_authored(current_user, text, source)
        except ScenarioError as exc:
            db.session.rollback()
            problems = exc.problems
            flash(f"Nothing was saved: {len(problems)} problem(s) in the scenario.", "danger")
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(f"Saved {made.title!r} as a draft.", "success")
            return redirect(url_for("tutor.edit_scenario", authored_id=made.id))
    return render_template("tutor/scenario_new.html", form=form, problems=problems)


@bp.route("/scenarios/<int:authored_id>", methods=["GET", "POST"])
@tutor_area
def edit_scenario(authored_id: int):
    found = _authored(authored_id)
    form = ScenarioEditForm(data={"text": found.source})
    problems = []
    if form.validate_on_submit():
        try:
            tutoring.save_authored(
                current_user, form.text.data, f"{found.scenario_id}.yaml", existing=found
            )
        except ScenarioError as exc:
            db.session.rollback()
            problems = exc.problems
            flash(f"Nothing was saved: {len(problems)} problem(s) in the scenario.", "danger")
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(f"Saved your changes to {found.title!r}.", "success")
            return redirect(url_for("tutor.edit_scenario", authored_id=authored_id))
        found = _authored(authored_id)
    return render_template(
        "tutor/scenario_edit.html",
        authored=found,
        form=form,
        problems=problems,
        publish_form=ButtonForm(),
    )


@bp.route("/scenarios/<int:authored_id>/publish", methods=["POST"])
@tutor_area
def publish_scenario(authored_id: int):
    found = _authored(authored_id)
    if ButtonForm().validate_on_submit():
        try:
            tutoring.publish_authored(found)
        except ScenarioError as exc:
            db.session.rollback()
            flash(f"Not published: {exc.problems[0]}", "danger")
        except ServiceError as exc:
            db.session.rollback()
            flash(f"Not published: {exc.message}", "danger")
        else:
            db.session.commit()
            flash(f"Published: {found.title!r} can now be assigned by any tutor.", "success")
    return redirect(url_for("tutor.edit_scenario", authored_id=authored_id))
