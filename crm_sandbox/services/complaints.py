"""The complaints procedure as a state machine.

Stages: received -> acknowledged -> investigating (<-> waiting for the customer) -> resolved ->
closed; escalation moves a complaint up the organisation's levels (front line, supervisor,
manager, external review) and restarts the procedure at the new level. Each move is a
function that refuses an out-of-order step with a message naming the missing procedure step.
Timing mistakes are allowed (learners make them) but recorded as breaches on the history,
where the checks and the assessor see them. Due times come from the organisation's procedure,
in working time, pushed back by time spent waiting for the customer.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import joinedload

from ..models import Channel, Contact, Interaction, db
from ..models.complaints import Complaint, ComplaintEvent, Level, Severity, Stage
from . import action_log, validation
from .context import SandboxContext
from .errors import ServiceError

OPEN_STAGES = (
    Stage.RECEIVED,
    Stage.ACKNOWLEDGED,
    Stage.INVESTIGATING,
    Stage.WAITING,
    Stage.RESOLVED,
)
AT_RISK_SHARE = 0.25  # "at risk" once less than a quarter of the allowed time is left

# The legal stage moves: action -> (stages it may start from, stage it leads to).
MOVES: dict[str, tuple[tuple[Stage, ...], Stage]] = {
    "acknowledge": ((Stage.RECEIVED,), Stage.ACKNOWLEDGED),
    "investigate": ((Stage.ACKNOWLEDGED,), Stage.INVESTIGATING),
    "wait_for_customer": ((Stage.INVESTIGATING,), Stage.WAITING),
    "customer_replied": ((Stage.WAITING,), Stage.INVESTIGATING),
    "resolve": ((Stage.INVESTIGATING,), Stage.RESOLVED),
    "reopen": ((Stage.RESOLVED,), Stage.INVESTIGATING),
    "close": ((Stage.RESOLVED,), Stage.CLOSED),
}
ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "investigate": "Start investigating",
    "wait_for_customer": "Wait for the customer",
    "customer_replied": "Customer replied",
    "resolve": "Record the resolution",
    "reopen": "Reopen the investigation",
    "close": "Close",
    "escalate": "Escalate",
}
# Why a move is refused from a given stage: the procedure step that is missing.
MISSING_STEP = {
    Stage.RECEIVED: "acknowledge the complaint first (procedure step: acknowledgement)",
    Stage.ACKNOWLEDGED: "start the investigation first (procedure step: investigate)",
    Stage.INVESTIGATING: "record a resolution first (procedure step: resolve)",
    Stage.WAITING: "record the customer's reply first: the complaint is waiting for them",
    Stage.RESOLVED: "it is already resolved: close it, reopen it or escalate it",
    Stage.CLOSED: "it is closed: the procedure has ended",
}


# ---------------------------------------------------------------- the procedure (policy data)


def procedure(ctx: SandboxContext) -> dict:
    return ctx.sandbox.organisation.complaints_procedure or {}


def level_policy(ctx: SandboxContext, level: Level) -> dict:
    for entry in procedure(ctx).get("levels", []):
        if entry.get("key") == level.value:
            return entry
    return {
        "key": level.value,
        "name": level.label,
        "owner": level.label,
        "acknowledge_within": None,
        "resolve_within": None,
    }


def levels(ctx: SandboxContext) -> list[Level]:
    keys = [entry.get("key") for entry in procedure(ctx).get("levels", [])]
    known = [Level(k) for k in keys if k in Level.__members__.values()]
    return known or list(Level)


def next_level(ctx: SandboxContext, level: Level) -> Level | None:
    order = levels(ctx)
    position = order.index(level) if level in order else -1
    return order[position + 1] if position + 1 < len(order) else None


def _due(ctx: SandboxContext, start: datetime, rule: dict | None) -> datetime | None:
    if not rule:
        return None
    return ctx.calendar().add(start, rule["amount"], rule["unit"])


# ---------------------------------------------------------------- reading


def snapshot(c: Complaint) -> dict:
    return {
        "reference": c.reference,
        "stage": c.stage,
        "level": c.level,
        "owner": c.owner,
        "ack_due_at": c.ack_due_at,
        "resolve_due_at": c.resolve_due_at,
        "acknowledged_at": c.acknowledged_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
        "customer_confirmed": c.customer_confirmed,
    }


@dataclass
class DueStatus:
    label: str  # "Acknowledge" / "Resolve"
    due: datetime | None
    done: datetime | None
    state: str  # met / missed / at_risk / on_track / paused / none

    @property
    def badge(self) -> str:
        return {
            "met": "success",
            "missed": "danger",
            "at_risk": "warning",
            "on_track": "secondary",
            "paused": "info",
        }.get(self.state, "light")


def _due_state(
    ctx: SandboxContext, complaint: Complaint, start: datetime, due, done, now: datetime
) -> str:
    if due is None:
        return "none"
    if done is not None:
        return "met" if done <= due else "missed"
    if complaint.stage == Stage.WAITING.value:
        return "paused"
    if now > due:
        return "missed"
    calendar = ctx.calendar()
    allowed = calendar.working_time_between(start, due)
    left = calendar.working_time_between(now, due)
    return "at_risk" if allowed and left <= allowed * AT_RISK_SHARE else "on_track"


def due_statuses(ctx: SandboxContext, complaint: Complaint) -> list[DueStatus]:
    """The acknowledgement and resolution due times at the current level, and whether each
    was met, missed, is at risk, or is still on track."""
    now = ctx.now()
    start = complaint.level_started_at
    ack_done = complaint.acknowledged_at if complaint.stage != Stage.RECEIVED.value else None
    resolve_done = (
        complaint.resolved_at
        if complaint.stage in (Stage.RESOLVED.value, Stage.CLOSED.value)
        else None
    )
    return [
        DueStatus(
            "Acknowledge",
            complaint.ack_due_at,
            ack_done,
            _due_state(ctx, complaint, start, complaint.ack_due_at, ack_done, now),
        ),
        DueStatus(
            "Resolve",
            complaint.resolve_due_at,
            resolve_done,
            _due_state(ctx, complaint, start, complaint.resolve_due_at, resolve_done, now),
        ),
    ]


def legal_actions(complaint: Complaint, ctx: SandboxContext) -> list[str]:
    """The moves the procedure allows from where the complaint is now (shown as buttons)."""
    stage = complaint.stage_enum
    actions = [name for name, (starts, _) in MOVES.items() if stage in starts]
    if stage != Stage.CLOSED and next_level(ctx, complaint.level_enum) is not None:
        actions.append("escalate")
    return actions


@dataclass
class ComplaintFilters:
    stage: str = ""
    owner: str = ""
    overdue: bool = False
    escalated: bool = False


@functools.lru_cache(maxsize=64)
def _complaints_statement(stage: bool, owner: bool, escalated: bool, overdue: bool, limit: bool):
    """The complaint list query for one shape of filters, built once with bound parameters
    (building it costs as much as running it)."""
    query = (
        select(Complaint)
        .options(joinedload(Complaint.contact))
        .where(Complaint.sandbox_id == bindparam("sandbox_id"))
    )
    if stage:
        query = query.where(Complaint.stage == bindparam("stage"))
    if owner:
        query = query.where(Complaint.owner == bindparam("owner"))
    if escalated:
        query = query.where(Complaint.level != Level.FRONT_LINE.value)
    if overdue:
        now = bindparam("now")
        query = query.where(
            Complaint.stage != Stage.CLOSED.value,
            Complaint.stage != Stage.WAITING.value,
            ((Complaint.stage == Stage.RECEIVED.value) & (Complaint.ack_due_at < now))
            | ((Complaint.stage != Stage.RESOLVED.value) & (Complaint.resolve_due_at < now)),
        )
    query = query.order_by(Complaint.received_at.desc(), Complaint.id)
    if limit:
        query = query.limit(bindparam("limit"))
    return query


def list_complaints(
    ctx: SandboxContext, filters: ComplaintFilters, limit: int | None = None
) -> list[Complaint]:
    """Complaints matching the filters, newest first, each with its customer (loaded in the
    same query: the list shows every complaint's customer)."""
    query = _complaints_statement(
        bool(filters.stage),
        bool(filters.owner),
        bool(filters.escalated),
        bool(filters.overdue),
        limit is not None,
    )
    params = {"sandbox_id": ctx.sandbox_id, "stage": filters.stage, "owner": filters.owner}
    if filters.overdue:
        params["now"] = ctx.now()
    if limit is not None:
        params["limit"] = limit
    return list(db.session.scalars(query, params))


_COUNTS_BY_STAGE = (
    select(Complaint.stage, func.count())
    .where(Complaint.sandbox_id == bindparam("sandbox_id"))
    .group_by(Complaint.stage)
)


def counts_by_stage(ctx: SandboxContext) -> dict[str, int]:
    rows = db.session.execute(_COUNTS_BY_STAGE, {"sandbox_id": ctx.sandbox_id}).all()
    found = dict(rows)
    return {s.value: found.get(s.value, 0) for s in Stage}


def owners(ctx: SandboxContext) -> list[str]:
    return list(
        db.session.scalars(
            select(Complaint.owner)
            .where(Complaint.sandbox_id == ctx.sandbox_id)
            .distinct()
            .order_by(Complaint.owner)
        )
    )


def communications(ctx: SandboxContext, complaint: Complaint) -> list[Interaction]:
    return list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id, Interaction.complaint_id == complaint.id
            )
            .order_by(Interaction.occurred_at, Interaction.id)
        )
    )


