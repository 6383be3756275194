"""The contact page's reads in one statement, prepared once (`together.prepared`): the
contact, the record it was merged into, its conversations, complaints, feedback responses,
needs, preferences, orders and possible duplicates. Each part is the select the service other
callers use (`conversations.threads_select`, `interactions.timeline_complaints`,
`duplicates_query`, ...) with plain columns and bound parameters, so a rule is written once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ...models import Complaint, Contact, Need, Order, Preference, Response
from .. import conversations, interactions, loyalty
from ..context import SandboxContext
from ..errors import NotFound
from ..together import Record, columns_of, prepared, rows
from .duplicates import duplicates_query


class ContactRecord(Record):
    """A contact read as plain columns, with what a page asks of a `Contact`."""

    __slots__ = ()

    display_name = property(Contact.display_name.fget)
    category_enum = property(Contact.category_enum.fget)
    consents = Contact.consents


@dataclass
class ContactPage:
    """What the contact page shows; `contact.needs` and `contact.preferences` are read with it."""

    contact: ContactRecord
    merged_into: ContactRecord | None
    threads: list  # conversations.Thread of Records
    history: list  # interactions.TimelineItem
    duplicates: list[ContactRecord]
    orders: list[Record]


@prepared
def _contact_page_reads() -> dict:
    """The contact page's reads, built once with bound parameters: the sandbox's and the
    contact's ids, sandbox `now` and `today` (`contact_page`)."""
    sandbox_id, contact_id = bindparam("sandbox_id"), bindparam("contact_id")
    contact_columns = columns_of(Contact)
    this = (Contact.sandbox_id == sandbox_id, Contact.id == contact_id)
    merged_into_id = select(Contact.merged_into_id).where(*this).scalar_subquery()
    return dict(
        contact=rows(select(*contact_columns).where(*this), order_by=[Contact.id]),
        merged_into=rows(
            select(*contact_columns).where(
                Contact.sandbox_id == sandbox_id, Contact.id == merged_into_id
            ),
            order_by=[Contact.id],
        ),
        messages=conversations.threads_read(sandbox_id, bindparam("now"), contact_id=contact_id),
        complaints=rows(
            interactions.timeline_complaints(
                sandbox_id,
                contact_id,
                Complaint.id,
                Complaint.reference,
                Complaint.category,
                Complaint.stage,
                Complaint.level,
                Complaint.received_at,
            ),
            order_by=[Complaint.id],
        ),
        responses=rows(
            interactions.timeline_responses(sandbox_id, contact_id, bindparam("now")),
            order_by=[Response.id],
        ),
        needs=rows(
            select(*columns_of(Need)).where(
                Need.sandbox_id == sandbox_id, Need.contact_id == contact_id
            ),
            order_by=(Need.id,),
        ),
        preferences=rows(
            select(*columns_of(Preference)).where(
                Preference.sandbox_id == sandbox_id, Preference.contact_id == contact_id
            ),
            order_by=(Preference.id,),
        ),
        duplicates=rows(
            duplicates_query(sandbox_id, contact_id, *contact_columns),
            order_by=(Contact.sort_name, Contact.id),
        ),
        orders=rows(
            loyalty.orders_select(sandbox_id, contact_id, bindparam("today"), *columns_of(Order)),
            order_by=loyalty.ORDERS_ORDER,
        ),
    )


def contact_page(ctx: SandboxContext, contact_id: int) -> ContactPage:
    """The contact page's reads in one statement, prepared once (`_contact_page_reads`);
    NotFound when the sandbox has no such contact."""
    now = ctx.now()
    parts = _contact_page_reads().run_in_sandbox(
        sandbox_id=ctx.sandbox_id, contact_id=contact_id, now=now, today=now.date()
    )
    if not parts["contact"]:
        raise NotFound("No such contact in this sandbox.")
    contact = ContactRecord(
        **parts["contact"][0]._asdict(), needs=parts["needs"], preferences=parts["preferences"]
    )
    merged_into = (
        ContactRecord(**parts["merged_into"][0]._asdict()) if parts["merged_into"] else None
    )
    return ContactPage(
        contact=contact,
        merged_into=merged_into,
        threads=conversations.group_threads(parts["messages"]),
        history=interactions.timeline_of(parts["complaints"], parts["responses"], contact.needs),
        duplicates=[]
        if merged_into
        else [ContactRecord(**d._asdict()) for d in parts["duplicates"]],
        orders=parts["orders"],
    )
