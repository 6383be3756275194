"""One function per thing a user does with a complaint: receive it, acknowledge it, move it
through investigation, wait for the customer, resolve, reopen, close and escalate it, and
send the customer updates. Each refuses an out-of-order move (see policy), records a breach
when a deadline passed, and appends to the action log in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, text

from ...models import Channel, Contact, Interaction, db
from ...models.complaints import Complaint, ComplaintEvent, Severity, Stage
from ...wording import shorten
from .. import action_log, validation
from ..context import SandboxContext
from ..errors import ServiceError
from .policy import (
    _check_move,
    _due,
    _late,
    level_policy,
    levels,
    next_level,
    procedure,
)
from .queries import snapshot
from .rules import money as _money_text
from .rules import (
    require_change,
    require_escalation_rule,
    require_policy,
    require_rule,
)


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
    at=None,
) -> ComplaintEvent:
    event = ComplaintEvent(
        sandbox_id=ctx.sandbox_id,
        complaint_id=complaint.id,
        at=at or ctx.now(),
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
    # The history starts when the complaint was received (a complaint taken earlier and
    # recorded now, or a scenario's opening complaint), not when it was typed in.
    _event(ctx, complaint, "received", None, None, note=shorten(description, 300), at=received_at)
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


def _communicate(
    ctx: SandboxContext,
    complaint: Complaint,
    channel: str,
    summary: str,
    outcome: str,
    purpose: str = "update",
    remedy: dict | None = None,
    promise_by=None,
) -> Interaction:
    """A message to the customer about this complaint, through `conversations.send_message`
    (so it has a purpose and joins the complaint's thread); `promise_by` is the next contact it
    promises, which the customer holds us to."""
    from .. import conversations

    validation.choice(channel, Channel, "Channel", field="channel")
    summary = validation.text(
        summary, "Message to the customer", 2000, required=True, field="message"
    )
    return conversations.send_message(
        ctx,
        ctx.get(Contact, complaint.contact_id),
        {
            "channel": channel,
            "purpose": purpose,
            "summary": summary,
            "outcome": outcome,
            "complaint": complaint,
            "remedy": _remedy(remedy) if remedy is not None else None,
            "promise_by": promise_by,
        },
    )


def _remedy(remedy: dict) -> dict:
    """A remedy as `send_message` takes it: {"type", "amount", "by": a date or None}."""
    if not isinstance(remedy, dict):
        raise ServiceError("Choose the remedy you are proposing.", "remedy_type")
    by = remedy.get("by")
    if isinstance(by, str) and by:
        try:
            by = date.fromisoformat(by)
        except ValueError:
            raise ServiceError(
                "Give the date the remedy happens by as a date.", "remedy_by"
            ) from None
    return {"type": remedy.get("type"), "amount": remedy.get("amount"), "by": by or None}


def send_update(
    ctx: SandboxContext,
    complaint: Complaint,
    channel: str,
    message: str,
    kind: str = "update",
    promise_by=None,
) -> Interaction:
    """Log a communication with the customer about this complaint (an update, a letter), with
    the next contact it promises (`promise_by`), if any."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("The complaint is closed; log any further contact as an interaction.")
    return _communicate(
        ctx, complaint, channel, message, f"Complaint {kind}", "update", promise_by=promise_by
    )


def propose_resolution(
    ctx: SandboxContext, complaint: Complaint, channel: str, message: str, remedy: dict
) -> Interaction:
    """Propose a remedy to the customer ({"type", "amount", "by"} in the policy's terms) before
    resolving: the customer accepts or rejects it in their reply."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("The complaint is closed; nothing more can be proposed on it.")
    if not remedy:
        raise ServiceError("Choose the remedy you are proposing.", "remedy_type")
    return _communicate(
        ctx, complaint, channel, message, "Resolution proposed", "propose_resolution", remedy
    )


def ask_satisfied(
    ctx: SandboxContext, complaint: Complaint, channel: str, message: str
) -> Interaction:
    """Ask the customer whether they are satisfied with how the complaint was resolved: their
    "yes" is what lets the complaint close as confirmed."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("The complaint is closed already.")
    return _communicate(
        ctx, complaint, channel, message, "Asked whether satisfied", "ask_satisfied"
    )


def acknowledge(
    ctx: SandboxContext, complaint: Complaint, channel: str, message: str, promise_by=None
) -> Complaint:
    """Acknowledge the complaint to the customer (the acknowledgement is logged as an
    outbound interaction linked to the complaint), saying when they will next hear from us
    (`promise_by`, the message's "next contact by": the customer holds us to it)."""
    ctx.require_writable()
    target = _check_move(complaint, "acknowledge")
    before, from_stage = snapshot(complaint), complaint.stage
    now = ctx.now()
    _communicate(
        ctx,
        complaint,
        channel,
        message,
        "Complaint acknowledged",
        "acknowledge",
        promise_by=promise_by,
    )
    complaint.stage = target.value
    complaint.acknowledged_at = now
    breach = _late(now, complaint.ack_due_at, "acknowledged")
    _event(
        ctx,
        complaint,
        "acknowledge",
        from_stage,
        complaint.level,
        note=shorten(message, 300),
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
    ctx: SandboxContext,
    complaint: Complaint,
    resolution: str,
    channel: str,
    outcome_message: str,
    remedy: dict | None = None,
    policy_rule: str | None = None,
) -> Complaint:
    """Record the resolution and tell the customer the outcome (a linked message: a proposed
    resolution carrying the remedy when one is given, which the customer accepts or rejects;
    otherwise an update). `policy_rule` is the organisation's rule that decides it, by its
    reference ("returns.2", see `rules`): a choice, so the assessor and the checks read which
    rule the learner applied, not words in the resolution."""
    ctx.require_writable()
    target = _check_move(complaint, "resolve")
    resolution = validation.text(resolution, "Resolution", 4000, required=True, field="resolution")
    rule = require_rule(ctx.organisation.policies or {}, policy_rule)
    before, from_stage = snapshot(complaint), complaint.stage
    now = ctx.now()
    if remedy:
        _communicate(
            ctx,
            complaint,
            channel,
            outcome_message,
            "Complaint outcome sent",
            "propose_resolution",
            remedy,
        )
    else:
        _communicate(ctx, complaint, channel, outcome_message, "Complaint outcome sent")
    complaint.stage = target.value
    complaint.resolution = resolution
    complaint.policy_rule = rule.ref if rule else ""
    complaint.resolved_at = now
    breach = _late(now, complaint.resolve_due_at, "resolved")
    _event(
        ctx,
        complaint,
        "resolve",
        from_stage,
        complaint.level,
        note=shorten(resolution, 300),
        breach=breach,
    )
    _record(
        ctx,
        complaint,
        "complaint.resolved",
        before,
        {
            "resolution": resolution,
            **({"policy_rule": rule.ref, "policy_rule_text": rule.text} if rule else {}),
            **({"breach": breach} if breach else {}),
        },
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
    satisfaction_reply: Interaction | None,
    confirmation_note: str,
    root_cause: str,
    lessons_learned: str,
    judgement_note: str = "",
    lessons_policy: str | None = None,
    lessons_change: str | None = None,
) -> Complaint:
    """Close a resolved complaint. The procedure asks for the customer's confirmation that they
    are satisfied, the root cause and the lessons learned. The confirmation is the customer's
    own "yes" (`satisfaction_reply`: their `satisfied` message about this complaint); the
    learner cannot tick it. Closing without one is a judgement call: it needs a reason, and the
    complaint is recorded as closed unconfirmed."""
    ctx.require_writable()
    target = _check_move(complaint, "close")
    if satisfaction_reply is not None and (
        satisfaction_reply.sandbox_id != ctx.sandbox_id
        or satisfaction_reply.direction != "inbound"
        or satisfaction_reply.contact_id != complaint.contact_id
        or satisfaction_reply.complaint_id != complaint.id
        or satisfaction_reply.answer_kind != "satisfied"
        or satisfaction_reply.occurred_at > ctx.now()
    ):
        raise ServiceError(
            "A complaint is closed as confirmed only with the customer's own reply saying they "
            "are satisfied with this complaint's outcome; that message is not one. Ask them "
            "whether they are satisfied, or close it unconfirmed with the reason for your "
            "judgement.",
            "satisfaction_reply",
        )
    customer_confirmed = satisfaction_reply is not None
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
    # What the lesson changes, as choices beside the learner's words: which of the
    # organisation's policies (or its complaints procedure), and what kind of change.
    lessons_policy = require_policy(ctx.organisation.policies or {}, lessons_policy)
    lessons_change = require_change(lessons_change)
    judgement = False
    if not customer_confirmed:
        if not judgement_note:
            raise ServiceError(
                "The customer has not confirmed they are satisfied. Ask them, escalate the "
                "complaint if they are unhappy, or, if the procedure allows closing anyway "
                "(for example the customer did not reply), give the reason for your judgement.",
                "judgement_note",
            )
        judgement = True
    before, from_stage = snapshot(complaint), complaint.stage
    complaint.stage = target.value
    complaint.closed_at = ctx.now()
    complaint.customer_confirmed = customer_confirmed
    complaint.satisfaction_reply_id = satisfaction_reply.id if satisfaction_reply else None
    complaint.confirmation_note = confirmation_note
    complaint.root_cause = root_cause
    complaint.lessons_learned = lessons_learned
    complaint.lessons_policy = lessons_policy
    complaint.lessons_change = lessons_change
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
            **({"lessons_policy": lessons_policy} if lessons_policy else {}),
            **({"lessons_change": lessons_change} if lessons_change else {}),
            "judgement": judgement_note or None,
            "satisfaction_reply_id": complaint.satisfaction_reply_id,
        },
    )
    return complaint


