"""Contacts and their interactions, needs, preferences and consent."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import Response, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from ...access import learner_area
from ...models import Category, Contact, Interaction, Lifecycle, Need, Segment
from ...services import contacts, interactions, loyalty
from ...services.validation import value_or_blank
from ..filters import RowUrl
from ..forms_common import ButtonForm, save_once
from . import bp
from .common import (
    back_to_contact,
    commit_or_explain,
    get_or_404,
    post_then_redirect,
)
from .forms import (
    ClassifyForm,
    ConfirmNeedForm,
    ConsentForm,
    ContactForm,
    InteractionForm,
    MergeForm,
    NeedForm,
    PreferenceForm,
)
from .loyalty import OrderForm


def _list_filters(args) -> contacts.ContactFilters:
    """The contact list's filters and order from the query string (an unknown sort key or
    direction is ignored: the list is then in name order, A to Z)."""
    return contacts.ContactFilters(
        search=args.get("q", "")[: contacts.SEARCH_MAX],
        category=value_or_blank(args.get("category"), Category),
        segment=value_or_blank(args.get("segment"), Segment),
        lifecycle_stage=value_or_blank(args.get("stage"), Lifecycle),
        sort=args.get("sort", "name"),
        descending=args.get("dir") == "desc",
    )


def _list_args(filters: contacts.ContactFilters) -> dict:
    """The query string that shows the same filtered, sorted list (blank values left out)."""
    found = {
        "q": filters.search,
        "category": filters.category,
        "segment": filters.segment,
        "stage": filters.lifecycle_stage,
        "sort": "" if filters.sort == "name" else filters.sort,
        "dir": "desc" if filters.descending else "",
    }
    return {key: value for key, value in found.items() if value}


SORT_COLUMNS = (("name", "Name"), ("type", "Type"), ("segment", "Segment"), ("stage", "Stage"))


def _list_links(filters: contacts.ContactFilters, page: contacts.ContactPage) -> dict:
    """The list's own links, each keeping the filters and order: a header link per sortable
    column (a sorted column's turns its direction), the export, and the pages. Built as query
    strings on the page's path (a router `url_for` for each costs some 60 function calls a
    link, 8% more a page, measured with cProfile)."""
    path = request.script_root + request.path
    args = _list_args(filters)

    def href(base: str = path, **changes) -> str:
        query = urlencode({key: value for key, value in {**args, **changes}.items() if value})
        return f"{base}?{query}" if query else base

    headers = []
    for key, label in SORT_COLUMNS:
        current = filters.sort == key
        turn = current and not filters.descending
        headers.append(
            {
                "label": label,
                "href": href(sort="" if key == "name" else key, dir="desc" if turn else ""),
                "sorted": ("descending" if filters.descending else "ascending") if current else "",
                "action": "Z to A" if turn else "A to Z",
            }
        )
    return {
        "headers": headers,
        "export": href(f"{path}/export.csv"),
        "first": href(),
        "previous": href(before=page.previous_cursor) if page.previous_cursor else None,
        "next": href(after=page.next_cursor) if page.next_cursor else None,
        "hidden": {key: args[key] for key in ("sort", "dir") if key in args},
    }


@bp.route("/contacts")
@learner_area
def contact_list():
    args = request.args
    filters = _list_filters(args)
    page = contacts.contact_page(
        g.ctx, filters, after=args.get("after", ""), before=args.get("before", "")
    )
    contact_url = RowUrl.cached("crm.contact_detail", "contact_id", sandbox_id=g.ctx.sandbox_id)
    return render_template(
        "crm/contacts.html",
        rows=[_row(contact_url(row.id), *row.cells()) for row in page.rows],
        links=_list_links(filters, page),
        filters=filters,
        total=page.total,
        first_page=not (args.get("after") or args.get("before")),
        Category=Category,
        Segment=Segment,
        Lifecycle=Lifecycle,
    )


@bp.route("/contacts/export.csv")
@learner_area
def contact_export():
    """Every contact matching the list's filters, in its order, as a CSV file."""
    return Response(
        contacts.contacts_csv(g.ctx, _list_filters(request.args)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


def _row(link, name, job, category, segment, stage, email, phone) -> tuple:
    """A contact list row for the template: its link, name, job line, the type, segment and
    stage cells, email and phone."""
    return link, name, job, _kind_cells(category, segment, stage), email, phone


@functools.lru_cache(maxsize=512)
def _kind_cells(category: str, segment: str, stage: str) -> Markup:
    """The type, segment and stage cells of a contact row. Their texts are the code's own
    labels and the same few on every page, so the three cells are made (and escaped) once per
    combination rather than cell by cell for every row."""
    return Markup("<td>{}</td><td>{}</td><td>{}</td>").format(category, segment, stage)


@bp.route("/contacts/new", methods=["GET", "POST"])
@learner_area
def contact_new():
    form = ContactForm()
    if request.method == "GET":
        form.category.data = Category.UNCLASSIFIED.value
    if form.validate_on_submit():
        contact, ok = commit_or_explain(
            save_once(
                form,
                lambda: contacts.create_contact(g.ctx, _contact_data(form)),
                lambda c: url_for("crm.contact_detail", contact_id=c.id),
            ),
            form,
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
    contact = get_or_404(Contact, contact_id)
    merged_into = get_or_404(Contact, contact.merged_into_id) if contact.merged_into_id else None
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
        orders=loyalty.orders_of(g.ctx, contact),
        order_form=OrderForm(),
    )


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@learner_area
def contact_edit(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            lambda: contacts.update_contact(g.ctx, contact, _contact_data(form)),
            form,
            f"Details of {contact.display_name} saved.",
        )
        if ok:
            return redirect(url_for("crm.contact_detail", contact_id=contact.id))
    return render_template("crm/contact_form.html", form=form, contact=contact), (
        422 if form.errors else 200
    )


@bp.route("/contacts/<int:contact_id>/classify", methods=["POST"])
@learner_area
def contact_classify(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = ClassifyForm()
    return post_then_redirect(
        form,
        lambda: contacts.classify_contact(g.ctx, contact, form.category.data),
        lambda: (
            f"Saved: {contact.display_name} is recorded as "
            f"{Category(form.category.data).label.lower()}."
        ),
        back_to_contact(contact.id),
    )


@bp.route("/contacts/<int:contact_id>/needs", methods=["POST"])
@learner_area
def need_add(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = NeedForm()
    return post_then_redirect(
        form,
        lambda: contacts.add_need(g.ctx, contact, form.description.data),
        f"Need recorded for {contact.display_name}. Confirm it with them before acting on it.",
        back_to_contact(contact.id),
    )


@bp.route("/needs/<int:need_id>/confirm", methods=["POST"])
@learner_area
def need_confirm(need_id: int):
    need = get_or_404(Need, need_id)
    form = ConfirmNeedForm()
    return post_then_redirect(
        form,
        lambda: contacts.confirm_need(g.ctx, need, form.method.data),
        f"Need confirmed with {need.contact.display_name}.",
        back_to_contact(need.contact_id),
    )


@bp.route("/contacts/<int:contact_id>/preferences", methods=["POST"])
@learner_area
def preference_add(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = PreferenceForm()
    return post_then_redirect(
        form,
        lambda: contacts.add_preference(g.ctx, contact, form.description.data),
        f"Preference recorded for {contact.display_name}.",
        back_to_contact(contact.id),
    )


@bp.route("/contacts/<int:contact_id>/consent", methods=["POST"])
@learner_area
def consent_save(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = ConsentForm()

    def save():
        wanted = {ch: form[f"consent_{ch}"].data for ch in ("email", "phone", "post", "sms")}
        return contacts.set_consent(g.ctx, contact, wanted)

    return post_then_redirect(
        form, save, f"Consent of {contact.display_name} saved.", back_to_contact(contact.id)
    )


@bp.route("/contacts/<int:contact_id>/accuracy", methods=["POST"])
@learner_area
def accuracy_checked(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    if ButtonForm().validate_on_submit():
        commit_or_explain(
            lambda: contacts.mark_accuracy_checked(g.ctx, contact),
            None,
            f"Recorded that {contact.display_name}'s details were checked and are accurate.",
        )
    return back_to_contact(contact.id)


@bp.route("/contacts/<int:contact_id>/merge", methods=["GET", "POST"])
@learner_area
def contact_merge(contact_id: int):
    keep = get_or_404(Contact, contact_id)
    form = MergeForm()
    if form.validate_on_submit():
        duplicate = get_or_404(Contact, form.duplicate_id.data)
        _, ok = commit_or_explain(
            lambda: contacts.merge_contacts(g.ctx, keep, duplicate),
            None,
            f"Merged {duplicate.display_name} (the duplicate, now marked as merged) into "
            f"{keep.display_name}.",
        )
        if ok:
            return back_to_contact(keep.id)
    candidate = None
    chosen = form.duplicate_id.data if request.method == "POST" else request.args.get("duplicate")
    if chosen:
        candidate = get_or_404(Contact, chosen)
        form.duplicate_id.data = candidate.id
    return render_template(
        "crm/merge.html",
        keep=keep,
        candidate=candidate,
        form=form,
        duplicates=contacts.possible_duplicates(g.ctx, keep),
    ), (422 if form.errors else 200)


@bp.route("/contacts/<int:contact_id>/interactions/new", methods=["GET", "POST"])
@learner_area
def interaction_new(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = InteractionForm()
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            save_once(
                form,
                lambda: interactions.log_interaction(g.ctx, contact, _interaction_data(form)),
                lambda _: url_for("crm.contact_detail", contact_id=contact.id),
            ),
            form,
            f"Interaction with {contact.display_name} logged.",
        )
        if ok:
            return back_to_contact(contact.id)
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
    original = get_or_404(Interaction, interaction_id)
    form = InteractionForm(obj=original)
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            save_once(
                form,
                lambda: interactions.correct_interaction(g.ctx, original, _interaction_data(form)),
                lambda _: url_for("crm.contact_detail", contact_id=original.contact_id),
            ),
            form,
            f"Correction to the entry for {original.contact.display_name} saved. The original "
            "entry is kept and marked as corrected.",
        )
        if ok:
            return back_to_contact(original.contact_id)
    return render_template(
        "crm/interaction_form.html", form=form, contact=original.contact, original=original
    ), (422 if form.errors else 200)


@bp.route("/interactions/<int:interaction_id>/follow-up-done", methods=["POST"])
@learner_area
def follow_up_done(interaction_id: int):
    interaction = get_or_404(Interaction, interaction_id)
    if ButtonForm().validate_on_submit():
        commit_or_explain(
            lambda: interactions.complete_follow_up(g.ctx, interaction),
            None,
            f"Follow-up with {interaction.contact.display_name} marked as done.",
        )
    if request.form.get("back") == "contact":
        return back_to_contact(interaction.contact_id)
    return redirect(url_for("crm.dashboard"))
