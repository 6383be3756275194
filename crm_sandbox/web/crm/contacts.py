"""Contacts and their interactions, needs, preferences and consent."""

from __future__ import annotations

import functools
from datetime import datetime
from urllib.parse import urlencode

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from ...access import learner_area
from ...models import (
    AnswerKind,
    Category,
    Channel,
    Complaint,
    Contact,
    Direction,
    Interaction,
    Lifecycle,
    Need,
    Segment,
    db,
)
from ...models.contacts import NEED_TYPE_LABELS
from ...models.interactions import ANSWER_LABELS, PURPOSE_LABELS
from ...services import contacts, conversations, interactions, loyalty
from ...services.contacts.page import contact_page
from ...services.customers.persona import remedy_text
from ...services.errors import NotFound, ServiceError
from ...services.validation import value_or_blank
from ...wording import date_text, datetime_text
from ..filters import RowUrl
from ..forms_common import ButtonForm, options, save_once
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
    MessageToCustomerForm,
    NeedForm,
    PreferenceForm,
    purpose_choices,
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


def _needs_evidence(messages: list) -> dict:
    """What the customer's replies say about each recorded need and preference, from the
    messages already read for the threads (no query of its own): per need id, the replies
    that confirm it (newest first) and the corrections the customer made to it; per
    preference id, theirs."""
    confirming: dict[int, list[Interaction]] = {}
    corrections: dict[int, list[dict]] = {}
    pref_corrections: dict[int, list[dict]] = {}
    for m in messages:
        if m.answer_kind != AnswerKind.NEEDS_REPLY.value or not m.details:
            continue
        for need_id in m.details.get("confirmed") or []:
            confirming.setdefault(need_id, []).append(m)
        for fix in m.details.get("corrected") or []:
            if fix.get("need_id") is not None:
                corrections.setdefault(fix["need_id"], []).append({**fix, "reply": m})
            elif fix.get("preference_id") is not None:
                pref_corrections.setdefault(fix["preference_id"], []).append({**fix, "reply": m})
    for replies in confirming.values():
        replies.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
    return {
        "confirming": confirming,
        "corrections": corrections,
        "pref_corrections": pref_corrections,
    }


@bp.route("/contacts/<int:contact_id>")
@learner_area
def contact_detail(contact_id: int):
    try:
        page = contact_page(g.ctx, contact_id)  # one statement
    except NotFound:
        abort(404)
    contact = page.contact
    classify = ClassifyForm(category=contact.category)
    consent = ConsentForm(**{f"consent_{k}": v for k, v in contact.consents().items()})
    messages = [m for t in page.threads for m in t.messages]
    return render_template(
        "crm/contact.html",
        contact=contact,
        merged_into=page.merged_into,
        threads=page.threads,
        superseded={m.supersedes_id for m in messages if m.supersedes_id is not None},
        # the rest of the contact's history (complaints, feedback, needs) beside the threads
        history=page.history,
        evidence=_needs_evidence(messages),
        needs_by_id={n.id: n for n in contact.needs},
        prefs_by_id={p.id: p for p in contact.preferences},
        need_form=NeedForm(),
        confirm_form=ConfirmNeedForm(),
        pref_form=PreferenceForm(),
        classify_form=classify,
        consent_form=consent,
        button=ButtonForm(),
        duplicates=page.duplicates,
        orders=page.orders,
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
        lambda: contacts.add_need(
            g.ctx, contact, form.description.data, need_type=_chosen_type(form.need_type, "need")
        ),
        f"Need recorded for {contact.display_name}. Send them a summary of their needs: "
        "it is confirmed when they reply that it is right.",
        back_to_contact(contact.id),
    )


def _chosen_type(field, what: str) -> str:
    """The type chosen for a need or preference: the page asks for one (the service also
    takes none, for older callers)."""
    if not field.data:
        raise ServiceError(f"Choose the type of {what}.", field.name)
    return field.data


def _confirming_reply(need: Need, reply_id) -> Interaction:
    """The customer's reply the learner points at, as one of this contact's messages (an id
    from elsewhere is refused, never a 404 page)."""
    try:
        reply = g.ctx.get(Interaction, int(reply_id))
    except (TypeError, ValueError, OverflowError, NotFound):  # not a number, or not here
        reply = None
    if reply is None or reply.contact_id != need.contact_id:
        raise ServiceError(
            "Choose the customer's reply that confirms this need (a reply to your summary of "
            "their needs).",
            "reply",
        )
    return reply


@bp.route("/needs/<int:need_id>/confirm", methods=["POST"])
@learner_area
def need_confirm(need_id: int):
    need = get_or_404(Need, need_id)
    form = ConfirmNeedForm()
    form.reply.choices = options((request.form.get("reply", ""), ""))  # checked by the service
    return post_then_redirect(
        form,
        lambda: conversations.confirm_need_by_reply(
            g.ctx, need, _confirming_reply(need, form.reply.data)
        ),
        f"Need confirmed by {need.contact.display_name}'s reply.",
        back_to_contact(need.contact_id),
    )


