"""What falls due for the simulated customers, and making it happen.

Every outbound message the customer will act on carries `customer_due_at` (set by
`send_message` through `next_due`): a page asks `due_now` (one indexed look) and, when
something is due, `act_on_due` makes it happen in time order, in the caller's transaction.

A due message goes through up to two stages:

1. Its answer (a question, a needs summary, a proposed remedy, "are you satisfied?", an
   internal request, a proposed service standard) or, for marketing the customer never
   agreed to, a complaint. Made at the due time, then the message's `customer_due_at` moves
   on to its promise (if it made one) or clears.
2. Its promise ("I will call you by 17:00"). If the learner contacted the customer at any time
   after the promise (by `promise_by`: kept; later: late, but the customer got an answer),
   nothing happens. Otherwise the customer chases `patience.chases` times, `chase_after` apart,
   and then does what `patience.then` says: escalate (about a complaint, an escalation message
   asking for it to go higher; otherwise they raise a complaint), leave (the contact is marked
   as gone, with a leaving message) or wait.

Every message is the customer's: an inbound interaction made with
`conversations.receive_message` at the sandbox time it was due, logged with the customer as
the actor. Nothing here reads the wall clock or draws random numbers: the same actions give
the same replies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ...models import (
    AnswerKind,
    Category,
    Channel,
    Contact,
    Direction,
    Interaction,
    Purpose,
    db,
)
from .. import action_log, interactions
from ..context import SandboxContext
from . import answers
from .persona import Persona

MAX_ACTIONS = 500  # a guard: one page never makes more customer actions than this


def due_now(sandbox_id: int, now: datetime) -> bool:
    """Whether any customer action has fallen due in this sandbox by `now` (one indexed look,
    on every CRM page)."""
    return (
        db.session.scalar(
            select(Interaction.id)
            .where(
                Interaction.sandbox_id == sandbox_id,
                Interaction.customer_due_at <= now,
            )
            .limit(1)
        )
        is not None
    )


class CustomerContext(SandboxContext):
    """The customer acting at the moment their action fell due (services that read
    `ctx.now()` see that moment, not the page's now)."""

    __slots__ = ("at",)

    def __init__(self, base: SandboxContext, contact: Contact, at: datetime):
        super().__init__(base.sandbox, None, f"Customer: {contact.display_name}")
        self.at = at

    def now(self) -> datetime:
        return self.at


def act_on_due(ctx: SandboxContext) -> int:
    """Make every customer action due by sandbox now happen, earliest first, in the caller's
    transaction; how many messages the customers sent."""
    from . import persona_for

    now = ctx.now()
    personas: dict[int, Persona] = {}
    made = 0
    for _ in range(MAX_ACTIONS):
        message = db.session.scalar(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id,
                Interaction.customer_due_at <= now,
            )
            .order_by(Interaction.customer_due_at, Interaction.id)
            .limit(1)
        )
        if message is None:
            break
        contact = message.contact
        if contact.id not in personas:
            personas[contact.id] = persona_for(ctx, contact)
        made += _act(ctx, message, contact, personas[contact.id])
    db.session.flush()
    return made


def _act(ctx: SandboxContext, message: Interaction, contact: Contact, persona: Persona) -> int:
    when = message.customer_due_at
    customer = CustomerContext(ctx, contact, when)
    if contact.merged_into_id is not None or (
        contact.left_sbx is not None and contact.left_sbx <= when
    ):
        message.customer_due_at = None  # nobody there to answer any more
        return 0
    if _needs_answer(customer, message, persona, when) and not _answered(message):
        answer = _answer(customer, message, contact, persona, when)
        if answer is not None:
            _send(customer, contact, message, answer, when)
            message.customer_due_at = _promise_due(customer, message, persona, after=when)
            return 1
    return _promise_stage(customer, message, contact, persona, when)


# --- Stage 1: the answer ------------------------------------------------------------------


def unwanted_marketing(message: Interaction, contact: Contact, persona: Persona) -> bool:
    """A marketing message on a channel the customer never agreed to (in their own mind, the
    persona, or as the CRM records it)."""
    if message.purpose != Purpose.MARKETING.value:
        return False
    consent = Channel(message.channel).consent_field
    if consent is None:
        return True
    return consent not in persona.marketing_consent or not contact.consents().get(consent)


def _needs_answer(ctx, message: Interaction, persona: Persona, when: datetime) -> bool:
    """Whether the message is one the customer answers. Marketing is answered (with a
    complaint) when it was unwanted at the moment it was sent: `next_due` decided so then and
    scheduled the complaint before any promise's chase, so consent given afterwards does not
    excuse it."""
    if message.purpose is None:
        return False
    if Purpose(message.purpose).expects_answer:
        return True
    if message.purpose != Purpose.MARKETING.value:
        return False
    return message.promise_by is None or when < _promise_due(ctx, message, persona, after=when)


def _answered(message: Interaction) -> bool:
    return (
        db.session.scalar(
            select(Interaction.id)
            .where(
                Interaction.sandbox_id == message.sandbox_id,
                Interaction.in_reply_to_id == message.id,
                Interaction.direction == Direction.INBOUND.value,
                # their own answer: not a chase about the message's promise, not a scripted
                # event that happened to follow it
                Interaction.answer_kind.not_in(
                    [
                        AnswerKind.CHASE.value,
                        AnswerKind.ESCALATION.value,
                        AnswerKind.LEAVING.value,
                        AnswerKind.EVENT.value,
                    ]
                ),
            )
            .limit(1)
        )
        is not None
    )