# ---------------------------------------------------------------- changing


def next_reference(ctx: SandboxContext) -> str:
    """The next complaint reference in this sandbox, from a counter row updated in this same
    transaction (safe under concurrent writers on SQLite and PostgreSQL)."""
    value = db.session.execute(
        text(
            "INSERT INTO sandbox_counters (sandbox_id, name, value) VALUES (:s, 'complaint', 1) "
            "ON CONFLICT (sandbox_id, name) DO UPDATE SET value = sandbox_counters.value + 1 "
            "RETURNING value"
        ),
        {"s": ctx.sandbox_id},
    ).scalar_one()
    return f"C-{value:04d}"


def _event(
    ctx: SandboxContext,
    complaint: Complaint,
    action: str,
    from_stage,
    from_level,
    *,
    note: str = "",
    judgement: bool = False,
    breach: str = "",
) -> ComplaintEvent:
    event = ComplaintEvent(
        sandbox_id=ctx.sandbox_id,
        complaint_id=complaint.id,
        at=ctx.now(),
        action=action,
        from_stage=from_stage,
        to_stage=complaint.stage,
        from_level=from_level,
        to_level=complaint.level,
        note=note,
        judgement=judgement,
        breach=breach,
        actor=ctx.actor_label,
    )
    db.session.add(event)
    return event