@bp.route("/contacts/<int:contact_id>/preferences", methods=["POST"])
@learner_area
def preference_add(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form = PreferenceForm()
    return post_then_redirect(
        form,
        lambda: contacts.add_preference(
            g.ctx,
            contact,
            form.description.data,
            pref_type=_chosen_type(form.pref_type, "preference"),
        ),
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


# --- Talking to the customer ------------------------------------------------------------


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _message_form(contact: Contact) -> tuple[MessageToCustomerForm, dict]:
    """The send-a-message form for this contact, its choices filled from their record: the
    purposes open to them, their complaints, their messages to reply to, their needs and
    preferences. Returns the form and what the template needs besides."""
    form = MessageToCustomerForm()
    form.purpose.choices = purpose_choices(contact.category == Category.INTERNAL.value)
    complaints_ = _contact_complaints(contact)
    form.complaint.choices = options(
        ("", "None"),
        *(
            (str(c.id), f"{c.reference}: {c.category} ({c.stage_enum.label.lower()})")
            for c in complaints_
        ),
    )
    theirs = _customer_messages(contact)
    form.in_reply_to.choices = options(
        ("", "Nothing: a new conversation"),
        *((str(m.id), f"{_when(m)}: {_shorten(m.summary)}") for m in theirs),
    )
    orders = (
        loyalty.orders_of(g.ctx, contact) if contact.category == Category.EXTERNAL.value else []
    )
    form.order.choices = options(
        ("", "None"),
        *(
            (str(o.id), f"{o.reference}: {o.description} ({date_text(o.placed_on)})")
            for o in orders
        ),
    )
    form.needs.choices = options(*((n.id, n.description) for n in contact.needs))
    form.preferences.choices = options(*((p.id, p.description) for p in contact.preferences))
    if request.method == "GET":
        form.purpose.data = request.args.get("purpose", "")
        if request.args.get("complaint") in {str(c.id) for c in complaints_}:
            form.complaint.data = request.args["complaint"]
        if request.args.get("reply_to") in {str(m.id) for m in theirs}:
            form.in_reply_to.data = request.args["reply_to"]
    replying = next((m for m in theirs if str(m.id) == form.in_reply_to.data), None)
    return form, {
        "replying": replying,
        "complaints": complaints_,
        "orders": orders,
        "consents": contact.consents(),
        "derived": "reactive" if (replying or form.complaint.data) else "proactive",
    }


def _contact_complaints(contact: Contact) -> list[Complaint]:
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.sandbox_id == g.ctx.sandbox_id, Complaint.contact_id == contact.id)
            .order_by(Complaint.received_at.desc())
        )
    )


