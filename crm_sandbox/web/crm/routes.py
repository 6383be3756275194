"""The learner's CRM, one sandbox at a time: /s/<sandbox_id>/..."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from ... import scoping
from ...access import learner_area
from ...models import (
    Attempt,
    Interaction,
    Organisation,
    Sandbox,
    SandboxKind,
    db,
)
from ...scenarios import engine
from ...scenarios.loader import scenario_from_snapshot
from ...services import (
    assignments,
    clock,
    customers,
    log_words,
    provisioning,
    sandbox_clock,
)
from ...services.complaints.rules import policy_texts
from ...services.context import SandboxContext
from ...services.dashboard import dashboard as dashboard_page
from ...wording import datetime_text
from ..filters import RowUrl
from ..forms_common import ButtonForm
from ..transaction import transaction
from . import bp
from .common import commit_or_explain
from .forms import (
    ResetForm,
)


@bp.url_value_preprocessor
def _pull_sandbox_id(endpoint, values):
    g.sandbox_id = values.pop("sandbox_id", None) if values else None


@bp.url_defaults
def _add_sandbox_id(endpoint, values):
    # Called for this blueprint's endpoints only, and every one of them is under
    # /s/<sandbox_id>: links from a CRM page stay in its sandbox unless they name another.
    if "sandbox_id" not in values:
        sandbox_id = g.get("sandbox_id")
        if sandbox_id is not None:
            values["sandbox_id"] = sandbox_id


def can_open(user, sandbox) -> bool:
    """Whether this user may open this sandbox's CRM pages (its owner, for now). `sandbox`: a
    Sandbox row or a page's `SandboxHeader`."""
    return sandbox.kind != SandboxKind.TEMPLATE.value and sandbox.owner_id == user.id


class SandboxHeader(NamedTuple):
    """What every CRM page needs about its sandbox (the layout, the access check, the clock),
    read as columns. Services that need the `Sandbox` row get it from `g.ctx.sandbox`."""

    id: int
    kind: str
    owner_id: int | None
    title: str
    read_only: bool
    clock_start: datetime
    clock_anchor: datetime
    clock_offset_seconds: int
    clock_runs_on_work: bool
    clock_worked_seconds: int
    clock_running: bool
    #: when the earliest simulated customer's action falls due (None: nothing waits)
    next_customer_due: datetime | None


class OrganisationHeader(NamedTuple):
    """The organisation's fields the layout and the dashboard show, and its working calendar."""

    name: str
    learner_role: str
    opens_at: str
    closes_at: str
    working_days: list


class AttemptHeader(NamedTuple):
    """The scenario attempt a sandbox belongs to: what deciding due events needs."""

    id: int
    scenario_yaml: str
    fired_events: list | None
    keys: dict | None
    started_at: datetime | None


_HEADER = (
    select(
        *(getattr(Sandbox, name) for name in SandboxHeader._fields[:-1]),
        # Folded in here rather than asked after (one statement fewer on every page): the
        # index on (sandbox_id, customer_due_at) answers it with one look.
        select(func.min(Interaction.customer_due_at))
        .where(Interaction.sandbox_id == bindparam("sandbox_id"))
        .scalar_subquery(),
        *(getattr(Organisation, name) for name in OrganisationHeader._fields),
        *(getattr(Attempt, name) for name in AttemptHeader._fields),
    )
    .join(Organisation, Organisation.sandbox_id == Sandbox.id)
    .outerjoin(Attempt, Attempt.sandbox_id == Sandbox.id)
    .where(Sandbox.id == bindparam("sandbox_id"))
)
_ORG_AT = len(SandboxHeader._fields)
_ATTEMPT_AT = _ORG_AT + len(OrganisationHeader._fields)


def _headers(sandbox_id: int):
    """The sandbox, its organisation and its attempt (or None) as the page needs them: one
    query built once, read without building ORM objects (every CRM page asks first)."""
    row = scoping.read_in_sandbox(sandbox_id, _HEADER, {"sandbox_id": sandbox_id}).first()
    if row is None:
        return None, None, None
    attempt = AttemptHeader(*row[_ATTEMPT_AT:]) if row[_ATTEMPT_AT] is not None else None
    return SandboxHeader(*row[:_ORG_AT]), OrganisationHeader(*row[_ORG_AT:_ATTEMPT_AT]), attempt


@bp.before_request
def _enter_sandbox():
    sandbox, org, attempt = _headers(g.sandbox_id) if g.sandbox_id else (None, None, None)
    if sandbox is None or not can_open(current_user, sandbox):
        abort(404)
    if sandbox.kind != SandboxKind.ASSIGNMENT.value:
        attempt = None
    elif attempt is not None:
        # The learner is working in the scenario: its clock starts at the first opening and
        # runs on (a write only now and then: see sandbox_clock).
        if sandbox_clock.work_to_record(sandbox, attempt.started_at is not None):
            with transaction(write=True):
                sandbox_clock.record_work(assignments.attempt_for_sandbox(sandbox.id))
            sandbox, org, attempt = _headers(g.sandbox_id)
        if _fire_scenario_events(sandbox, org, attempt):
            sandbox, org, attempt = _headers(g.sandbox_id)
    _customers_act(sandbox)
    g.sandbox = sandbox
    g.organisation = org
    g.attempt = attempt
    g.ctx = SandboxContext.for_page(sandbox.id, sandbox, current_user, hours_fields=org)
    scoping.enter_sandbox(sandbox.id)