def _record(ctx, complaint, verb, before, extra: dict | None = None) -> None:
    db.session.flush()
    after = snapshot(complaint)
    action_log.record(
        ctx,
        verb,
        "complaint",
        complaint.id,
        before={k: v for k, v in before.items() if after.get(k) != v} or None,
        after={**{k: v for k, v in after.items() if before.get(k) != v}, **(extra or {})},
    )


def receive_complaint(ctx: SandboxContext, contact: Contact, data: dict) -> Complaint:
    """Record a new complaint at the front line, with its reference and due times."""
    ctx.require_writable()
    channel = validation.choice(data.get("channel"), Channel, "Channel", field="channel")
    category = validation.text(
        data.get("category"), "Category", 80, required=True, field="category"
    )
    description = validation.text(
        data.get("description"), "Description", 4000, required=True, field="description"
    )
    severity = validation.choice(
        data.get("severity") or "medium", Severity, "Severity", field="severity"
    )
    now = ctx.now()
    received_at = data.get("received_at") or now
    if received_at > now:
        raise ServiceError("A complaint cannot be received in the future.", "received_at")
    first = levels(ctx)[0]
    policy = level_policy(ctx, first)
    complaint = Complaint(
        sandbox_id=ctx.sandbox_id,
        reference=next_reference(ctx),
        contact_id=contact.id,
        channel=channel.value,
        category=category,
        description=description,
        severity=severity.value,
        owner=policy.get("owner", first.label),
        stage=Stage.RECEIVED.value,
        level=first.value,
        received_at=received_at,
        level_started_at=received_at,
        ack_due_at=_due(ctx, received_at, policy.get("acknowledge_within")),
        resolve_due_at=_due(ctx, received_at, policy.get("resolve_within")),
    )
    db.session.add(complaint)
    db.session.flush()
    _event(ctx, complaint, "received", None, None, note=description[:300])
    db.session.flush()
    action_log.record(
        ctx,
        "complaint.received",
        "complaint",
        complaint.id,
        after={
            **snapshot(complaint),
            "contact_id": contact.id,
            "category": category,
            "channel": channel.value,
        },
    )
    return complaint


