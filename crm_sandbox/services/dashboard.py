"""The learner's dashboard: what waits for them, read in one statement prepared once
(`together.prepared`).

Each part is the select of the service function other callers use (`conversations.
replies_waiting`, `interactions.follow_ups_due`, ...) with the page's plain columns, so a rule
is written once; the rows come back as `Record`s with the customer's name made as
`Contact.display_name` makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, select

from ..models import ActionLogEntry, Category, Contact, Interaction
from ..models.complaints import Complaint, Stage
from . import complaints, contacts, conversations, interactions, log_words
from .context import SandboxContext
from .together import Record, prepared, rows

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


@prepared
def _dashboard_reads() -> dict:
    """The dashboard's reads, built once with bound parameters: the sandbox's id, its `now`
    and `clock_start`, the horizons `dashboard` computes from them, and the overdue list's
    limit."""
    sandbox_id, now = bindparam("sandbox_id"), bindparam("now")
    with_contact = and_(Contact.id == Interaction.contact_id, Contact.sandbox_id == sandbox_id)
    recent = (
        select(
            ActionLogEntry.seq,
            ActionLogEntry.verb,
            ActionLogEntry.object_type,
            ActionLogEntry.object_id,
            ActionLogEntry.payload,
            ActionLogEntry.sandbox_time,
        )
        .where(ActionLogEntry.sandbox_id == sandbox_id)
        .order_by(ActionLogEntry.seq.desc())
        .limit(RECENT)
    )
    return dict(
        waiting=rows(
            conversations.replies_waiting_select(sandbox_id, now, bindparam("clock_start"))
            .with_only_columns(*_MESSAGE, Interaction.answer_kind, *contacts.name_columns())
            .join(Contact, with_contact),
            order_by=[Interaction.occurred_at.desc(), Interaction.id.desc()],
        ),
        promises=rows(
            conversations.promises_due_select(sandbox_id, now, bindparam("promises_until"))
            .with_only_columns(*_MESSAGE, Interaction.promise_by, *contacts.name_columns())
            .join(Contact, with_contact),
            order_by=[Interaction.promise_by, Interaction.id],
        ),
        follow_ups=rows(
            interactions.follow_ups_due_select(
                sandbox_id, bindparam("follow_ups_since"), bindparam("follow_ups_until")
            ).with_only_columns(
                Interaction.id,
                Interaction.contact_id,
                Interaction.follow_up_on,
                Interaction.summary,
                *contacts.name_columns(),
            ),
            order_by=[Interaction.follow_up_on, Interaction.id],
        ),
        recent=rows(recent, order_by=[ActionLogEntry.seq.desc()]),
        **log_words.names_reads(sandbox_id, recent.subquery()),
        counts=rows(contacts.counts_by_category_select(sandbox_id), order_by=[Contact.category]),
        complaint_counts=rows(
            complaints.counts_by_stage_select(sandbox_id), order_by=[Complaint.stage]
        ),
        overdue=rows(
            complaints.list_read(
                complaints.ComplaintFilters(overdue=True),
                Complaint.id,
                Complaint.reference,
                Complaint.stage,
                Complaint.contact_id,
                *contacts.name_columns(),
                limit=True,
            ),
            order_by=complaints.LIST_ORDER,
        ),
    )


def dashboard(ctx: SandboxContext) -> Dashboard:
    """The dashboard's reads, in one statement prepared once (`_dashboard_reads`)."""
    now = ctx.now()
    today = now.date()
    since, until = interactions.follow_ups_window(today, ctx.clock_start)
    # the overdue list's values: the sandbox's id, `now` and its limit
    overdue = complaints.list_params(
        ctx.sandbox_id, complaints.ComplaintFilters(overdue=True), now, OVERDUE_SHOWN
    )
    parts = _dashboard_reads().run_in_sandbox(
        **overdue,
        clock_start=ctx.clock_start,
        promises_until=now + timedelta(hours=conversations.PROMISE_HOURS_SHOWN),
        follow_ups_since=since,
        follow_ups_until=until,
    )
    names = log_words.names_from(parts)
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