def satisfaction_replies(ctx: SandboxContext, complaint: Complaint) -> list[Interaction]:
    """The customer's answers (yes or no) to "are you satisfied?" about this complaint that
    have arrived by sandbox now, newest first: what a learner points at to close it."""
    return list(
        db.session.scalars(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id,
                Interaction.complaint_id == complaint.id,
                Interaction.direction == "inbound",
                Interaction.answer_kind.in_(["satisfied", "not_satisfied"]),
                Interaction.occurred_at <= ctx.now(),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        )
    )


def escalate(
    ctx: SandboxContext,
    complaint: Complaint,
    reason: str,
    rule: int | str | None = None,
    amount=None,
) -> Complaint:
    """Escalate to the next level of the procedure, with the reason the procedure gives
    (`rule`: its number in the procedure's `escalate_when`, from 1) and the learner's own words
    (`reason`); `amount` is the refund or compensation the customer asked for, when that is
    why. Escalating for none of the procedure's reasons is allowed but recorded as a judgement
    call. The new level owns the complaint and its timescales start again (it is acknowledged
    afresh)."""
    ctx.require_writable()
    if complaint.stage == Stage.CLOSED.value:
        raise ServiceError("A closed complaint cannot be escalated: the procedure has ended.")
    reason = validation.text(reason, "Reason for escalating", 1000, field="reason")
    if not reason:
        raise ServiceError(
            "Give the reason for escalating in your own words, beside the procedure's reason "
            "you choose: the procedure escalates only for a stated reason.",
            "reason",
        )
    chosen = require_escalation_rule(procedure(ctx), rule)
    asked = _money_text(amount, "amount", "The amount the customer asked for")
    target = next_level(ctx, complaint.level_enum)
    if target is None:
        raise ServiceError("This complaint is at the last level of the procedure already.")
    before, from_stage, from_level = snapshot(complaint), complaint.stage, complaint.level
    judgement = bool(procedure(ctx).get("escalate_when")) and chosen is None
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
    complaint.escalation_rule = chosen[0] if chosen else None
    complaint.escalation_amount = asked
    complaint.ack_due_at = _due(ctx, now, policy.get("acknowledge_within"))
    complaint.resolve_due_at = _due(ctx, now, policy.get("resolve_within"))
    _event(ctx, complaint, "escalate", from_stage, from_level, note=reason, judgement=judgement)
    _record(
        ctx,
        complaint,
        "complaint.escalated",
        before,
        {
            "reason": reason,
            "from_level": from_level,
            "judgement": judgement,
            **({"rule": chosen[0], "rule_text": chosen[1]} if chosen else {}),
            **({"amount": asked} if asked else {}),
        },
    )
    return complaint