def _check_move(complaint: Complaint, action: str) -> Stage:
    starts, target = MOVES[action]
    if complaint.stage_enum not in starts:
        raise ServiceError(
            f"{ACTION_LABELS[action]} is not possible while the complaint is "
            f"{complaint.stage_enum.label.lower()}: {MISSING_STEP[complaint.stage_enum]}."
        )
    return target


def _late(done: datetime, due: datetime | None, what: str) -> str:
    if due is not None and done > due:
        return f"{what} after the procedure's deadline ({due:%a %d %b %H:%M})"
    return ""


def _communicate(
    ctx: SandboxContext, complaint: Complaint, channel: str, summary: str, outcome: str
) -> Interaction:
    channel_enum = validation.choice(channel, Channel, "Channel", field="channel")
    summary = validation.text(
        summary, "Message to the customer", 2000, required=True, field="message"
    )
    interaction = Interaction(
        sandbox_id=ctx.sandbox_id,
        contact_id=complaint.contact_id,
        complaint_id=complaint.id,
        channel=channel_enum.value,
        direction="outbound",
        initiative="reactive",
        summary=summary,
        outcome=outcome,
        occurred_at=ctx.now(),
        recorded_by=ctx.actor.name if ctx.actor is not None else "System",
    )
    db.session.add(interaction)
    db.session.flush()
    action_log.record(
        ctx,
        "interaction.logged",
        "interaction",
        interaction.id,
        after={
            "contact_id": complaint.contact_id,
            "complaint_id": complaint.id,
            "channel": channel_enum.value,
            "direction": "outbound",
            "initiative": "reactive",
            "summary": summary,
            "outcome": outcome,
        },
    )
    return interaction


