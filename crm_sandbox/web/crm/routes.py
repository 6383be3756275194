"""The learner's CRM, one sandbox at a time: /s/<sandbox_id>/..."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ... import scoping
from ...access import learner_area
from ...extensions import db
from ...models import (
    Category,
    Contact,
    Interaction,
    Lifecycle,
    Need,
    Sandbox,
    SandboxKind,
    Segment,
)
from ...services import action_log, contacts, interactions, provisioning, sandbox_clock
from ...services.context import SandboxContext
from ...services.errors import NotFound, ServiceError
from ...services.validation import value_or_blank
from ..forms_common import ButtonForm, show_service_error
from . import bp
from .forms import (
    ClassifyForm,
    ConfirmNeedForm,
    ConsentForm,
    ContactForm,
    InteractionForm,
    MergeForm,
    NeedForm,
    PreferenceForm,
    ResetForm,
)


@bp.url_value_preprocessor
def _pull_sandbox_id(endpoint, values):
    g.sandbox_id = values.pop("sandbox_id", None) if values else None


@bp.url_defaults
def _add_sandbox_id(endpoint, values):
    if (
        "sandbox_id" not in values
        and g.get("sandbox_id") is not None
        and current_app.url_map.is_endpoint_expecting(endpoint, "sandbox_id")
    ):
        values["sandbox_id"] = g.sandbox_id


def can_open(user, sandbox: Sandbox) -> bool:
    """Whether this user may open this sandbox's CRM pages (its owner, for now)."""
    return sandbox.kind != SandboxKind.TEMPLATE.value and sandbox.owner_id == user.id


@bp.before_request
def _enter_sandbox():
    sandbox = db.session.get(Sandbox, g.sandbox_id) if g.sandbox_id else None
    if sandbox is None or not can_open(current_user, sandbox):
        abort(404)
    g.sandbox = sandbox
    g.ctx = SandboxContext(sandbox, current_user)
    scoping.enter_sandbox(sandbox.id)


@bp.app_context_processor
def _sandbox_globals():
    ctx = g.get("ctx")
    if ctx is None:
        return {}
    return {"sandbox": ctx.sandbox, "sandbox_now": ctx.now(), "org": ctx.sandbox.organisation}


def _get(model, object_id):
    try:
        return g.ctx.get(model, object_id)
    except NotFound:
        abort(404)


def _commit_or_explain(action, form=None, success: str = ""):
    """Run a service call; commit and flash on success, roll back and explain on refusal."""
    try:
        result = action()
    except ServiceError as exc:
        db.session.rollback()
        show_service_error(form, exc)
        return None, False
    db.session.commit()
    if success:
        flash(success, "success")
    return result, True


@bp.route("/")
@learner_area
def dashboard():
    ctx = g.ctx
    return render_template(
        "crm/dashboard.html",
        follow_ups=interactions.follow_ups_due(ctx),
        recent=action_log.entries(ctx.sandbox_id, limit=8),
        counts={
            c: contacts.count_contacts(ctx, contacts.ContactFilters(category=c.value))
            for c in Category
        },
        clock_form=ButtonForm(),
    )


@bp.route("/organisation")
@learner_area
def organisation():
    return render_template("crm/organisation.html")


@bp.route("/contacts")
@learner_area
def contact_list():
    args = request.args
    filters = contacts.ContactFilters(
        search=args.get("q", "")[: contacts.SEARCH_MAX],
        category=value_or_blank(args.get("category"), Category),
        segment=value_or_blank(args.get("segment"), Segment),
        lifecycle_stage=value_or_blank(args.get("stage"), Lifecycle),
    )
    rows, next_cursor = contacts.list_contacts(g.ctx, filters, after=args.get("after", ""))
    return render_template(
        "crm/contacts.html",
        rows=rows,
        next_cursor=next_cursor,
        filters=filters,
        total=contacts.count_contacts(g.ctx, filters),
        first_page=not args.get("after"),
        Category=Category,
        Segment=Segment,
        Lifecycle=Lifecycle,
    )


@bp.route("/contacts/new", methods=["GET", "POST"])
@learner_area
def contact_new():
    form = ContactForm()
    if request.method == "GET":
        form.category.data = Category.UNCLASSIFIED.value
    if form.validate_on_submit():
        contact, ok = _commit_or_explain(
            lambda: contacts.create_contact(g.ctx, _contact_data(form)), form
        )
        if ok:
            flash(f"Added {contact.display_name}.", "success")
            return redirect(url_for("crm.contact_detail", contact_id=contact.id))
    return render_template("crm/contact_form.html", form=form, contact=None), (
        422 if form.errors else 200
    )


