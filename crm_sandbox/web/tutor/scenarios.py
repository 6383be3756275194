"""Scenarios: the library, and the scenarios tutors write (upload, edit, publish)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import tutor_area
from ...criteria import criteria_for_scenario, load_catalogue
from ...scenarios.loader import ScenarioError, library
from ...services import tutoring
from ...services.errors import ServiceError
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp
from .common import authored_or_404, uploaded_name
from .forms import ScenarioEditForm, ScenarioUploadForm


@bp.route("/scenarios")
@tutor_area
def scenarios():
    return render_template(
        "tutor/scenarios.html",
        authored=tutoring.authored_for(current_user),
        library=sorted(library().values(), key=lambda s: s.title.lower()),
    )


# The library, or one library scenario to read (?id=...). The scenario is named in the query
# string, not the path: it belongs to no one, so it is not an object another tutor could own
# (every tutor may read every library scenario).
@bp.route("/scenarios/library")
@tutor_area
def scenario_library():
    if "id" not in request.args:
        return render_template(
            "tutor/scenario_library.html",
            library=sorted(library().values(), key=lambda s: s.title.lower()),
        )
    scenario = library().get(request.args["id"])
    if scenario is None:
        abort(404)
    return render_template(
        "tutor/scenario_read.html",
        scenario=scenario,
        preview=None,
        criteria_groups=_criteria_by_qualification(scenario),
    )


@bp.route("/scenarios/<int:authored_id>/preview")
@tutor_area
def preview_scenario(authored_id: int):
    found = authored_or_404(authored_id)
    try:
        scenario = tutoring.parse(found.source, f"{found.scenario_id}.yaml")
    except ScenarioError as exc:  # saved valid, but the catalogue or registries changed since
        return render_template(
            "tutor/scenario_read.html", scenario=None, preview=found, problems=exc.problems
        )
    return render_template(
        "tutor/scenario_read.html",
        scenario=scenario,
        preview=found,
        criteria_groups=_criteria_by_qualification(scenario),
        publish_form=ButtonForm(),
    )


def _criteria_by_qualification(scenario) -> list[tuple[str, list]]:
    """The criteria the scenario is assessed against for each qualification, as a group of
    that qualification sees them: (the body's name, its numbered criteria)."""
    return [
        (body.name, criteria_for_scenario(scenario, body.id)) for body in load_catalogue().bodies
    ]


def _sent_yaml(form: ScenarioUploadForm) -> tuple[str, str]:
    """(the name to give the source, its text): the uploaded file, or else the pasted text.
    An uploaded file's text is put in the text box, so that a refusal shows it to correct."""
    upload = form.file.data
    if upload is not None and upload.filename:
        source = uploaded_name(upload.filename, "uploaded.yaml")
        form.text.data = tutoring.read_upload(upload.read(), source)
        return source, form.text.data
    if form.text.data and form.text.data.strip():
        return "pasted.yaml", form.text.data
    raise ServiceError("Choose a file to upload, or paste the YAML.", "text")


@bp.route("/scenarios/new", methods=["GET", "POST"])
@tutor_area
def new_scenario():
    form = ScenarioUploadForm()
    problems = []
    if form.validate_on_submit():
        with transaction(form) as tx:
            source, text = _sent_yaml(form)
            made = tutoring.save_authored(current_user, text, source)
            tx.success = f"Saved {made.title!r} as a draft."
        if tx.ok:
            return redirect(url_for("tutor.edit_scenario", authored_id=made.id))
        problems = tx.problems
    return render_template("tutor/scenario_new.html", form=form, problems=problems)


@bp.route("/scenarios/<int:authored_id>", methods=["GET", "POST"])
@tutor_area
def edit_scenario(authored_id: int):
    found = authored_or_404(authored_id)
    form = ScenarioEditForm(data={"text": found.source})
    problems = []
    if form.validate_on_submit():
        with transaction(form) as tx:
            tutoring.save_authored(
                current_user, form.text.data, f"{found.scenario_id}.yaml", existing=found
            )
            tx.success = f"Saved your changes to {found.title!r}."
        if tx.ok:
            return redirect(url_for("tutor.edit_scenario", authored_id=authored_id))
        problems = tx.problems
        found = authored_or_404(authored_id)
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
    found = authored_or_404(authored_id)
    if ButtonForm().validate_on_submit():
        with transaction(refused="Not published", problems_listed=False) as tx:
            tutoring.publish_authored(found)
            tx.success = f"Published: {found.title!r} can now be assigned by any tutor."
    return redirect(url_for("tutor.edit_scenario", authored_id=authored_id))