def send_update(
    ctx: SandboxContext, complaint: Complaint, channel: str, message: str, kind: str = "update"
) -> Interaction:
    """Log a communication with the customer about this complaint (an update, a letter)."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("The complaint is closed; log any further contact as an interaction.")
    return _communicate(ctx, complaint, channel, message, f"Complaint {kind}")


def acknowledge(ctx: SandboxContext, complaint: Complaint, channel: str, message: str) -> Complaint:
    """Acknowledge the complaint to the customer (the acknowledgement is logged as an
    outbound interaction linked to the complaint)."""
    ctx.require_writable()
    target = _check_move(complaint, "acknowledge")
    before, from_stage = snapshot(complaint), complaint.stage
    now = ctx.now()
    _communicate(ctx, complaint, channel, message, "Complaint acknowledged")
    complaint.stage = target.value
    complaint.acknowledged_at = now
    breach = _late(now, complaint.ack_due_at, "acknowledged")
    _event(
        ctx,
        complaint,
        "acknowledge",
        from_stage,
        complaint.level,
        note=message[:300],
        breach=breach,
    )
    _record(
        ctx, complaint, "complaint.acknowledged", before, {"breach": breach} if breach else None
    )
    return complaint


def start_investigation(ctx: SandboxContext, complaint: Complaint, note: str = "") -> Complaint:
    """Move an acknowledged complaint into investigation."""
    return _simple_move(ctx, complaint, "investigate", "complaint.investigating", note)


def wait_for_customer(ctx: SandboxContext, complaint: Complaint, note: str) -> Complaint:
    """Pause the clock while waiting for information from the customer (say what was asked)."""
    note = validation.text(
        note, "What you asked the customer for", 1000, required=True, field="note"
    )
    complaint_obj = _simple_move(ctx, complaint, "wait_for_customer", "complaint.waiting", note)
    complaint_obj.waiting_since = ctx.now()
    db.session.flush()
    return complaint_obj


def customer_replied(ctx: SandboxContext, complaint: Complaint, note: str = "") -> Complaint:
    """Resume after the customer replied: the due time moves back by the working time paused."""
    ctx.require_writable()
    _check_move(complaint, "customer_replied")
    paused = ctx.calendar().working_time_between(complaint.waiting_since, ctx.now())
    if complaint.resolve_due_at is not None and paused > timedelta(0):
        complaint.resolve_due_at = ctx.calendar().add_working_time(complaint.resolve_due_at, paused)
    complaint.waiting_since = None
    return _simple_move(
        ctx,
        complaint,
        "customer_replied",
        "complaint.customer_replied",
        note or f"Clock resumed; {paused} of working time paused",
    )


def _simple_move(ctx, complaint, action, verb, note="") -> Complaint:
    ctx.require_writable()
    target = _check_move(complaint, action)
    note = validation.text(note, "Note", 1000, field="note")
    before, from_stage = snapshot(complaint), complaint.stage
    complaint.stage = target.value
    _event(ctx, complaint, action, from_stage, complaint.level, note=note)
    _record(ctx, complaint, verb, before, {"note": note} if note else None)
    return complaint


def resolve(
    ctx: SandboxContext, complaint: Complaint, resolution: str, channel: str, outcome_message: str
) -> Complaint:
    """Record the resolution and tell the customer the outcome (logged as a linked interaction)."""
    ctx.require_writable()
    target = _check_move(complaint, "resolve")
    resolution = validation.text(resolution, "Resolution", 4000, required=True, field="resolution")
    before, from_stage = snapshot(complaint), complaint.stage
    now = ctx.now()
    _communicate(ctx, complaint, channel, outcome_message, "Complaint outcome sent")
    complaint.stage = target.value
    complaint.resolution = resolution
    complaint.resolved_at = now
    breach = _late(now, complaint.resolve_due_at, "resolved")
    _event(
        ctx, complaint, "resolve", from_stage, complaint.level, note=resolution[:300], breach=breach
    )
    _record(
        ctx,
        complaint,
        "complaint.resolved",
        before,
        {"resolution": resolution, **({"breach": breach} if breach else {})},
    )
    return complaint


def reopen(ctx: SandboxContext, complaint: Complaint, note: str) -> Complaint:
    """Take a resolved complaint back into investigation (say why)."""
    note = validation.text(note, "Why it is reopened", 1000, required=True, field="note")
    complaint.resolved_at = (
        None if complaint.stage == Stage.RESOLVED.value else complaint.resolved_at
    )
    return _simple_move(ctx, complaint, "reopen", "complaint.reopened", note)


def close(
    ctx: SandboxContext,
    complaint: Complaint,
    *,
    customer_confirmed: bool | None,
    confirmation_note: str,
    root_cause: str,
    lessons_learned: str,
    judgement_note: str = "",
) -> Complaint:
    """Close a resolved complaint. The procedure asks whether the customer confirmed they are
    satisfied, the root cause and the lessons learned. Closing without the customer's
    confirmation is a judgement call: it needs a reason, and the record shows it."""
    ctx.require_writable()
    target = _check_move(complaint, "close")
    if customer_confirmed is None:
        raise ServiceError(
            "Say whether the customer confirmed they are satisfied before "
            "closing (procedure step: customer confirmation).",
            "customer_confirmed",
        )
    confirmation_note = validation.text(
        confirmation_note, "How the customer confirmed", 500, field="confirmation_note"
    )
    root_cause = validation.text(root_cause, "Root cause", 2000, required=True, field="root_cause")
    lessons_learned = validation.text(
        lessons_learned, "Lessons learned", 2000, required=True, field="lessons_learned"
    )
    judgement_note = validation.text(
        judgement_note, "Reason for closing anyway", 1000, field="judgement_note"
    )
    judgement = False
    if not customer_confirmed:
        if not judgement_note:
            raise ServiceError(
                "The customer has not confirmed they are satisfied. Escalate the complaint if "
                "they are unhappy, or, if the procedure allows closing anyway (for example "
                "the customer did not reply), give the reason for your judgement.",
                "judgement_note",
            )
        judgement = True
    before, from_stage = snapshot(complaint), complaint.stage
    complaint.stage = target.value
    complaint.closed_at = ctx.now()
    complaint.customer_confirmed = customer_confirmed
    complaint.confirmation_note = confirmation_note
    complaint.root_cause = root_cause
    complaint.lessons_learned = lessons_learned
    _event(
        ctx,
        complaint,
        "close",
        from_stage,
        complaint.level,
        note=judgement_note or confirmation_note,
        judgement=judgement,
    )
    _record(
        ctx,
        complaint,
        "complaint.closed",
        before,
        {
            "root_cause": root_cause,
            "lessons_learned": lessons_learned,
            "judgement": judgement_note or None,
        },
    )
    return complaint


def escalate(ctx: SandboxContext, complaint: Complaint, reason: str) -> Complaint:
    """Escalate to the next level of the procedure, with a reason. The new level owns the
    complaint and its timescales start again (it is acknowledged afresh)."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("A closed complaint cannot be escalated: the procedure has ended.")
    reason = validation.text(reason, "Reason for escalating", 1000, field="reason")
    if not reason:
        raise ServiceError(
            "Give the reason for escalating: the procedure escalates only for "
            "a stated reason (e.g. the customer is not satisfied with the "
            "response).",
            "reason",
        )
    target = next_level(ctx, complaint.level_enum)
    if target is None:
        raise ServiceError("This complaint is at the last level of the procedure already.")
    before, from_stage, from_level = snapshot(complaint), complaint.stage, complaint.level
    rules = procedure(ctx).get("escalate_when", [])
    judgement = bool(rules) and not any(_words(rule) & _words(reason) for rule in rules)
    now = ctx.now()
    policy = level_policy(ctx, target)
    complaint.level = target.value
    complaint.owner = policy.get("owner", target.label)
    complaint.stage = Stage.RECEIVED.value
    complaint.level_started_at = now
    complaint.acknowledged_at = None
    complaint.resolved_at = None
    complaint.resolution = ""  # the new level finds its own; the old one stays in the history
    complaint.waiting_since = None
    complaint.escalation_reason = reason
    complaint.ack_due_at = _due(ctx, now, policy.get("acknowledge_within"))
    complaint.resolve_due_at = _due(ctx, now, policy.get("resolve_within"))
    _event(ctx, complaint, "escalate", from_stage, from_level, note=reason, judgement=judgement)
    _record(
        ctx,
        complaint,
        "complaint.escalated",
        before,
        {"reason": reason, "from_level": from_level, "judgement": judgement},
    )
    return complaint


