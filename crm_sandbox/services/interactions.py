"""The interaction log: log a call, email, letter, meeting, chat or social message; correct
one by superseding it (nothing is ever deleted); follow-ups and the contact timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from ..models import (
    Channel,
    Complaint,
    Contact,
    Direction,
    Initiative,
    Interaction,
    Level,
    Response,
    Stage,
    Survey,
    db,
)
from . import action_log, validation
from .context import SandboxContext
from .errors import ServiceError

SUMMARY_MAX = 2000
FOLLOW_UP_HORIZON = timedelta(days=366)


def snapshot(interaction: Interaction) -> dict:
    """The interaction's recorded fields, as the action log keeps them before and after a change."""
    return {
        "contact_id": interaction.contact_id,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "initiative": interaction.initiative,
        "summary": interaction.summary,
        "outcome": interaction.outcome,
        "occurred_at": interaction.occurred_at,
        "follow_up_on": interaction.follow_up_on,
        "supersedes_id": interaction.supersedes_id,
    }


def _clean(ctx: SandboxContext, data: dict) -> dict:
    channel = validation.choice(data.get("channel"), Channel, "Channel", field="channel")
    direction = validation.choice(data.get("direction"), Direction, "Direction", field="direction")
    initiative = validation.choice(
        data.get("initiative"), Initiative, "Reactive or proactive", field="initiative"
    )
    if direction is Direction.INBOUND and initiative is Initiative.PROACTIVE:
        raise ServiceError(
            "An inbound contact is the customer reaching us, so it is reactive. "
            "Proactive contact is outbound: we reach out before the customer asks.",
            "initiative",
        )
    summary = validation.text(
        data.get("summary"), "Summary", SUMMARY_MAX, required=True, field="summary"
    )
    outcome = validation.text(data.get("outcome"), "Outcome", 500, field="outcome")
    now = ctx.now()
    occurred_at = data.get("occurred_at") or now
    if occurred_at > now + timedelta(minutes=1):
        raise ServiceError(
            "An interaction cannot have happened in the future (sandbox time).", "occurred_at"
        )
    follow_up_on = data.get("follow_up_on")
    if follow_up_on is not None:
        if not isinstance(follow_up_on, date):
            raise ServiceError("Give the follow-up date as a date.", "follow_up_on")
        if follow_up_on < now.date():
            raise ServiceError(
                "A follow-up date cannot be in the past (sandbox time).", "follow_up_on"
            )
        if follow_up_on > (now + FOLLOW_UP_HORIZON).date():
            raise ServiceError("A follow-up date must be within a year.", "follow_up_on")
    return {
        "channel": channel.value,
        "direction": direction.value,
        "initiative": initiative.value,
        "summary": summary,
        "outcome": outcome,
        "occurred_at": occurred_at,
        "follow_up_on": follow_up_on,
    }


def log_interaction(ctx: SandboxContext, contact: Contact, data: dict) -> Interaction:
    """Record a contact with a customer: channel, direction, summary, outcome, reactive or
    proactive, and an optional follow-up date."""
    ctx.require_writable()
    if contact.merged_into_id is not None:
        raise ServiceError("This record was merged into another one; log the contact there.")
    clean = _clean(ctx, data)
    recorded_by = ctx.actor.name if ctx.actor is not None else "System"
    interaction = Interaction(
        sandbox_id=ctx.sandbox_id, contact_id=contact.id, recorded_by=recorded_by, **clean
    )
    db.session.add(interaction)
    db.session.flush()
    action_log.record(
        ctx, "interaction.logged", "interaction", interaction.id, after=snapshot(interaction)
    )
    return interaction


_SUPERSEDED = select(Interaction.supersedes_id).where(
    Interaction.sandbox_id == bindparam("sandbox_id"), Interaction.supersedes_id.is_not(None)
)
_SUPERSEDED_OF_CONTACT = _SUPERSEDED.where(Interaction.contact_id == bindparam("contact_id"))


def superseded_ids(ctx: SandboxContext, contact_id: int | None = None) -> set[int]:
    """Ids of interactions that a later correction replaced."""
    if contact_id is None:
        return set(db.session.scalars(_SUPERSEDED, {"sandbox_id": ctx.sandbox_id}))
    return set(
        db.session.scalars(
            _SUPERSEDED_OF_CONTACT, {"sandbox_id": ctx.sandbox_id, "contact_id": contact_id}
        )
    )


