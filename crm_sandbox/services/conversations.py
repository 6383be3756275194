"""Conversations with customers who answer back: the learner sends a message that says what
it is for (its purpose), what it is about and any promise it makes; the customer's messages
come from the simulated customer (`services/customers/`) or a scenario event, never from the
learner. Whether a contact was reactive or proactive follows from who started the thread.

The structured content of a message lives in `Interaction.details`:

- ask_needs (outbound):          {"topic": NeedType, "kind": Questioning}
- confirm_needs (outbound):      {"needs": [need id, ...], "preferences": [preference id, ...]}
- propose_resolution (outbound): {"remedy": {"type": RemedyType, "amount": "44.94" | None,
                                             "by": "2026-03-11" | None}}
- propose_standard (outbound):    {"standard_id": id, "terms": the standard's terms as
                                  proposed (standards.terms), "problems": why it cannot be
                                  measured as written (empty when it can)}
- a customer's answer (inbound, `answer_kind` set):
    answer        {"revealed": [{"type", "value", "as": "need" | "preference"}]}
    needs_reply   {"confirmed": [need id], "corrected": [{"need_id", "is": "preference" |
                   "need", "value"}], "added": [{"type", "value", "as"}]}
    accepts / rejects   {"remedy": {...}, "reason": "..."}
    satisfied / not_satisfied  {"complaint_id": id}
    chase / escalation / leaving / complaint   {"promise_of": interaction id | None}
    agrees_standard / queries_standard  {"standard_id", "terms" (as proposed), "reason"}

Every message is an `interaction.logged` entry in the action log, the customer's with the
customer as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from ..models import (
    AnswerKind,
    Category,
    Channel,
    Complaint,
    Contact,
    Direction,
    Initiative,
    Interaction,
    Need,
    NeedType,
    Order,
    Preference,
    Purpose,
    Questioning,
    ServiceStandard,
    Survey,
    db,
)
from . import action_log, interactions, validation
from .contacts.needs import mark_confirmed
from .context import SandboxContext
from .customers.persona import REMEDY_LABELS
from .errors import ServiceError
from .together import columns_of, rows

SUMMARY_MAX = 2000
PROMISE_HORIZON = timedelta(days=366)
INTERNAL_PURPOSES = {Purpose.INTERNAL_REQUEST, Purpose.INTERNAL_REPLY}


def snapshot(interaction: Interaction) -> dict:
    """What the action log keeps of a message: the interaction's recorded fields
    (`interactions.snapshot`) and the conversation's."""
    return {
        **interactions.snapshot(interaction),
        "purpose": interaction.purpose,
        "answer_kind": interaction.answer_kind,
        "complaint_id": interaction.complaint_id,
        "standard_id": interaction.standard_id,
        "survey_id": interaction.survey_id,
        "thread_id": interaction.thread_id,
        "in_reply_to_id": interaction.in_reply_to_id,
        "promise_by": interaction.promise_by,
        "details": interaction.details,
    }


def _require_contactable(contact: Contact) -> None:
    if contact.merged_into_id is not None:
        raise ServiceError("This record was merged into another one; contact them there.")


def _thread_of(ctx: SandboxContext, contact: Contact, in_reply_to, complaint) -> tuple:
    """(thread id, who started it: "customer" or "us") for a new message. A reply joins the
    thread of what it answers; a message about a complaint joins the complaint's thread (the
    customer started it by complaining); anything else starts a new thread."""
    if in_reply_to is not None:
        if in_reply_to.contact_id != contact.id:
            raise ServiceError("A reply goes to the customer who sent the message.", "in_reply_to")
        head_id = in_reply_to.thread_id or in_reply_to.id
        head = in_reply_to if head_id == in_reply_to.id else ctx.get(Interaction, head_id)
        # a complaint's thread was started by the customer complaining, even when its first
        # message is our acknowledgement
        started_by_customer = (
            head.direction == Direction.INBOUND.value or head.complaint_id is not None
        )
        return head_id, "customer" if started_by_customer else "us"
    if complaint is not None:
        first = db.session.scalar(
            select(Interaction)
            .where(
                Interaction.sandbox_id == ctx.sandbox_id,
                Interaction.complaint_id == complaint.id,
            )
            .order_by(Interaction.occurred_at, Interaction.id)
            .limit(1)
        )
        if first is not None:
            head_id = first.thread_id or first.id
            return head_id, "customer"
        return None, "customer"  # the complaint itself was the customer's first word
    return None, "us"