def _customer_messages(contact: Contact) -> list[Interaction]:
    """The customer's own messages (newest first, up to sandbox now): what a message can
    reply to."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == g.ctx.sandbox_id,
                Interaction.contact_id == contact.id,
                Interaction.direction == Direction.INBOUND.value,
                Interaction.occurred_at <= g.ctx.now(),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(50)
        )
    )


def _when(m: Interaction) -> str:
    return datetime_text(m.occurred_at)


def _shorten(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _message_data(contact: Contact, form: MessageToCustomerForm, extra: dict) -> dict:
    """The form as `conversations.send_message` takes it. Only the chosen purpose's own
    fields are passed on (the others may hold what the page showed, unused)."""
    purpose = form.purpose.data or ""
    if not purpose:
        raise ServiceError("Choose what the message is for.", "purpose")
    complaint = next(
        (c for c in extra["complaints"] if str(c.id) == (form.complaint.data or "")), None
    )
    if form.complaint.data and complaint is None:
        raise ServiceError("That complaint is another customer's.", "complaint")
    order = next((o for o in extra["orders"] if str(o.id) == (form.order.data or "")), None)
    if form.order.data and order is None:
        raise ServiceError("Choose the order from the customer's orders.", "order")
    in_reply_to = extra["replying"]
    if form.in_reply_to.data and in_reply_to is None:
        raise ServiceError("A reply goes to the customer who sent the message.", "in_reply_to")
    promise_by = None
    if form.promise_on.data or form.promise_time.data:
        if not (form.promise_on.data and form.promise_time.data):
            raise ServiceError(
                "Give both the date and the time of the next contact you promise.", "promise_on"
            )
        promise_by = datetime.combine(form.promise_on.data, form.promise_time.data)
    data = {
        "channel": form.channel.data,
        "purpose": purpose,
        "summary": form.summary.data,
        "complaint": complaint,
        "order": order,
        "in_reply_to": in_reply_to,
        "promise_by": promise_by,
    }
    if purpose == "ask_needs":
        data.update(topic=form.topic.data, kind=form.kind.data)
    elif purpose == "confirm_needs":
        data.update(needs=form.needs.data or [], preferences=form.preferences.data or [])
    elif purpose == "propose_resolution":
        data["remedy"] = {
            "type": form.remedy_type.data,
            "amount": form.remedy_amount.data,
            "by": form.remedy_by.data,
        }
    return data


@bp.route("/contacts/<int:contact_id>/messages/new", methods=["GET", "POST"])
@learner_area
def message_new(contact_id: int):
    contact = get_or_404(Contact, contact_id)
    form, extra = _message_form(contact)
    if form.validate_on_submit():
        sent, ok = commit_or_explain(
            save_once(
                form,
                lambda: conversations.send_message(
                    g.ctx, contact, _message_data(contact, form, extra)
                ),
                lambda _: url_for("crm.contact_detail", contact_id=contact.id),
            ),
            _MessageErrors(form),
            f"Message sent to {contact.display_name}.",
        )
        if ok:
            # Sent as the learner chose; the warning teaches (the checks judge consent at
            # the moment of contact).
            warning = conversations.consent_warning(contact, form.channel.data, form.purpose.data)
            if warning:
                flash(warning, "warning")
            return back_to_contact(contact.id)
    return render_template("crm/message_form.html", form=form, contact=contact, **extra), (
        422 if form.errors else 200
    )


class _MessageErrors:
    """Shows a refusal on the field the service names: its names for the promise and the
    reply's fields map onto the form's."""

    FIELDS = {"promise_by": "promise_on", "remedy": "remedy_type"}

    def __init__(self, form):
        self.form = form

    def __getattr__(self, name):
        return getattr(self.form, self.FIELDS.get(name, name))


@bp.route("/contacts/<int:contact_id>/interactions/new", methods=["GET", "POST"])
@learner_area
def interaction_new(contact_id: int):
    """A practice sandbox only: the learner's own note of a call or visit from the customer
    (inbound, so reactive). In a scenario the customers' messages come from the customers."""
    contact = get_or_404(Contact, contact_id)
    if g.attempt is not None:
        flash(
            "In a scenario the customer's messages come from the customer: they appear on "
            "the contact's page when they arrive. Send them a message instead.",
            "info",
        )
        return redirect(url_for("crm.message_new", contact_id=contact.id))
    form = InteractionForm()
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            save_once(
                form,
                lambda: interactions.log_interaction(g.ctx, contact, _note_data(form)),
                lambda _: url_for("crm.contact_detail", contact_id=contact.id),
            ),
            form,
            f"Your note of the contact from {contact.display_name} is saved.",
        )
        if ok:
            return back_to_contact(contact.id)
    return render_template(
        "crm/interaction_form.html", form=form, contact=contact, original=None
    ), (422 if form.errors else 200)


def _note_data(form: InteractionForm, original: Interaction | None = None) -> dict:
    """A note of a contact from the customer is inbound and so reactive; a correction keeps
    the original's direction and initiative."""
    return {
        "channel": form.channel.data,
        "direction": original.direction if original else Direction.INBOUND.value,
        "initiative": original.initiative if original else "reactive",
        "summary": form.summary.data,
        "outcome": form.outcome.data,
        "follow_up_on": form.follow_up_on.data,
    }


@bp.route("/interactions/<int:interaction_id>/correct", methods=["GET", "POST"])
@learner_area
def interaction_correct(interaction_id: int):
    original = get_or_404(Interaction, interaction_id)
    if original.answer_kind is not None or original.purpose is not None:
        # The customer's words are theirs; a message sent has been read: say it again, better.
        flash(
            "This message has been sent (or is the customer's own): it cannot be corrected. "
            "Send the customer a further message instead.",
            "danger",
        )
        return back_to_contact(original.contact_id)
    form = InteractionForm(obj=original)
    if form.validate_on_submit():
        _, ok = commit_or_explain(
            save_once(
                form,
                lambda: interactions.correct_interaction(
                    g.ctx, original, _note_data(form, original)
                ),
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


# --- Words for the conversation's codes (template filters) ---------------------------------


@bp.app_template_filter("need_type_label")
def need_type_label(value: str | None) -> str:
    return NEED_TYPE_LABELS.get(value or "", "Not typed")


@bp.app_template_filter("purpose_label")
def purpose_label(value: str | None) -> str:
    return PURPOSE_LABELS.get(value or "", "Message")


@bp.app_template_filter("answer_label")
def answer_label(value: str | None) -> str:
    return ANSWER_LABELS.get(value or "", "Message")


@bp.app_template_filter("channel_label")
def channel_label(value: str | None) -> str:
    try:
        return Channel(value).label
    except ValueError:
        return str(value or "")


# A remedy in words on the pages: "Full refund of £44.94 by Wed 11 Mar 2026".
bp.app_template_filter("remedy_text")(remedy_text)