def correct_interaction(ctx: SandboxContext, original: Interaction, data: dict) -> Interaction:
    """Correct a logged interaction: a new entry that supersedes the old one, which is kept."""
    ctx.require_writable()
    if original.id in superseded_ids(ctx, original.contact_id):
        raise ServiceError("This entry was already corrected; correct the latest version.")
    data = {**data, "occurred_at": original.occurred_at}
    clean = _clean(ctx, data)
    recorded_by = ctx.actor.name if ctx.actor is not None else "System"
    correction = Interaction(
        sandbox_id=ctx.sandbox_id,
        contact_id=original.contact_id,
        recorded_by=recorded_by,
        supersedes_id=original.id,
        **clean,
    )
    db.session.add(correction)
    db.session.flush()
    action_log.record(
        ctx,
        "interaction.corrected",
        "interaction",
        correction.id,
        before=snapshot(original),
        after=snapshot(correction),
    )
    return correction


def complete_follow_up(ctx: SandboxContext, interaction: Interaction) -> Interaction:
    """Mark an interaction's follow-up as done (at sandbox time now)."""
    ctx.require_writable()
    if interaction.follow_up_on is None:
        raise ServiceError("This interaction has no follow-up to complete.")
    if interaction.follow_up_done_sbx is not None:
        raise ServiceError("This follow-up is already done.")
    interaction.follow_up_done_sbx = ctx.now()
    db.session.flush()
    action_log.record(
        ctx,
        "follow_up.completed",
        "interaction",
        interaction.id,
        before={"follow_up_done_sbx": None},
        after={
            "follow_up_done_sbx": interaction.follow_up_done_sbx,
            "follow_up_on": interaction.follow_up_on,
            "contact_id": interaction.contact_id,
        },
    )
    return interaction


@dataclass
class FollowUp:
    interaction: Interaction
    contact: Contact
    overdue: bool


def sent_after(sent, message, until) -> list:
    """The conditions on `sent` (Interaction or an alias of it) for a message the learner sent
    `message`'s customer after it (later, or at the same minute but sent after it) and by
    `until`: a promise is kept by one. `message` is an Interaction, or the Interaction class
    for the condition correlated in a query of messages."""
    return [
        sent.sandbox_id == message.sandbox_id,
        sent.contact_id == message.contact_id,
        sent.direction == Direction.OUTBOUND.value,
        or_(
            sent.occurred_at > message.occurred_at,
            and_(sent.occurred_at == message.occurred_at, sent.id > message.id),
        ),
        sent.occurred_at <= until,
    ]


def follow_ups_due_select(sandbox_id, since, until) -> Select:
    """The select of `follow_ups_due` (of the interaction and its contact: `with_only_columns`
    for plain rows) of these values, each a plain value or a `bindparam`: open follow-ups due
    from `since` to `until` (`follow_ups_window`), overdue ones first."""
    correction = aliased(Interaction)
    return (
        select(Interaction, Contact)
        .join(Contact, and_(Contact.id == Interaction.contact_id, Contact.sandbox_id == sandbox_id))
        .where(
            Interaction.sandbox_id == sandbox_id,
            Interaction.follow_up_on.is_not(None),
            Interaction.follow_up_done_sbx.is_(None),
            Interaction.follow_up_on <= until,
            Interaction.follow_up_on >= since,
            # not replaced by a correction (in the same statement: no second query for the ids)
            ~select(correction.id)
            .where(
                correction.sandbox_id == sandbox_id,
                correction.sandbox_id == Interaction.sandbox_id,
                correction.supersedes_id == Interaction.id,
            )
            .exists(),
        )
        .order_by(Interaction.follow_up_on, Interaction.id)
    )


# Built once (the dashboard asks on every visit).
_FOLLOW_UPS_DUE = follow_ups_due_select(
    bindparam("sandbox_id"), bindparam("since"), bindparam("until")
)

# The seeded history runs for months before a scenario begins, and leaves some follow-ups
# open: a learner expects "overdue" to mean work of this scenario's time, not a call someone
# forgot in January. Open follow-ups due more than this many days before the sandbox's clock
# started stay on the contacts' timelines but are not listed as due.
HISTORY_DAYS_SHOWN = 14


