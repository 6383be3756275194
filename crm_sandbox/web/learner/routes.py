import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...access import learner_area
from ...criteria import criteria_for_attempt
from ...models import AttemptStatus
from ...scenarios import engine
from ...scenarios.loader import scenario_of
from ...services import (
    assignments,
    customers,
    groups,
    hints,
    interactions,
    provisioning,
    sandbox_clock,
)
from ...services.context import SandboxContext
from ...services.errors import NotFound, ServiceError
from ..downloads import evidence_pack_response
from ..forms_common import ButtonForm
from ..personal_data import personal_data_response
from ..transaction import transaction
from . import bp
from .forms import RestartForm, SubmitWorkForm

NO_ASSESSOR = (
    "no assessor is assigned to your group yet, so nobody can review it until your tutor "
    "assigns one (their group page shows them this)."
)
ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


@bp.route("/")
@learner_area
def home():
    practice = provisioning.practice_sandbox(current_user)
    follow_ups = []
    if practice is not None:
        follow_ups = interactions.follow_ups_due(SandboxContext(practice, current_user))
    return render_template(
        "learner/home.html",
        groups=groups.groups_of_learner(current_user),
        practice=practice,
        follow_ups=follow_ups,
        attempts=assignments.attempts_of(current_user),
    )


@bp.route("/crm")
@learner_area
def open_practice_crm():
    """Open the learner's practice CRM, creating it the first time."""
    sandbox = provisioning.practice_sandbox(current_user)
    if sandbox is None:
        with transaction(write=True):
            sandbox = provisioning.ensure_practice_sandbox(current_user)
    return redirect(url_for("crm.dashboard", sandbox_id=sandbox.id))


def _attempt(attempt_id: int):
    try:
        return assignments.attempt_for(current_user, attempt_id)
    except NotFound:
        abort(404)


@bp.route("/scenarios/<int:attempt_id>")
@learner_area
def scenario(attempt_id: int):
    attempt = _attempt(attempt_id)
    if sandbox_clock.work_to_record(attempt.sandbox, attempt.started_at is not None):
        with transaction(write=True):
            sandbox_clock.record_work(_attempt(attempt_id))
        attempt = _attempt(attempt_id)
    if engine.due_events(attempt) or customers.due_now(
        attempt.sandbox_id, engine.clock.sandbox_now(attempt.sandbox)
    ):
        with transaction(write=True):
            engine.let_due_things_happen(_attempt(attempt_id))
        attempt = _attempt(attempt_id)
    scenario_data = scenario_of(attempt)
    used_hints = hints.hints_used(attempt, scenario_data)
    return render_template(
        "learner/scenario.html",
        attempt=attempt,
        scenario=scenario_data,
        criteria=criteria_for_attempt(attempt, scenario_data),
        events=engine.happened_events(attempt),
        results=attempt.latest_results,
        opened=hints.opened(attempt),
        used_hints=used_hints,
        hint_cost=round(sum(h.cost for h in used_hints), 3),
        now=engine.clock.sandbox_now(attempt.sandbox),
        clock_rule=sandbox_clock.rule(),
        button=ButtonForm(),
        submit_form=SubmitWorkForm(),
        restart_form=RestartForm(),
        has_reviewer=groups.attempt_has_reviewer(attempt),
        writable=attempt.status in (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value),
    )


def _act(attempt_id: int, action, success: str, form=None):
    attempt = _attempt(attempt_id)
    form = form or ButtonForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
        return redirect(url_for("learner.scenario", attempt_id=attempt.id))
    with transaction(success=success.format(title=attempt.sandbox.title)):
        action(attempt)
    # Only an element id may follow the page's address: anything else (a line break, a path)
    # is ignored rather than written into the redirect.
    anchor = request.args.get("anchor", "").removeprefix("#")
    return redirect(
        url_for(
            "learner.scenario",
            attempt_id=attempt.id,
            _anchor=anchor if ANCHOR.fullmatch(anchor) else None,
        )
    )


@bp.route("/scenarios/<int:attempt_id>/check", methods=["POST"])
@learner_area
def check_work(attempt_id: int):
    def run(attempt):
        if attempt.sandbox.read_only:
            raise ServiceError("This work is submitted; the checks ran when you submitted it.")
        evaluation = engine.check_my_work(attempt, current_user)
        after_hints = (
            f" (score {round(evaluation.score * 100)}% after the hints' cost)"
            if evaluation.hint_cost
            else ""
        )
        flash(
            f"Checked: {round(evaluation.score_before_hints * 100)}% of the checks pass"
            f"{after_hints}. Read the feedback under each task.",
            "info",
        )

    return _act(attempt_id, run, "")


@bp.route("/scenarios/<int:attempt_id>/hint", methods=["POST"])
@learner_area
def hint(attempt_id: int):
    task_id = request.form.get("task", "")
    try:
        index = int(request.form.get("index", "-1"))
    except ValueError:
        index = -1
    return _act(
        attempt_id,
        lambda a: engine.use_hint(a, current_user, task_id, index),
        "Hint shown below the task. Hints opened are recorded and shown to your tutor and "
        "assessor.",
    )


@bp.route("/scenarios/<int:attempt_id>/submit", methods=["POST"])
@learner_area
def submit(attempt_id: int):
    # Never promise a review nobody can give: with no assessor on the group, say so.
    reviewed = groups.attempt_has_reviewer(_attempt(attempt_id))
    return _act(
        attempt_id,
        lambda a: engine.submit(a, current_user, True),
        "Submitted {title!r}. Its CRM is now read-only; "
        + ("your assessor will review it." if reviewed else NO_ASSESSOR),
        SubmitWorkForm(),
    )


@bp.route("/scenarios/<int:attempt_id>/restart", methods=["POST"])
@learner_area
def restart(attempt_id: int):
    return _act(
        attempt_id,
        lambda a: engine.reset_attempt(a, current_user, "restarted by the learner"),
        "{title!r} has started again from the beginning.",
        RestartForm(),
    )


@bp.route("/evidence.zip")
@learner_area
def evidence_pack():
    """The learner's own evidence pack (their work, checks, feedback and action log)."""
    learner = current_user
    return evidence_pack_response(learner)


@bp.route("/my-data.json")
@learner_area
def my_data():
    """Everything held about the learner, as JSON (their right of access, UK GDPR)."""
    return personal_data_response(current_user)