def _fire_scenario_events(sandbox: SandboxHeader, org: OrganisationHeader, attempt) -> bool:
    """Let the scenario's events that have fallen due happen before the page is shown
    (in a write transaction of its own); whether any did."""
    if sandbox.read_only:
        return False
    due = engine.events_due(
        scenario_from_snapshot(attempt.scenario_yaml),
        attempt.fired_events,
        clock.sandbox_now(sandbox),
        org,
        sandbox.id,
        attempt.keys,
    )
    if not due:
        return False
    with transaction(write=True):
        engine.fire_due_events(assignments.attempt_for_sandbox(sandbox.id))
    return True


def _customers_act(sandbox: SandboxHeader) -> bool:
    """Let the simulated customers act on what has fallen due (answers, chases) before the
    page is shown, in a write transaction of its own; whether any did. One indexed look when
    nothing is due."""
    if sandbox.read_only or sandbox.kind == SandboxKind.TEMPLATE.value:
        return False
    # customers.due_now, answered by the header's next_customer_due
    due = sandbox.next_customer_due
    if due is None or due > clock.sandbox_now(sandbox):
        return False
    with transaction(write=True):
        customers.act_on_due(SandboxContext(db.session.get(Sandbox, sandbox.id), None))
    return True


# The CRM's sections in the side menu: (endpoint, label, endpoint prefixes of its other pages).
NAV_SECTIONS = (
    ("crm.dashboard", "Dashboard", ()),
    ("crm.contact_list", "Contacts", ("crm.contact",)),
    ("crm.complaint_list", "Complaints", ("crm.complaint",)),
    ("crm.standard_list", "Service standards", ("crm.standard",)),
    (
        "crm.survey_list",
        "Feedback",
        ("crm.survey", "crm.finding", "crm.improvement", "crm.loyalty"),
    ),
    ("crm.organisation", "Organisation & policies", ()),
    ("crm.log", "My action log", ()),
    ("crm.reset", "Reset sandbox", ()),
)


def _nav(sandbox_id: int) -> list[tuple[str, str, bool]]:
    """The side menu of a CRM page: (label, URL, whether it is the section shown). The URLs
    are built through the router once (per script root) with a marker for the sandbox id; a
    page then fills in its own id (eight `url_for` calls on every page otherwise)."""
    heads = _NAV_URLS.get(request.script_root)
    if heads is None:
        heads = _NAV_URLS[request.script_root] = [
            (endpoint, label, prefixes, RowUrl(endpoint, "sandbox_id"))
            for endpoint, label, prefixes in NAV_SECTIONS
        ]
    here = request.endpoint or ""
    return [
        (label, url(sandbox_id), here == endpoint or bool(prefixes and here.startswith(prefixes)))
        for endpoint, label, prefixes, url in heads
    ]


_NAV_URLS: dict[str, list] = {}


@bp.app_context_processor
def _sandbox_globals():
    ctx = g.get("ctx")
    if ctx is None:
        return {}
    return {
        "sandbox": g.sandbox,
        # The one flag the templates ask before showing a form or button that changes the
        # sandbox: submitted work (read-only) shows its records without them.
        "writable": not g.sandbox.read_only,
        "sandbox_now": ctx.now(),
        "org": g.organisation,
        "attempt": g.attempt,
        "clock_rule": sandbox_clock.rule() if g.attempt else None,
        "scenario_url": (
            RowUrl.cached("learner.scenario", "attempt_id")(g.attempt.id) if g.attempt else None
        ),
        "crm_nav": _nav(ctx.sandbox_id),
    }


@bp.route("/")
@learner_area
def dashboard():
    page = dashboard_page(g.ctx)  # one statement
    return render_template("crm/dashboard.html", clock_form=ButtonForm(), **vars(page))


@bp.route("/organisation")
@learner_area
def organisation():
    org = g.ctx.organisation  # one statement (not the Sandbox row, then its organisation)
    return render_template(
        "crm/organisation.html", org=org, policies=policy_texts(org.policies or {})
    )


@bp.route("/clock/next-working-day", methods=["POST"])
@learner_area
def clock_next_day():
    if ButtonForm().validate_on_submit():
        target, ok = commit_or_explain(lambda: sandbox_clock.advance_to_next_working_day(g.ctx))
        if ok:
            flash(f"The sandbox clock moved on to {datetime_text(target)}.", "success")
    return redirect(url_for("crm.dashboard"))


@bp.route("/clock/forward", methods=["POST"])
@learner_area
def clock_forward():
    if ButtonForm().validate_on_submit():
        target, ok = commit_or_explain(
            lambda: sandbox_clock.advance_by_working_hours(g.ctx, request.form.get("hours"))
        )
        if ok:
            flash(f"The sandbox clock moved on to {datetime_text(target)}.", "success")
    return redirect(url_for("crm.dashboard"))


@bp.route("/log")
@learner_area
def log():
    # The newest 500 entries in words, as the assessor reads them.
    entries = log_words.timeline(g.ctx.sandbox_id, newest_first=True, limit=500)
    return render_template("crm/log.html", entries=entries)


@bp.route("/reset", methods=["GET", "POST"])
@learner_area
def reset():
    form = ResetForm()
    if form.validate_on_submit():
        if g.attempt is not None:
            _, ok = commit_or_explain(
                lambda: engine.reset_attempt(
                    assignments.attempt_for_sandbox(g.ctx.sandbox_id),
                    current_user,
                    "reset by the learner",
                ),
                form,
            )
        else:
            _, ok = commit_or_explain(
                lambda: provisioning.reset(g.ctx, "reset by the learner"), form
            )
        if ok:
            flash(
                f"{g.sandbox.title} is back to its starting state. Your action log keeps a "
                "record of the reset.",
                "success",
            )
            return redirect(url_for("crm.dashboard"))
    return render_template("crm/reset.html", form=form)