_STOP = {
    "the",
    "a",
    "an",
    "is",
    "to",
    "of",
    "with",
    "or",
    "and",
    "for",
    "about",
    "over",
    "not",
    "be",
    "by",
    "in",
    "on",
    "at",
    "their",
    "they",
    "it",
    "this",
    "that",
    "has",
    "was",
}


def _words(text_: str) -> set[str]:
    return {w.strip(".,;:!?()'\"").lower() for w in text_.split()} - _STOP - {""}


def request_satisfaction(ctx: SandboxContext, complaint: Complaint) -> Complaint:
    """Send the customer a satisfaction rating (1-5 with a comment) after closure; the
    simulated customer answers a working day or two later, deterministically per seed."""
    ctx.require_writable()
    if complaint.stage != Stage.CLOSED.value:
        raise ServiceError("Ask for a satisfaction rating once the complaint is closed.")
    if complaint.satisfaction_requested_at is not None:
        raise ServiceError("A satisfaction rating was already requested for this complaint.")
    now = ctx.now()
    rng = random.Random(f"{ctx.sandbox.seed}:{complaint.reference}")  # noqa: S311 - simulation
    late = any(e.breach for e in complaint.events)
    if complaint.customer_confirmed and not late:
        weights = [1, 2, 8, 30, 40]
    elif complaint.customer_confirmed:
        weights = [3, 8, 25, 30, 14]
    else:
        weights = [30, 30, 20, 8, 2]
    rating = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
    comments = {
        1: "Very disappointed with how this was handled.",
        2: "It took too long and I had to chase.",
        3: "Sorted in the end, but communication could be better.",
        4: "Good service, kept me informed.",
        5: "Excellent, quick and friendly. Thank you.",
    }
    complaint.satisfaction_requested_at = now
    complaint.satisfaction_rating = rating
    complaint.satisfaction_comment = comments[rating]
    complaint.satisfaction_at = ctx.calendar().add(now, rng.choice([4, 8, 12]), "working_hours")
    db.session.flush()
    action_log.record(
        ctx,
        "complaint.satisfaction_requested",
        "complaint",
        complaint.id,
        after={"requested_at": now},
    )
    return complaint


def satisfaction_visible(ctx: SandboxContext, complaint: Complaint) -> bool:
    """Whether the customer's rating has arrived by sandbox time now."""
    return complaint.satisfaction_at is not None and complaint.satisfaction_at <= ctx.now()