def follow_ups_window(today: date, clock_start: datetime, within_days: int = 7) -> tuple:
    """(since, until): the due dates of the follow-ups listed as due on sandbox `today`, in a
    sandbox whose clock started at `clock_start`."""
    return (
        clock_start.date() - timedelta(days=HISTORY_DAYS_SHOWN),
        today + timedelta(days=within_days),
    )


def follow_ups_due(ctx: SandboxContext, within_days: int = 7) -> list[FollowUp]:
    """Open follow-ups due within `within_days` of sandbox today, overdue ones first (those
    from the history long before the sandbox's clock started are left out)."""
    today = ctx.now().date()
    since, until = follow_ups_window(today, ctx.clock_start, within_days)
    rows = db.session.execute(
        _FOLLOW_UPS_DUE, {"sandbox_id": ctx.sandbox_id, "since": since, "until": until}
    ).all()
    return [FollowUp(i, c, i.follow_up_on < today) for i, c in rows]


@dataclass
class TimelineItem:
    when: datetime
    kind: str  # "interaction", later "complaint", "survey response" ...
    title: str
    detail: str
    obj: object
    superseded: bool = False


def timeline(
    ctx: SandboxContext, contact: Contact, with_interactions: bool = True
) -> list[TimelineItem]:
    """Everything that involved this contact, newest first; without the interactions when
    `with_interactions` is false (the contact page shows them as conversations, read apart)."""
    interactions = (
        list(
            db.session.scalars(
                select(Interaction).where(
                    Interaction.sandbox_id == ctx.sandbox_id,
                    Interaction.contact_id == contact.id,
                )
            )
        )
        if with_interactions
        else []
    )
    return timeline_of(
        db.session.scalars(timeline_complaints(ctx.sandbox_id, contact.id)),
        db.session.execute(timeline_responses(ctx.sandbox_id, contact.id, ctx.now())),
        contact.needs,
        interactions,
    )


def timeline_complaints(sandbox_id, contact_id, *columns) -> Select:
    """The contact's complaints the timeline shows (of `Complaint`, or of `columns`); the ids
    plain values or `bindparam`s."""
    return select(*(columns or (Complaint,))).where(
        Complaint.sandbox_id == sandbox_id, Complaint.contact_id == contact_id
    )


def timeline_responses(sandbox_id, contact_id, now) -> Select:
    """The contact's feedback responses the timeline shows by sandbox `now`: their time and
    survey's title only (not whole responses); the values plain or `bindparam`s."""
    return (
        select(Response.id, Response.responded_at, Survey.title)
        .join(Survey, and_(Survey.id == Response.survey_id, Survey.sandbox_id == sandbox_id))
        .where(
            Response.sandbox_id == sandbox_id,
            Response.contact_id == contact_id,
            Response.responded_at <= now,
        )
    )


def timeline_of(complaints, responses, needs, interactions=()) -> list[TimelineItem]:
    """The timeline, newest first, of what was read: complaints (with `id`, `reference`,
    `category`, `stage`, `level`, `received_at`), responses (`timeline_responses`' rows),
    needs and interactions (objects or plain rows)."""
    # A correction belongs to the same contact as the entry it replaces, so the contact's own
    # interactions say which were superseded (no query of its own).
    superseded = {i.supersedes_id for i in interactions if i.supersedes_id is not None}
    items = []
    for i in interactions:
        items.append(
            TimelineItem(
                when=i.occurred_at,
                kind="interaction",
                title=f"{Channel(i.channel).label} ({i.direction}, {i.initiative})",
                detail=i.summary,
                obj=i,
                superseded=i.id in superseded,
            )
        )
    for c in complaints:
        items.append(
            TimelineItem(
                c.received_at,
                "complaint",
                f"Complaint {c.reference} ({c.category})",
                f"{Stage(c.stage).label} at {Level(c.level).label.lower()} level",
                c,
            )
        )
    for r in responses:
        items.append(
            TimelineItem(r.responded_at, "response", "Feedback response", f"Answered: {r.title}", r)
        )
    for n in needs:
        items.append(TimelineItem(n.created_sbx, "need", "Need recorded", n.description, n))
        if n.confirmed_sbx:
            items.append(TimelineItem(n.confirmed_sbx, "need", "Need confirmed", n.description, n))
    items.sort(key=lambda item: (item.when, item.kind), reverse=True)
    return items