def _answer(ctx, message, contact, persona, when) -> answers.Answer | None:
    purpose = Purpose(message.purpose)
    details = message.details or {}
    if purpose is Purpose.ASK_NEEDS:
        return answers.answer_question(
            persona, details.get("topic") or "other", details.get("kind") or "open"
        )
    if purpose is Purpose.CONFIRM_NEEDS:
        return answers.answer_summary(persona, contact, details, when)
    if purpose is Purpose.PROPOSE_RESOLUTION:
        return answers.answer_proposal(
            ctx, persona, details.get("remedy") or {}, message.occurred_at
        )
    if purpose is Purpose.ASK_SATISFIED:
        return answers.answer_satisfied(
            persona, _remedy_accepted(message, when), message.complaint_id
        )
    if purpose is Purpose.INTERNAL_REQUEST:
        if contact.category != Category.INTERNAL.value:
            return None
        return answers.answer_internal_request(persona)
    if purpose is Purpose.MARKETING:
        return answers.unwanted_marketing(persona, Channel(message.channel).label)
    if purpose is Purpose.PROPOSE_STANDARD:
        return answers.answer_standard_proposal(persona, details)
    return None


def _remedy_accepted(message: Interaction, when: datetime) -> bool:
    """Whether the customer accepted a remedy earlier: for the same complaint, or (a question
    about no complaint) in the same thread."""
    query = select(Interaction.id).where(
        Interaction.sandbox_id == message.sandbox_id,
        Interaction.contact_id == message.contact_id,
        Interaction.answer_kind == AnswerKind.ACCEPTS.value,
        Interaction.occurred_at <= when,
    )
    if message.complaint_id is not None:
        query = query.where(Interaction.complaint_id == message.complaint_id)
    else:
        query = query.where(Interaction.thread_id == (message.thread_id or message.id))
    return db.session.scalar(query.limit(1)) is not None


def _send(ctx, contact, message, answer: answers.Answer, when) -> Interaction:
    from .. import conversations

    return conversations.receive_message(
        ctx,
        contact,
        answer_kind=answer.kind.value,
        channel=_reply_channel(message, answer),
        summary=answer.summary,
        occurred_at=when,
        in_reply_to=message,
        complaint_id=answer.complaint_id or message.complaint_id,
        details=answer.details,
        standard_id=message.standard_id,
    )


def _reply_channel(message: Interaction, answer: answers.Answer) -> str:
    """They answer on the channel they were contacted on; a letter gets an email back."""
    if message.channel == Channel.LETTER.value:
        return Channel.EMAIL.value
    return message.channel


# --- Stage 2: the promise -----------------------------------------------------------------


def _promise_due(ctx, message: Interaction, persona: Persona, after: datetime):
    """When the customer next looks at the message's promise (None: it made none)."""
    if message.promise_by is None:
        return None
    from . import _wait

    return max(_wait(ctx, message.promise_by, persona.patience.chase_after), after)


def _contacted_since(message: Interaction, until: datetime) -> bool:
    """Whether the learner contacted this customer after the promise was made (by `until`)."""
    return (
        db.session.scalar(
            select(Interaction.id)
            .where(*interactions.sent_after(Interaction, message, until))
            .limit(1)
        )
        is not None
    )


def _chases(message: Interaction) -> int:
    return db.session.scalar(
        select(func.count(Interaction.id)).where(
            Interaction.sandbox_id == message.sandbox_id,
            Interaction.in_reply_to_id == message.id,
            Interaction.answer_kind == AnswerKind.CHASE.value,
        )
    )


def _promise_stage(ctx, message, contact, persona: Persona, when: datetime) -> int:
    from . import _wait

    if message.promise_by is None or _contacted_since(message, when):
        message.customer_due_at = None  # a kept promise (or nothing promised): nothing more
        return 0
    first_look = _promise_due(ctx, message, persona, after=when)
    if first_look > when:  # too soon to chase
        message.customer_due_at = first_look
        return 0
    chased = _chases(message)
    if chased < persona.patience.chases:
        _send(ctx, contact, message, answers.chase(persona, message, chased + 1), when)
        message.customer_due_at = _wait(ctx, when, persona.patience.chase_after)
        return 1
    message.customer_due_at = None
    then = persona.patience.then
    if then == "wait":
        return 0
    if then == "leave":
        leave(ctx, contact, message, when)
        return 1
    if message.complaint_id is not None:
        _send(ctx, contact, message, answers.escalation(persona, message), when)
        return 1
    from .. import complaints

    answer = answers.complaint_about_silence(persona, message)
    complaint = complaints.receive_complaint(
        ctx,
        contact,
        {
            "channel": _reply_channel(message, answer),
            "category": "Promise not kept",
            "description": answer.summary,
            "received_at": when,
        },
    )
    answer.complaint_id = complaint.id
    _send(ctx, contact, message, answer, when)
    return 1


def leave(ctx, contact: Contact, message: Interaction | None, when: datetime) -> Contact:
    """The customer takes their business elsewhere: a leaving message, the contact marked as
    gone (left_sbx, left_reason), logged."""
    from . import persona_for

    persona = persona_for(ctx, contact)
    answer = answers.leaving(persona, message)
    if message is not None:
        _send(ctx, contact, message, answer, when)
    reason = "Promised contact never came, even after chasing"
    contact.left_sbx = when
    contact.left_reason = reason
    db.session.flush()
    action_log.record(
        ctx,
        "contact.left",
        "contact",
        contact.id,
        before={"left_sbx": None},
        after={"left_sbx": when, "left_reason": reason},
        sandbox_time=when,
    )
    return contact