def _contact_data(form: ContactForm) -> dict:
    return {name: form[name].data for name in contacts.CONTACT_FIELDS}


@bp.route("/contacts/<int:contact_id>")
@learner_area
def contact_detail(contact_id: int):
    contact = _get(Contact, contact_id)
    merged_into = _get(Contact, contact.merged_into_id) if contact.merged_into_id else None
    classify = ClassifyForm(category=contact.category)
    consent = ConsentForm(**{f"consent_{k}": v for k, v in contact.consents().items()})
    return render_template(
        "crm/contact.html",
        contact=contact,
        merged_into=merged_into,
        timeline=interactions.timeline(g.ctx, contact),
        need_form=NeedForm(),
        confirm_form=ConfirmNeedForm(),
        pref_form=PreferenceForm(),
        classify_form=classify,
        consent_form=consent,
        button=ButtonForm(),
        duplicates=contacts.possible_duplicates(g.ctx, contact) if not merged_into else [],
    )


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@learner_area
def contact_edit(contact_id: int):
    contact = _get(Contact, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        _, ok = _commit_or_explain(
            lambda: contacts.update_contact(g.ctx, contact, _contact_data(form)),
            form,
            "Contact details saved.",
        )
        if ok:
            return redirect(url_for("crm.contact_detail", contact_id=contact.id))
    return render_template("crm/contact_form.html", form=form, contact=contact), (
        422 if form.errors else 200
    )


def _back_to(contact_id: int):
    return redirect(url_for("crm.contact_detail", contact_id=contact_id))


def _form_errors(form) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        flash(f"Nothing was saved: {label}: {' '.join(errors)}", "danger")


@bp.route("/contacts/<int:contact_id>/classify", methods=["POST"])
@learner_area
def contact_classify(contact_id: int):
    contact = _get(Contact, contact_id)
    form = ClassifyForm()
    if form.validate_on_submit():
        _commit_or_explain(
            lambda: contacts.classify_contact(g.ctx, contact, form.category.data),
            form,
            f"Saved: {contact.display_name} is recorded as "
            f"{Category(form.category.data).label.lower()}.",
        )
    else:
        _form_errors(form)
    return _back_to(contact.id)


@bp.route("/contacts/<int:contact_id>/needs", methods=["POST"])
@learner_area
def need_add(contact_id: int):
    contact = _get(Contact, contact_id)
    form = NeedForm()
    if form.validate_on_submit():
        _commit_or_explain(
            lambda: contacts.add_need(g.ctx, contact, form.description.data),
            form,
            "Need recorded. Confirm it with the customer before acting on it.",
        )
    else:
        _form_errors(form)
    return _back_to(contact.id)


@bp.route("/needs/<int:need_id>/confirm", methods=["POST"])
@learner_area
def need_confirm(need_id: int):
    need = _get(Need, need_id)
    form = ConfirmNeedForm()
    if form.validate_on_submit():
        _commit_or_explain(
            lambda: contacts.confirm_need(g.ctx, need, form.method.data),
            form,
            "Need confirmed with the customer.",
        )
    else:
        _form_errors(form)
    return _back_to(need.contact_id)


@bp.route("/contacts/<int:contact_id>/preferences", methods=["POST"])
@learner_area
def preference_add(contact_id: int):
    contact = _get(Contact, contact_id)
    form = PreferenceForm()
    if form.validate_on_submit():
        _commit_or_explain(
            lambda: contacts.add_preference(g.ctx, contact, form.description.data),
            form,
            "Preference recorded.",
        )
    else:
        _form_errors(form)
    return _back_to(contact.id)


@bp.route("/contacts/<int:contact_id>/consent", methods=["POST"])
@learner_area
def consent_save(contact_id: int):
    contact = _get(Contact, contact_id)
    form = ConsentForm()
    if form.validate_on_submit():
        wanted = {ch: form[f"consent_{ch}"].data for ch in ("email", "phone", "post", "sms")}
        _commit_or_explain(
            lambda: contacts.set_consent(g.ctx, contact, wanted), form, "Consent for contact saved."
        )
    else:
        _form_errors(form)
    return _back_to(contact.id)


@bp.route("/contacts/<int:contact_id>/accuracy", methods=["POST"])
@learner_area
def accuracy_checked(contact_id: int):
    contact = _get(Contact, contact_id)
    if ButtonForm().validate_on_submit():
        _commit_or_explain(
            lambda: contacts.mark_accuracy_checked(g.ctx, contact),
            None,
            "Recorded that the details were checked and are accurate.",
        )
    return _back_to(contact.id)


@bp.route("/contacts/<int:contact_id>/merge", methods=["GET", "POST"])
@learner_area
def contact_merge(contact_id: int):
    keep = _get(Contact, contact_id)
    form = MergeForm()
    if form.validate_on_submit():
        duplicate = _get(Contact, form.duplicate_id.data)
        _, ok = _commit_or_explain(
            lambda: contacts.merge_contacts(g.ctx, keep, duplicate),
            None,
            f"Merged the duplicate record into {keep.display_name}.",
        )
        return _back_to(keep.id)
    candidate = None
    if request.args.get("duplicate"):
        candidate = _get(Contact, request.args["duplicate"])
        form.duplicate_id.data = candidate.id
    return render_template(
        "crm/merge.html",
        keep=keep,
        candidate=candidate,
        form=form,
        duplicates=contacts.possible_duplicates(g.ctx, keep),
    )


@bp.route("/contacts/<int:contact_id>/interactions/new", methods=["GET", "POST"])
@learner_area
def interaction_new(contact_id: int):
    contact = _get(Contact, contact_id)
    form = InteractionForm()
    if form.validate_on_submit():
        _, ok = _commit_or_explain(
            lambda: interactions.log_interaction(g.ctx, contact, _interaction_data(form)),
            form,
            "Interaction logged.",
        )
        if ok:
            return _back_to(contact.id)
    return render_template(
        "crm/interaction_form.html", form=form, contact=contact, original=None
    ), (422 if form.errors else 200)


def _interaction_data(form: InteractionForm) -> dict:
    return {
        name: form[name].data
        for name in ("channel", "direction", "initiative", "summary", "outcome", "follow_up_on")
    }


@bp.route("/interactions/<int:interaction_id>/correct", methods=["GET", "POST"])
@learner_area
def interaction_correct(interaction_id: int):
    original = _get(Interaction, interaction_id)
    form = InteractionForm(obj=original)
    if form.validate_on_submit():
        _, ok = _commit_or_explain(
            lambda: interactions.correct_interaction(g.ctx, original, _interaction_data(form)),
            form,
            "Correction saved. The original entry is kept and marked as corrected.",
        )
        if ok:
            return _back_to(original.contact_id)
    return render_template(
        "crm/interaction_form.html", form=form, contact=original.contact, original=original
    ), (422 if form.errors else 200)


@bp.route("/interactions/<int:interaction_id>/follow-up-done", methods=["POST"])
@learner_area
def follow_up_done(interaction_id: int):
    interaction = _get(Interaction, interaction_id)
    if ButtonForm().validate_on_submit():
        _commit_or_explain(
            lambda: interactions.complete_follow_up(g.ctx, interaction),
            None,
            "Follow-up marked as done.",
        )
    if request.form.get("back") == "contact":
        return _back_to(interaction.contact_id)
    return redirect(url_for("crm.dashboard"))


@bp.route("/clock/next-working-day", methods=["POST"])
@learner_area
def clock_next_day():
    if ButtonForm().validate_on_submit():
        target, ok = _commit_or_explain(
            lambda: sandbox_clock.advance_to_next_working_day(g.ctx), None
        )
        if ok:
            flash(f"The sandbox clock moved on to {target:%A %-d %B %Y, %H:%M}.", "success")
    return redirect(url_for("crm.dashboard"))


@bp.route("/log")
@learner_area
def log():
    entries = action_log.entries(g.ctx.sandbox_id, limit=500)
    return render_template("crm/log.html", entries=entries)


@bp.route("/reset", methods=["GET", "POST"])
@learner_area
def reset():
    form = ResetForm()
    if form.validate_on_submit():
        _, ok = _commit_or_explain(lambda: provisioning.reset(g.ctx, "reset by the learner"), form)
        if ok:
            flash(
                "Your sandbox is back to its starting state. Your action log keeps a record "
                "of the reset.",
                "success",
            )
            return redirect(url_for("crm.dashboard"))
    return render_template("crm/reset.html", form=form)
