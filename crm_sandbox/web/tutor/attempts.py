"""Assigning scenarios to a group, the group's progress, and one learner's attempt."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...access import tutor_area
from ...models import AttemptStatus
from ...scenarios.loader import scenario_of
from ...services import assessment, groups, hints, tutoring
from ...wording import count_of, date_text
from ..forms_common import options
from ..transaction import transaction
from . import bp
from .common import attempt_or_404, flash_form_errors, group_or_404
from .forms import AssignForm, ExtendDueForm, ResetAttemptForm


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
    found = group_or_404(group_id)
    form = _assign_form(found)
    if form.validate_on_submit():
        chosen = None if form.who.data == "all" else [int(i) for i in form.learners.data or []]
        title = next(
            (c.label for c in form.scenario.choices if c.value == form.scenario.data),
            form.scenario.data,
        )
        with transaction(form) as tx:
            made = tutoring.assign_to_group(
                current_user, found, form.scenario.data, chosen, form.due.data
            )
            tx.success = (
                f"Assigned {title!r} to {found.name}: {count_of(made, 'sandbox')} provisioned"
                + ("" if made else " (every learner chosen already has an attempt at it)")
                + "."
            )
        if tx.ok:
            return redirect(url_for("tutor.progress", group_id=found.id))
    return render_template("tutor/assign.html", group=found, form=form)


@bp.route("/groups/<int:group_id>/progress")
@tutor_area
def progress(group_id: int):
    found = group_or_404(group_id)
    grid = tutoring.progress_grid(found, request.args.get("sort", "name"))
    return render_template("tutor/progress.html", group=found, grid=grid)


@bp.route("/attempts/<int:attempt_id>")
@tutor_area
def attempt(attempt_id: int):
    found = attempt_or_404(attempt_id)
    scenario = scenario_of(found)
    used_hints = hints.hints_used(found, scenario)
    criteria = assessment.criteria_view(found)  # the group's qualification's, numbered
    evidences: dict[str, list[str]] = {}
    for view in criteria:
        for check in view.checks:
            evidences.setdefault(check.id, []).append(view.criterion.number)
    return render_template(
        "tutor/attempt.html",
        attempt=found,
        scenario=scenario,
        criteria=criteria,
        evidences=evidences,
        labels=assessment.DECISION_LABELS,
        results=found.latest_results,
        hints=used_hints,
        hint_cost=round(sum(h.cost for h in used_hints), 3),
        due=tutoring.due_of(found),
        overdue=tutoring.is_overdue(found),
        entries=tutoring.attempt_timeline(found),
        log_limit=tutoring.LOG_LIMIT,
        extend_form=ExtendDueForm(formdata=None),
        can_reset=found.status in (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value),
        handed_in=found.status in (AttemptStatus.SUBMITTED.value, AttemptStatus.ASSESSED.value),
        has_reviewer=groups.attempt_has_reviewer(found),
    )


@bp.route("/attempts/<int:attempt_id>/reset", methods=["GET", "POST"])
@tutor_area
def reset_attempt(attempt_id: int):
    found = attempt_or_404(attempt_id)
    form = ResetAttemptForm()
    if form.validate_on_submit():
        with transaction(form) as tx:
            tutoring.reset_attempt(found, current_user, form.reason.data)
            tx.success = (
                f"{found.learner.name}'s sandbox for {found.sandbox.title!r} is back at the "
                "scenario's start (logged, with your reason)."
            )
        if tx.ok:
            return redirect(url_for("tutor.attempt", attempt_id=attempt_id))
        found = attempt_or_404(attempt_id)
    return render_template("tutor/reset.html", attempt=found, form=form)


@bp.route("/attempts/<int:attempt_id>/due", methods=["POST"])
@tutor_area
def extend_due(attempt_id: int):
    found = attempt_or_404(attempt_id)
    form = ExtendDueForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        with transaction(refused="Nothing was changed") as tx:
            tutoring.extend_due_date(found, current_user, form.due.data)
            tx.success = f"Due date extended to {date_text(form.due.data)} (end of day, UTC)."
    return redirect(url_for("tutor.attempt", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/contacts")
@tutor_area
def attempt_contacts(attempt_id: int):
    found = attempt_or_404(attempt_id)
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
    found = attempt_or_404(attempt_id)
    return render_template(
        "tutor/sandbox_complaints.html",
        attempt=found,
        complaints=tutoring.sandbox_complaints(found),
    )