def _money(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        raise ServiceError("Give the amount in pounds, for example 44.94.", field) from None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        raise ServiceError("Give an amount between £0 and £1,000,000.", field)
    return f"{amount.quantize(Decimal('0.01'))}"


def _ids(values, field: str) -> list[int]:
    try:
        return [int(i) for i in values or []]
    except (TypeError, ValueError):
        raise ServiceError("Choose the needs and preferences from the record.", field) from None


def _details(ctx: SandboxContext, contact: Contact, purpose: Purpose, data: dict) -> dict | None:
    """The structured content a message of this purpose carries, validated."""
    if purpose is Purpose.ASK_NEEDS:
        topic = validation.choice(
            data.get("topic") or "other", NeedType, "What you ask about", field="topic"
        )
        kind = validation.choice(data.get("kind"), Questioning, "Kind of question", field="kind")
        return {"topic": topic.value, "kind": kind.value}
    if purpose is Purpose.CONFIRM_NEEDS:
        need_ids = _ids(data.get("needs"), "needs")
        pref_ids = _ids(data.get("preferences"), "preferences")
        own_needs = {n.id for n in contact.needs}
        own_prefs = {p.id for p in contact.preferences}
        if not need_ids and not pref_ids:
            raise ServiceError(
                "Choose the needs (and preferences) you are summarising back to the customer.",
                "needs",
            )
        if set(need_ids) - own_needs or set(pref_ids) - own_prefs:
            raise ServiceError("Summarise this customer's own needs and preferences.", "needs")
        return {"needs": sorted(set(need_ids)), "preferences": sorted(set(pref_ids))}
    if purpose is Purpose.PROPOSE_STANDARD:
        from .standards import measurability_problems, terms

        if data.get("standard_id") in (None, ""):
            raise ServiceError("Choose the service standard you are proposing.", "standard_id")
        standard = ctx.get(ServiceStandard, data["standard_id"])
        return {
            "standard_id": standard.id,
            "terms": terms(standard),
            "problems": measurability_problems(standard),
        }
    if purpose is Purpose.PROPOSE_RESOLUTION:
        remedy = data.get("remedy") or {}
        kind = remedy.get("type")
        if kind not in REMEDY_LABELS:
            raise ServiceError("Choose the remedy you are proposing.", "remedy_type")
        by = remedy.get("by")
        if by not in (None, "") and not isinstance(by, date):
            raise ServiceError("Give the date the remedy happens by as a date.", "remedy_by")
        if isinstance(by, date) and by < ctx.now().date():
            raise ServiceError("A remedy cannot happen in the past (sandbox time).", "remedy_by")
        return {
            "remedy": {
                "type": kind,
                "amount": _money(remedy.get("amount"), "remedy_amount"),
                "by": by.isoformat() if isinstance(by, date) else None,
            }
        }
    return None


def send_message(ctx: SandboxContext, contact: Contact, data: dict) -> Interaction:
    """Send a customer a message (a call, an email, a letter ...) that says what it is for.

    `data`: channel, purpose, summary (the words), outcome (optional), complaint (a Complaint
    it is about), standard_id, survey_id, in_reply_to (the Interaction it answers),
    promise_by (a sandbox datetime: "I will call you by 17:00"), and per purpose: topic and
    kind (ask_needs), needs and preferences (ids, confirm_needs), remedy (propose_resolution).
    """
    ctx.require_writable()
    _require_contactable(contact)
    channel = validation.choice(data.get("channel"), Channel, "Channel", field="channel")
    purpose = validation.choice(
        data.get("purpose"), Purpose, "What the message is for", field="purpose"
    )
    summary = validation.text(
        data.get("summary"), "Message", SUMMARY_MAX, required=True, field="summary"
    )
    outcome = validation.text(data.get("outcome"), "Outcome", 500, field="outcome")
    complaint = data.get("complaint")
    if complaint is not None and complaint.contact_id != contact.id:
        raise ServiceError("That complaint is another customer's.", "complaint")
    if purpose in {Purpose.ACKNOWLEDGE, Purpose.UPDATE} and complaint is None:
        raise ServiceError("Say which complaint the message is about.", "complaint")
    internal = contact.category == Category.INTERNAL.value
    if purpose in INTERNAL_PURPOSES and not internal:
        raise ServiceError(
            "Internal requests and replies go to internal customers (colleagues and departments).",
            "purpose",
        )
    now = ctx.now()
    promise_by = data.get("promise_by")
    if promise_by is not None:
        if not isinstance(promise_by, datetime):
            raise ServiceError("Give the promised time as a date and time.", "promise_by")
        if promise_by <= now:
            raise ServiceError(
                "A promise is for a time still to come (sandbox time).", "promise_by"
            )
        if promise_by > now + PROMISE_HORIZON:
            raise ServiceError("A promise must fall within a year.", "promise_by")
    in_reply_to = data.get("in_reply_to")
    thread_id, started_by = _thread_of(ctx, contact, in_reply_to, complaint)
    details = _details(ctx, contact, purpose, data)
    standard_id = data.get("standard_id")
    if standard_id is not None:
        ctx.get(ServiceStandard, standard_id)  # refuses another sandbox's
    survey_id = data.get("survey_id")
    if survey_id is not None:
        ctx.get(Survey, survey_id)
    details = _with_order(ctx, contact, purpose, details, data.get("order"))
    interaction = Interaction(
        sandbox_id=ctx.sandbox_id,
        contact_id=contact.id,
        channel=channel.value,
        direction=Direction.OUTBOUND.value,
        initiative=(
            Initiative.REACTIVE.value if started_by == "customer" else Initiative.PROACTIVE.value
        ),
        purpose=purpose.value,
        summary=summary,
        outcome=outcome,
        occurred_at=now,
        recorded_by=ctx.actor.name if ctx.actor is not None else "System",
        complaint_id=complaint.id if complaint is not None else None,
        standard_id=standard_id,
        survey_id=survey_id,
        in_reply_to_id=in_reply_to.id if in_reply_to is not None else None,
        thread_id=thread_id,
        promise_by=promise_by,
        details=details,
    )
    db.session.add(interaction)
    db.session.flush()
    if interaction.thread_id is None:
        interaction.thread_id = interaction.id
    from . import customers  # the simulated customer decides when they next act on it

    interaction.customer_due_at = customers.next_due(ctx, contact, interaction)
    db.session.flush()
    # The consent the customer had given, by channel, at the moment of contact: what the
    # consent checks read, so recording consent afterwards cannot cure a contact.
    action_log.record(
        ctx,
        "interaction.logged",
        "interaction",
        interaction.id,
        after={**snapshot(interaction), "consent": contact.consents()},
    )
    return interaction


def _with_order(ctx, contact: Contact, purpose: Purpose, details, order) -> dict | None:
    """The message's details with the order it is about (`order_id`), if any."""
    order = _order_of(ctx, contact, order)
    if order is None:
        return details
    if purpose in INTERNAL_PURPOSES:
        raise ServiceError("Orders belong to external customers.", "order")
    return {**(details or {}), "order_id": order.id}


def _order_of(ctx: SandboxContext, contact: Contact, order) -> Order | None:
    """The order (booking, renewal) a message is about: one of this customer's, already
    placed."""
    if order in (None, ""):
        return None
    if not isinstance(order, Order):
        try:
            order = ctx.get(Order, int(order))
        except (TypeError, ValueError):
            raise ServiceError("Choose the order from the customer's orders.", "order") from None
    if order.contact_id != contact.id:
        raise ServiceError("That order is another customer's.", "order")
    if order.placed_on > ctx.now().date():
        raise ServiceError("That order has not been placed yet (sandbox time).", "order")
    return order


def consent_warning(contact: Contact, channel: str, purpose: str) -> str:
    """A warning for the message form (never a refusal: the learner decides, and the checks
    judge): a marketing message on a channel the customer has not consented to."""
    if purpose != Purpose.MARKETING.value or contact.category == Category.INTERNAL.value:
        return ""
    try:
        field = Channel(channel).consent_field
    except ValueError:
        return ""
    if channel == Channel.MEETING.value:
        return ""
    if field is None:
        return (
            "The CRM records no consent for marketing on this channel: the data protection "
            "policy allows offers only on channels the customer agreed to."
        )
    if not getattr(contact, f"consent_{field}", False):
        by = Channel(channel).label.lower()
        return (
            f"{contact.display_name} has not consented to marketing by {by} on their record. "
            "Check the data protection policy before you send an offer."
        )
    return ""


def receive_message(
    ctx: SandboxContext,
    contact: Contact,
    *,
    answer_kind: str,
    channel: str,
    summary: str,
    occurred_at: datetime,
    in_reply_to: Interaction | None = None,
    complaint_id: int | None = None,
    details: dict | None = None,
    standard_id: int | None = None,
) -> Interaction:
    """A message from the customer (the simulated customer, or a scenario event): an inbound
    interaction on their timeline, in the thread of what it answers, logged with `ctx`'s
    actor (the customer)."""
    kind = AnswerKind(answer_kind)
    thread_id = None
    if in_reply_to is not None:
        thread_id = in_reply_to.thread_id or in_reply_to.id
        complaint_id = complaint_id or in_reply_to.complaint_id
    interaction = Interaction(
        sandbox_id=ctx.sandbox_id,
        contact_id=contact.id,
        channel=Channel(channel).value,
        direction=Direction.INBOUND.value,
        initiative=Initiative.REACTIVE.value,
        answer_kind=kind.value,
        summary=summary[:SUMMARY_MAX],
        outcome="",
        occurred_at=occurred_at,
        recorded_by=contact.display_name[:120],
        complaint_id=complaint_id,
        standard_id=standard_id,
        in_reply_to_id=in_reply_to.id if in_reply_to is not None else None,
        thread_id=thread_id,
        details=details,
    )
    db.session.add(interaction)
    db.session.flush()
    if interaction.thread_id is None:
        interaction.thread_id = interaction.id
        db.session.flush()
    action_log.record(
        ctx,
        "interaction.logged",
        "interaction",
        interaction.id,
        after=snapshot(interaction),
        sandbox_time=occurred_at,
    )
    return interaction


def confirm_need_by_reply(ctx: SandboxContext, need: Need, reply: Interaction) -> Need:
    """Mark a need confirmed by pointing at the customer's reply that confirmed it: the only
    way a need becomes confirmed (the learner cannot tick it)."""
    ctx.require_writable()
    if need.confirmed:
        raise ServiceError("This need is already confirmed.")
    confirmed = (reply.details or {}).get("confirmed") or []
    if (
        reply.direction != Direction.INBOUND.value
        or reply.answer_kind != AnswerKind.NEEDS_REPLY.value
        or reply.contact_id != need.contact_id
        or need.id not in confirmed
    ):
        raise ServiceError(
            "A need is confirmed by the customer's reply to your summary of their needs; "
            "that reply does not confirm this need.",
            "reply",
        )
    method = "in_writing" if reply.channel in ("email", "letter") else "asked_back"
    return mark_confirmed(ctx, need, method, reply)


# --- What the learner sees: threads, replies waiting, promises falling due ---------------


@dataclass
class Thread:
    head: Interaction
    messages: list[Interaction]  # oldest first
    awaiting_until: datetime | None  # an answer the customer owes, expected by then
    promise_due: datetime | None  # a promise we made that is still open

    @property
    def last(self) -> Interaction:
        return self.messages[-1]

    @property
    def started_by_customer(self) -> bool:
        return self.head.direction == Direction.INBOUND.value


THREAD_ORDER = (Interaction.occurred_at, Interaction.id)


def threads_query(ctx: SandboxContext, contact_id=None, complaint_id=None) -> Select:
    """The messages `threads` groups (of `Interaction`: `with_only_columns` for plain rows),
    oldest first."""
    return threads_select(ctx.sandbox_id, ctx.now(), contact_id, complaint_id)


def threads_select(sandbox_id, now, contact_id=None, complaint_id=None) -> Select:
    """`threads_query` of these values, each a plain value or a `bindparam` (a page's reads
    prepared once, `together.prepared`)."""
    query = select(Interaction).where(
        Interaction.sandbox_id == sandbox_id, Interaction.occurred_at <= now
    )
    if contact_id is not None:
        query = query.where(Interaction.contact_id == contact_id)
    if complaint_id is not None:
        query = query.where(Interaction.complaint_id == complaint_id)
    return query.order_by(*THREAD_ORDER)


def threads_read(sandbox_id, now, contact_id=None, complaint_id=None):
    """The messages `threads` groups as a read of a page's combined statement
    (`together.rows`: every column, oldest first), for `group_threads`."""
    return rows(
        threads_select(sandbox_id, now, contact_id, complaint_id).with_only_columns(
            *columns_of(Interaction)
        ),
        order_by=THREAD_ORDER,
    )


def threads(
    ctx: SandboxContext, contact: Contact | None = None, complaint: Complaint | None = None
) -> list[Thread]:
    """The conversations with a contact (or about a complaint), newest activity first. Only
    messages up to sandbox now are shown (the customer's reply lands when it is due)."""
    query = threads_query(
        ctx,
        contact_id=contact.id if contact is not None else None,
        complaint_id=complaint.id if complaint is not None else None,
    )
    return group_threads(db.session.scalars(query))


def group_threads(messages) -> list[Thread]:
    """Messages (Interactions, or plain rows of all their columns), oldest first, as
    conversations, newest activity first."""
    groups: dict[int, list[Interaction]] = {}
    for message in messages:
        groups.setdefault(message.thread_id or message.id, []).append(message)
    out = []
    for messages in groups.values():
        awaiting = None
        promise = None
        answered = {m.in_reply_to_id for m in messages if m.in_reply_to_id is not None}
        for m in messages:
            if m.direction == Direction.OUTBOUND.value:
                if (
                    m.customer_due_at is not None
                    and m.purpose
                    and Purpose(m.purpose).expects_answer
                    and m.id not in answered  # once answered, a due time left is a promise's
                ):
                    awaiting = m.customer_due_at
                if m.promise_by is not None and not _promise_kept(messages, m):
                    promise = m.promise_by
        out.append(Thread(messages[0], messages, awaiting, promise))
    out.sort(key=lambda t: (t.last.occurred_at, t.last.id), reverse=True)
    return out


def _promise_kept(messages: list[Interaction], promise: Interaction) -> bool:
    return any(
        m.direction == Direction.OUTBOUND.value
        # sent after the promise (later, or in the same minute but after it), by its time
        and (m.occurred_at, m.id) > (promise.occurred_at, promise.id)
        and m.occurred_at <= promise.promise_by
        for m in messages
    )


def replies_waiting_query(ctx: SandboxContext, limit: int = 10) -> Select:
    """The select of `replies_waiting` (of `Interaction`: `with_only_columns` for a page's
    plain rows)."""
    return replies_waiting_select(ctx.sandbox_id, ctx.now(), ctx.clock_start, limit)


def replies_waiting_select(sandbox_id, now, clock_start, limit: int = 10) -> Select:
    """`replies_waiting_query` of these values, each a plain value or a `bindparam`."""
    sent = aliased(Interaction)
    return (
        select(Interaction)
        .where(
            Interaction.sandbox_id == sandbox_id,
            Interaction.direction == Direction.INBOUND.value,
            Interaction.answer_kind.is_not(None),
            Interaction.occurred_at <= now,
            Interaction.occurred_at >= clock_start,
            # answered: something was sent to that customer since
            ~select(sent.id)
            .where(
                sent.sandbox_id == sandbox_id,
                sent.sandbox_id == Interaction.sandbox_id,
                sent.contact_id == Interaction.contact_id,
                sent.direction == Direction.OUTBOUND.value,
                sent.occurred_at >= Interaction.occurred_at,
            )
            .exists(),
        )
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )


def replies_waiting(ctx: SandboxContext, limit: int = 10) -> list[Interaction]:
    """Customers' messages the learner has not answered yet (nothing sent to that customer
    since), newest first."""
    return list(db.session.scalars(replies_waiting_query(ctx, limit)))


# How many hours ahead promises falling due are listed (the dashboard's).
PROMISE_HOURS_SHOWN = 24


def promises_due_query(ctx: SandboxContext, within_hours: int = PROMISE_HOURS_SHOWN) -> Select:
    """The select of `promises_due` (of `Interaction`: `with_only_columns` for plain rows)."""
    now = ctx.now()
    return promises_due_select(ctx.sandbox_id, now, now + timedelta(hours=within_hours))


def promises_due_select(sandbox_id, now, until) -> Select:
    """`promises_due_query` of these values (`until`: the latest promised time listed), each
    a plain value or a `bindparam`."""
    sent = aliased(Interaction)
    return (
        select(Interaction)
        .where(
            Interaction.sandbox_id == sandbox_id,
            Interaction.promise_by.is_not(None),
            Interaction.promise_by <= until,
            or_(Interaction.customer_due_at.is_not(None), Interaction.promise_by >= now),
            # kept: any other message sent to the customer after it, before it fell due
            ~select(sent.id)
            .where(
                sent.sandbox_id == sandbox_id,
                *interactions.sent_after(sent, Interaction, Interaction.promise_by),
            )
            .exists(),
        )
        .order_by(Interaction.promise_by)
    )


def promises_due(ctx: SandboxContext, within_hours: int = PROMISE_HOURS_SHOWN) -> list[Interaction]:
    """Promises the learner made that are still open and fall due within `within_hours`
    (or are already broken), soonest first."""
    return list(db.session.scalars(promises_due_query(ctx, within_hours)))


def preference_or_need(kind: str):
    """The model a persona's item is recorded as: Need or Preference."""
    return Need if kind == "need" else Preference
