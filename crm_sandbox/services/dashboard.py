"""The learner's dashboard: what waits for them, read in one statement (`read_together`).

Each part is the select of the service function other callers use (`conversations.
replies_waiting`, `interactions.follow_ups_due`, ...) with the page's plain columns, so a rule
is written once; the rows come back as `Record`s with the customer's name made as
`Contact.display_name` makes it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select

from ..models import ActionLogEntry, Category, Contact, Interaction
from ..models.complaints import Complaint, Stage
from . import complaints, contacts, conversations, interactions, log_words
from .context import SandboxContext
from .together import Record, read_together, rows

RECENT = 8  # log entries shown
OVERDUE_SHOWN = 6  # overdue complaints shown
_MESSAGE = (
    Interaction.id,
    Interaction.contact_id,
    Interaction.occurred_at,
    Interaction.summary,
    Interaction.complaint_id,
)


@dataclass
class Dashboard:
    """What the dashboard shows (rows as `Record`s)."""

    replies_waiting: list[Record]
    promises: list[Record]
    contact_names: dict[int, str]
    follow_ups: list[Record]  # with `contact_name` and `overdue`
    recent: list[tuple[Record, str]]  # a log entry and its words
    counts: dict[Category, int]
    complaint_counts: dict[str, int]
    overdue: list[Record]  # with `contact_name` and `stage_label`


def dashboard(ctx: SandboxContext) -> Dashboard:
    """The dashboard's reads, in one statement."""
    with_contact = and_(Contact.id == Interaction.contact_id, Contact.sandbox_id == ctx.sandbox_id)
    recent = (
        select(
            ActionLogEntry.seq,
            ActionLogEntry.verb,
            ActionLogEntry.object_type,
            ActionLogEntry.object_id,
            ActionLogEntry.payload,
            ActionLogEntry.sandbox_time,
        )
        .where(ActionLogEntry.sandbox_id == ctx.sandbox_id)
        .order_by(ActionLogEntry.seq.desc())
        .limit(RECENT)
    )
    newest_first = [ActionLogEntry.seq.desc()]
    parts = read_together(
        waiting=rows(
            conversations.replies_waiting_query(ctx)
            .with_only_columns(*_MESSAGE, Interaction.answer_kind, *contacts.name_columns())
            .join(Contact, with_contact),
            order_by=[Interaction.occurred_at.desc(), Interaction.id.desc()],
        ),
        promises=rows(
            conversations.promises_due_query(ctx)
            .with_only_columns(*_MESSAGE, Interaction.promise_by, *contacts.name_columns())
            .join(Contact, with_contact),
            order_by=[Interaction.promise_by, Interaction.id],
        ),
        follow_ups=rows(
            interactions.follow_ups_due_read(
                ctx,
                Interaction.id,
                Interaction.contact_id,
                Interaction.follow_up_on,
                Interaction.summary,
                *contacts.name_columns(),
            ),
            order_by=[Interaction.follow_up_on, Interaction.id],
        ),
        recent=rows(recent, order_by=newest_first),
        **log_words.names_reads(ctx.sandbox_id, recent.subquery()),
        counts=rows(contacts.counts_by_category_read(ctx)),
        complaint_counts=rows(complaints.counts_by_stage_read(ctx)),
        overdue=rows(
            complaints.list_read(
                ctx,
                complaints.ComplaintFilters(overdue=True),
                Complaint.id,
                Complaint.reference,
                Complaint.stage,
                Complaint.contact_id,
                *contacts.name_columns(),
                limit=OVERDUE_SHOWN,
            ),
            order_by=complaints.LIST_ORDER,
        ),
    )
    names = log_words.names_from(parts)
    today = ctx.now().date()
    messages = [*parts["waiting"], *parts["promises"]]
    return Dashboard(
        replies_waiting=parts["waiting"],
        promises=parts["promises"],
        contact_names={m.contact_id: contacts.name_of(m) for m in messages},
        follow_ups=[
            _with(f, contact_name=contacts.name_of(f), overdue=f.follow_up_on < today)
            for f in parts["follow_ups"]
        ],
        recent=[(e, log_words.describe_entry(e, names, limit=90)) for e in parts["recent"]],
        counts={Category(c): n for c, n in contacts.category_counts(parts["counts"]).items()},
        complaint_counts=complaints.stage_counts(parts["complaint_counts"]),
        overdue=[
            _with(c, contact_name=contacts.name_of(c), stage_label=Stage(c.stage).label)
            for c in parts["overdue"]
        ],
    )


def _with(record: Record, **more) -> Record:
    return Record(**record._asdict(), **more)
