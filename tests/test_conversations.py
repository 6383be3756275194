"""Conversations: a message says what it is for; who started the thread decides reactive or
proactive; a need is confirmed only by pointing at the customer's reply."""

from datetime import datetime, timedelta

import pytest

from crm_sandbox.models import Contact, db
from crm_sandbox.services import contacts, conversations
from crm_sandbox.services.errors import ServiceError


@pytest.fixture
def setup(provision, ctx_for):
    sandbox = provision()
    ctx = ctx_for(sandbox)
    contact = db.session.scalars(
        db.select(Contact).where(Contact.sandbox_id == sandbox.id, Contact.category == "external")
    ).first()
    return ctx, contact


def test_a_message_we_start_is_proactive_and_its_own_thread(setup):
    ctx, contact = setup
    sent = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "email",
            "purpose": "ask_needs",
            "summary": "What do you need from us?",
            "topic": "timescale",
            "kind": "open",
        },
    )
    assert sent.initiative == "proactive"
    assert sent.thread_id == sent.id
    assert sent.details == {"topic": "timescale", "kind": "open"}
    assert sent.customer_due_at is not None and sent.customer_due_at > sent.occurred_at


def test_a_reply_to_the_customer_is_reactive_in_their_thread(setup):
    ctx, contact = setup
    theirs = conversations.receive_message(
        ctx,
        contact,
        answer_kind="event",
        channel="phone",
        summary="Where is my order?",
        occurred_at=ctx.now(),
    )
    ours = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "phone",
            "purpose": "follow_up",
            "summary": "It ships today.",
            "in_reply_to": theirs,
        },
    )
    assert ours.initiative == "reactive"
    assert ours.thread_id == theirs.id


def test_a_need_is_confirmed_only_by_a_reply_that_confirms_it(setup):
    ctx, contact = setup
    need = contacts.add_need(ctx, contact, "Delivery by Friday")
    other = conversations.receive_message(
        ctx,
        contact,
        answer_kind="answer",
        channel="email",
        summary="Friday please",
        occurred_at=ctx.now(),
        details={"revealed": []},
    )
    with pytest.raises(ServiceError):
        conversations.confirm_need_by_reply(ctx, need, other)
    yes = conversations.receive_message(
        ctx,
        contact,
        answer_kind="needs_reply",
        channel="email",
        summary="Yes, that is right",
        occurred_at=ctx.now(),
        details={"confirmed": [need.id], "corrected": [], "added": []},
    )
    conversations.confirm_need_by_reply(ctx, need, yes)
    assert need.confirmed and need.confirmed_by_id == yes.id


def test_a_promise_must_be_for_a_time_to_come(setup):
    ctx, contact = setup
    with pytest.raises(ServiceError):
        conversations.send_message(
            ctx,
            contact,
            {
                "channel": "phone",
                "purpose": "follow_up",
                "summary": "Call you later",
                "promise_by": ctx.now() - timedelta(hours=1),
            },
        )
    kept = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "phone",
            "purpose": "follow_up",
            "summary": "I will call you by 5pm",
            "promise_by": ctx.now() + timedelta(hours=3),
        },
    )
    assert kept.customer_due_at >= kept.promise_by
    assert isinstance(kept.promise_by, datetime)


def test_answering_a_chase_in_a_complaints_thread_is_reactive(setup):
    """The customer started a complaint's thread by complaining, even when our acknowledgement
    is its first message: answering their chase in it is reactive."""
    from crm_sandbox.services import complaints

    ctx, contact = setup
    complaint = complaints.receive_complaint(
        ctx,
        contact,
        {"channel": "phone", "category": "Late delivery", "description": "Nobody came."},
    )
    ack = conversations.send_message(
        ctx,
        contact,
        {"channel": "email", "purpose": "acknowledge", "summary": "Sorry.", "complaint": complaint},
    )
    chase = conversations.receive_message(
        ctx,
        contact,
        answer_kind="chase",
        channel="phone",
        summary="Any news?",
        occurred_at=ctx.now(),
        in_reply_to=ack,
    )
    ours = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "phone",
            "purpose": "update",
            "summary": "Today.",
            "complaint": complaint,
            "in_reply_to": chase,
        },
    )
    assert ours.thread_id == ack.thread_id
    assert ours.initiative == "reactive"


def test_a_thread_awaits_an_answer_only_until_the_customer_has_answered(setup):
    ctx, contact = setup
    question = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "email",
            "purpose": "ask_needs",
            "summary": "What do you need?",
            "topic": "timescale",
            "kind": "open",
            "promise_by": ctx.now() + timedelta(hours=3),
        },
    )
    (thread,) = conversations.threads(ctx, contact=contact)[:1]
    assert thread.awaiting_until == question.customer_due_at
    conversations.receive_message(
        ctx,
        contact,
        answer_kind="answer",
        channel="email",
        summary="By Friday.",
        occurred_at=ctx.now(),
        in_reply_to=question,
        details={"revealed": []},
    )
    question.customer_due_at = question.promise_by  # what is left is the promise's chase
    (thread,) = [t for t in conversations.threads(ctx, contact=contact) if t.head.id == question.id]
    assert thread.awaiting_until is None
    assert thread.promise_due == question.promise_by


def test_a_message_sent_before_a_promise_does_not_keep_it_even_in_the_same_minute(setup):
    ctx, contact = setup
    earlier = conversations.send_message(
        ctx, contact, {"channel": "email", "purpose": "follow_up", "summary": "Looking into it."}
    )
    promise = conversations.send_message(
        ctx,
        contact,
        {
            "channel": "email",
            "purpose": "follow_up",
            "summary": "I will call you by noon.",
            "promise_by": ctx.now() + timedelta(hours=3),
        },
    )
    earlier.occurred_at = promise.occurred_at
    db.session.flush()
    (thread,) = [t for t in conversations.threads(ctx, contact=contact) if promise in t.messages]
    assert thread.promise_due == promise.promise_by
    assert promise in conversations.promises_due(ctx)


def test_a_needs_summary_naming_something_that_is_not_an_id_is_refused_clearly(setup):
    ctx, contact = setup
    with pytest.raises(ServiceError, match="from the record"):
        conversations.send_message(
            ctx,
            contact,
            {
                "channel": "email",
                "purpose": "confirm_needs",
                "summary": "Is this right?",
                "needs": ["first"],
            },
        )
