"""The tutor's groups and the learners in them."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ...access import tutor_area
from ...models import Role
from ...services import groups, tutoring
from ...services.lti import grades as lti_grades
from ..admin.forms import tutor_form as admin_tutor_form
from ..forms_common import ButtonForm, options
from ..transaction import transaction
from . import bp
from .common import group_or_404
from .forms import AddLearnerForm, ArchiveGroupForm, AssessorForm, GroupForm, RenameGroupForm


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
        lacking=groups.groups_without_reviewer(mine),
        restore_form=ButtonForm(),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@tutor_area
def new_group():
    form = GroupForm()
    form.body_id.choices = options(*groups.qualification_bodies())
    if form.validate_on_submit():
        with transaction(form) as tx:
            made = groups.create_group(
                name=form.name.data, tutor=current_user, body_id=form.body_id.data
            )
            tx.success = f"Group {made.name!r} created."
        if tx.ok:
            return redirect(url_for("tutor.group", group_id=made.id))
    return render_template("tutor/group_new.html", form=form)


def assessor_form(found, form=None) -> AssessorForm:
    """The assign-an-assessor form, offering the enabled assessors the group does not have."""
    form = form or AssessorForm(formdata=None)
    have = {a.id for a in found.assessors}
    form.assessor_id.choices = options(
        ("", "Choose an assessor"),
        *(
            (str(a.id), f"{a.name} ({a.email})")
            for a in groups.active_assessors()
            if a.id not in have
        ),
    )
    return form


def _render_group(found, add_form=None, rename_form=None, status=200, assessors_form=None):
    bodies = dict(groups.qualification_bodies())
    # Giving the group another tutor is the admin's (its form posts to the admin area).
    tutor_form = admin_tutor_form(found) if current_user.role_enum == Role.ADMIN else None
    return (
        render_template(
            "tutor/group.html",
            group=found,
            body_name=bodies.get(found.body_id) or found.body_id,
            add_form=add_form or AddLearnerForm(formdata=None),
            rename_form=rename_form or RenameGroupForm(formdata=None, name=found.name),
            restore_form=ButtonForm(),
            assessor_form=assessor_form(found, assessors_form),
            remove_form=ButtonForm(),
            tutor_form=tutor_form,
            has_reviewer=groups.has_reviewer(found),
            waiting=groups.waiting_submissions(found),
            lti_platforms=lti_grades.platform_names(found),
            lti_waiting=lti_grades.waiting_count(found),
        ),
        status,
    )


@bp.route("/groups/<int:group_id>")
@tutor_area
def group(group_id: int):
    return _render_group(group_or_404(group_id))


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@tutor_area
def rename_group(group_id: int):
    found = group_or_404(group_id)
    form = RenameGroupForm()
    if not form.validate_on_submit():
        return _render_group(found, rename_form=form, status=400)
    with transaction(form) as tx:
        tutoring.rename_group(found, form.name.data)
        tx.success = f"The group is now called {found.name!r}."
    if not tx.ok:
        return _render_group(group_or_404(group_id), rename_form=form, status=400)
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/archive", methods=["GET", "POST"])
@tutor_area
def archive_group(group_id: int):
    found = group_or_404(group_id)
    form = ArchiveGroupForm()
    if form.validate_on_submit():
        with transaction(refused="Nothing was changed") as tx:
            tutoring.archive_group(found)
            tx.success = f"Group {found.name!r} archived; restore it from your home page."
        if tx.ok:
            return redirect(url_for("tutor.home"))
    return render_template("tutor/archive.html", group=found, form=form)


@bp.route("/groups/<int:group_id>/restore", methods=["POST"])
@tutor_area
def restore_group(group_id: int):
    found = group_or_404(group_id)
    if ButtonForm().validate_on_submit():
        with transaction(success=f"Group {found.name!r} is back in your lists."):
            tutoring.restore_group(found)
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/assessors", methods=["POST"])
@tutor_area
def add_assessor(group_id: int):
    """The group's tutor (or an admin) gives it an assessor."""
    found = group_or_404(group_id)
    form = AssessorForm()
    if not form.validate_on_submit():
        return _render_group(found, assessors_form=form, status=400)
    with transaction(form, refused="No assessor was assigned") as tx:
        assessor = groups.assessor_by_id(form.assessor_id.data)
        groups.assign_assessor(found, assessor, by=current_user)
        tx.success = (
            f"{assessor.name} now assesses {found.name}: the group's submitted work is in "
            "their queue."
        )
    if not tx.ok:
        return _render_group(group_or_404(group_id), assessors_form=form, status=400)
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/assessors/<int:user_id>/remove", methods=["POST"])
@tutor_area
def remove_assessor(group_id: int, user_id: int):
    """The group's tutor (or an admin) takes an assessor off it."""
    found = group_or_404(group_id)
    assessor = next((a for a in found.assessors if a.id == user_id), None)
    if assessor is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        with transaction(refused="Nothing was changed") as tx:
            groups.remove_assessor(found, assessor, by=current_user)
            tx.success = f"{assessor.name} no longer assesses {found.name}."
    return redirect(url_for("tutor.group", group_id=found.id))


@bp.route("/groups/<int:group_id>/learners", methods=["POST"])
@tutor_area
def add_learner(group_id: int):
    found = group_or_404(group_id)
    form = AddLearnerForm()
    if not form.validate_on_submit():
        return _render_group(found, add_form=form, status=400)
    with transaction(form) as tx:
        learner, password = tutoring.add_learner(
            found, form.name.data, form.email.data, by=current_user
        )
        if password is None:
            tx.success = f"{learner.name} (an existing learner) is now in {found.name}."
    if not tx.ok:
        return _render_group(group_or_404(group_id), add_form=form, status=400)
    if password is None:
        return redirect(url_for("tutor.group", group_id=found.id))
    # Shown in this response only, never stored or put in a cookie.
    return render_template(
        "tutor/accounts_created.html",
        created=[(learner, password)],
        groups_created=[],
        back=url_for("tutor.group", group_id=found.id),
    )
