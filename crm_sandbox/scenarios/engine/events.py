"""Scenario events on the sandbox clock: which have fallen due (at a set time, or after a
logged action plus a delay in working or calendar time) and making them happen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ...models import ActionLogEntry, Attempt, Contact, Direction, Interaction, db
from ...services import action_log, clock, conversations
from ...services.context import SandboxContext
from ..loader import scenario_of
from ..schema import Scenario
from ..state import attempt_start_seq

EVENT_ACTOR = "Scenario event"
# Events that answer something the learner sent (they join its thread).
ANSWERING_EVENTS = {"customer_chases", "customer_replies", "supervisor_replies"}


KEY_OBJECT_TYPES = {
    "complaints": "complaint",
    "contacts": "contact",
    "standards": "standard",
    "surveys": "survey",
}


def _trigger_time(sandbox_id: int, keys: dict | None, trigger, since_seq: int):
    """When the first logged action matching an event's trigger happened in this attempt
    (one indexed query; None if it has not happened)."""
    query = select(ActionLogEntry.sandbox_time).where(
        ActionLogEntry.sandbox_id == sandbox_id,
        ActionLogEntry.seq > since_seq,
        ActionLogEntry.verb == trigger.verb,
    )
    if trigger.key:
        for kind, object_type in KEY_OBJECT_TYPES.items():
            object_id = (keys or {}).get(kind, {}).get(trigger.key)
            if object_id is not None:
                query = query.where(
                    ActionLogEntry.object_type == object_type, ActionLogEntry.object_id == object_id
                )
                break
    return db.session.scalar(query.order_by(ActionLogEntry.seq).limit(1))


def due_events(attempt: Attempt) -> list:
    """Events whose time has come on the sandbox clock and that have not happened yet, as
    (due time, event) pairs in time order."""
    sandbox = attempt.sandbox
    return events_due(
        scenario_of(attempt),
        attempt.fired_events,
        clock.sandbox_now(sandbox),
        sandbox.organisation,
        attempt.sandbox_id,
        attempt.keys,
    )


def events_due(
    scenario: Scenario,
    fired_events: list | None,
    now,
    organisation,
    sandbox_id: int,
    keys: dict | None,
) -> list:
    """`due_events` from the attempt's fields as read (a CRM page reads them as columns):
    `organisation` is any object with the calendar fields. Called on every page of a
    scenario's CRM, so it reads only what it needs: no log at all for timed events, one query
    per triggered one."""
    fired = set(fired_events or [])
    pending = [e for e in scenario.events if e.id not in fired]
    if not pending:
        return []
    calendar = clock.WorkingCalendar.for_organisation(organisation)
    since_seq = None
    due = []
    for event in pending:
        if event.at is not None:
            when = event.at
        else:
            if since_seq is None:
                since_seq = attempt_start_seq(sandbox_id)
            when = _trigger_time(sandbox_id, keys, event.after, since_seq)
            if when is None:
                continue
        if event.delay is not None:
            if event.delay.unit in ("working_hours", "working_days"):
                when = calendar.add(when, event.delay.amount, event.delay.unit)
            else:
                hours = event.delay.amount * (24 if event.delay.unit == "days" else 1)
                when = when + timedelta(hours=hours)
        if when <= now:
            due.append((when, event))
    return sorted(due, key=lambda pair: pair[0])


def fire_due_events(attempt: Attempt) -> int:
    """Make due events happen: a customer chases, replies, a supervisor answers. Each becomes
    an inbound interaction (or a note) and an entry in the log."""
    events = due_events(attempt)
    if not events:
        return 0
    ctx = SandboxContext(attempt.sandbox, None, EVENT_ACTOR)
    for when, event in events:
        # Recorded at the sandbox time the event was due: the customer rang at 14:00 even if
        # the learner only opens the CRM at 16:00.
        contact_id = (attempt.keys or {}).get("contacts", {}).get(event.contact or "")
        made_id = None
        if contact_id and event.kind != "note":
            made_id = _event_message(attempt, event, ctx.get(Contact, contact_id), when).id
        action_log.record(
            ctx,
            "scenario.event",
            "attempt",
            attempt.id,
            after={
                "event": event.id,
                "kind": event.kind,
                "summary": event.summary,
                "interaction_id": made_id,
            },
            sandbox_time=when,
        )
        attempt.fired_events = [*(attempt.fired_events or []), event.id]
    db.session.flush()
    return len(events)


def _event_message(attempt: Attempt, event, contact: Contact, when) -> Interaction:
    """A scripted event's message from the customer (or colleague): an inbound message in
    their conversation, said by them (answer_kind "chase" for a customer who chases, "event"
    otherwise). A chase or a reply answers the last message the learner sent them before it,
    if any (so it joins that thread); a new enquiry or request starts its own. It is about the
    event's complaint when it names one."""
    complaint_id = (attempt.keys or {}).get("complaints", {}).get(event.complaint or "")
    last_sent = None
    if event.kind in ANSWERING_EVENTS:
        last_sent = db.session.scalar(
            select(Interaction)
            .where(
                Interaction.sandbox_id == attempt.sandbox_id,
                Interaction.contact_id == contact.id,
                Interaction.direction == Direction.OUTBOUND.value,
                Interaction.occurred_at <= when,
                *([Interaction.complaint_id == complaint_id] if complaint_id else []),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(1)
        )
    chase = event.kind == "customer_chases"
    customer = SandboxContext(attempt.sandbox, None, f"Customer: {contact.display_name}")
    return conversations.receive_message(
        customer,
        contact,
        answer_kind="chase" if chase else "event",
        channel=event.channel,
        summary=event.summary,
        occurred_at=when,
        in_reply_to=last_sent,
        complaint_id=complaint_id,
        details={
            "event": event.id,
            **({"promise_of": None} if chase else {}),
            **({"asks": list(event.asks)} if event.asks else {}),
        },
    )


def happened_events(attempt: Attempt) -> list:
    """The scenario events that have happened so far in this attempt."""
    scenario = scenario_of(attempt)
    fired = set(attempt.fired_events or [])
    return [e for e in scenario.events if e.id in fired]
