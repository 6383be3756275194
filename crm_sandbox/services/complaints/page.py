"""The complaint page's reads in one statement, prepared once (`together.prepared`): the
complaint, its customer, its history, the conversation about it, the customer's reply a
confirmed close points at, and the organisation (its procedure and policies name the page's
choices). The conversation is `conversations.threads_select`, the select the service's other
callers use, with plain columns and bound parameters, so its rule is written once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ...models import AnswerKind, Contact, Interaction, Organisation
from ...models.complaints import Complaint, ComplaintEvent
from .. import conversations
from ..contacts.page import ContactRecord
from ..context import SandboxContext
from ..errors import NotFound
from ..together import Record, columns_of, prepared, rows


class ComplaintRecord(Record):
    """A complaint read as plain columns, with its `contact` and `events`, and what a page
    asks of a `Complaint`."""

    __slots__ = ()

    stage_enum = property(Complaint.stage_enum.fget)
    level_enum = property(Complaint.level_enum.fget)


@dataclass
class ComplaintPage:
    """What the complaint page shows."""

    complaint: ComplaintRecord
    threads: list  # conversations.Thread of Records
    satisfied: list[Record]  # the customer's "yes, I am satisfied" replies, newest first
    confirmed_by: Record | None  # the reply a confirmed close points at


@prepared
def _complaint_page_reads() -> dict:
    """The complaint page's reads, built once with bound parameters: the sandbox's and the
    complaint's ids and sandbox `now` (`complaint_page`)."""
    sandbox_id, complaint_id = bindparam("sandbox_id"), bindparam("complaint_id")
    this = (Complaint.sandbox_id == sandbox_id, Complaint.id == complaint_id)

    def of_this(column):
        return select(column).where(*this).scalar_subquery()

    return dict(
        complaint=rows(select(*columns_of(Complaint)).where(*this), order_by=[Complaint.id]),
        contact=rows(
            select(*columns_of(Contact)).where(
                Contact.sandbox_id == sandbox_id, Contact.id == of_this(Complaint.contact_id)
            ),
            order_by=[Contact.id],
        ),
        events=rows(
            select(*columns_of(ComplaintEvent)).where(
                ComplaintEvent.sandbox_id == sandbox_id,
                ComplaintEvent.complaint_id == complaint_id,
            ),
            order_by=[ComplaintEvent.id],
        ),
        messages=conversations.threads_read(
            sandbox_id, bindparam("now"), complaint_id=complaint_id
        ),
        confirmed_by=rows(
            select(*columns_of(Interaction)).where(
                Interaction.sandbox_id == sandbox_id,
                Interaction.id == of_this(Complaint.satisfaction_reply_id),
            ),
            order_by=[Interaction.id],
        ),
        organisation=rows(
            select(*columns_of(Organisation)).where(Organisation.sandbox_id == sandbox_id),
            order_by=[Organisation.id],
        ),
    )


def complaint_page(ctx: SandboxContext, complaint_id: int) -> ComplaintPage:
    """The complaint page's reads in one statement (`_complaint_page_reads`); NotFound when
    the sandbox has no such complaint. The organisation read with them is the context's for
    the rest of the request (`SandboxContext.organisation_read`), so the procedure's and the
    policies' choices cost no further statement."""
    parts = _complaint_page_reads().run_in_sandbox(
        sandbox_id=ctx.sandbox_id, complaint_id=complaint_id, now=ctx.now()
    )
    if not parts["complaint"]:
        raise NotFound("No such complaint in this sandbox.")
    if parts["organisation"]:
        ctx.organisation_read(parts["organisation"][0])
    complaint = ComplaintRecord(
        **parts["complaint"][0]._asdict(),
        contact=ContactRecord(**parts["contact"][0]._asdict()),
        events=parts["events"],
    )
    # the messages read are all about this complaint
    satisfied = [m for m in parts["messages"] if m.answer_kind == AnswerKind.SATISFIED.value]
    satisfied.sort(key=lambda m: (m.occurred_at, m.id), reverse=True)
    return ComplaintPage(
        complaint=complaint,
        threads=conversations.group_threads(parts["messages"]),
        satisfied=satisfied,
        confirmed_by=parts["confirmed_by"][0] if parts["confirmed_by"] else None,
    )
