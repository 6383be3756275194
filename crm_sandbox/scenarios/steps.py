"""Step types for model answers and mistake walk-throughs: each drives one service function,
exactly as a learner's click would. Scenario files name them; they can never run code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..models import (
    AnswerKind,
    Complaint,
    Contact,
    Direction,
    Finding,
    ImprovementAction,
    Interaction,
    Need,
    Order,
    Preference,
    ServiceStandard,
    Survey,
    db,
)
from ..models.interactions import ANSWERS_TO_US
from ..services import (
    clock,
    complaints,
    contacts,
    conversations,
    feedback,
    interactions,
    sandbox_clock,
    standards,
)
from ..services.errors import ServiceError


@dataclass(frozen=True)
class StepType:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    run: Callable

    def validate(self, params: dict) -> list[str]:
        missing = [p for p in self.required if p not in params]
        unknown = [p for p in params if p not in self.required + self.optional]
        problems = [f"step '{self.name}' needs '{p}'" for p in missing]
        problems += [f"step '{self.name}' has no parameter '{p}'" for p in unknown]
        return problems


STEPS: dict[str, StepType] = {}


def step(name: str, required=(), optional=()):
    def decorate(func):
        STEPS[name] = StepType(name, tuple(required), tuple(optional), func)
        return func

    return decorate


class Runner:
    """Carries out steps in one sandbox, remembering the objects they name by key."""

    def __init__(self, ctx, keys: dict[str, dict[str, int]], after_step=None):
        self.ctx = ctx
        self.keys = {kind: dict(v) for kind, v in keys.items()}
        self.after_step = after_step

    def obj(self, model, kind: str, key: str):
        object_id = self.keys.get(kind, {}).get(key)
        if object_id is None:
            raise KeyError(f"no {kind[:-1]} called {key!r} in this scenario")
        return self.ctx.get(model, object_id)

    def remember(self, kind: str, key: str | None, obj) -> None:
        if key:
            self.keys.setdefault(kind, {})[key] = obj.id

    def run(self, spec) -> None:
        params = dict(spec.model_extra)
        STEPS[spec.do].run(self, **params)
        if self.after_step is not None:
            self.after_step()


def _contact(r: Runner, key):
    return r.obj(Contact, "contacts", key)


@step("classify", ["contact", "category"])
def _classify(r, contact, category):
    contacts.classify_contact(r.ctx, _contact(r, contact), category)


@step("update_contact", ["contact", "fields"])
def _update(r, contact, fields):
    contacts.update_contact(r.ctx, _contact(r, contact), dict(fields))


@step("create_contact", ["key", "fields"])
def _create(r, key, fields):
    r.remember("contacts", key, contacts.create_contact(r.ctx, dict(fields)))


@step("record_need", ["contact", "description"], ["type", "key"])
def _need(r, contact, description, type=None, key=None):  # noqa: A002 - the YAML's word
    made = contacts.add_need(r.ctx, _contact(r, contact), description, type)
    r.remember("needs", key, made)


@step("confirm_need", ["need"], ["method"])
def _confirm(r, need, method=None):
    """Confirm a need by pointing at the customer's latest reply to a needs summary that
    confirms it (`method` is ignored: the reply's channel says how). Fails loudly when no such
    reply has arrived: the model answer must wait for it."""
    _land_replies(r)
    record = r.obj(Need, "needs", need)
    replies = _customer_messages(r, record.contact_id, AnswerKind.NEEDS_REPLY)
    reply = next(
        (m for m in replies if record.id in ((m.details or {}).get("confirmed") or [])), None
    )
    if reply is None:
        raise ServiceError(
            f"step confirm_need: no reply from the customer confirms the need {need!r} yet "
            "(summarise the needs back to them, then wait for their reply)."
        )
    conversations.confirm_need_by_reply(r.ctx, record, reply)


@step("record_preference", ["contact", "description"], ["type", "key"])
def _pref(r, contact, description, type=None, key=None):  # noqa: A002 - the YAML's word
    made = contacts.add_preference(r.ctx, _contact(r, contact), description, type)
    r.remember("preferences", key, made)


@step("set_consent", ["contact", "consent"])
def _consent(r, contact, consent):
    contacts.set_consent(r.ctx, _contact(r, contact), dict(consent))


@step("mark_accurate", ["contact"])
def _accurate(r, contact):
    contacts.mark_accuracy_checked(r.ctx, _contact(r, contact))


@step("merge", ["keep", "duplicate"])
def _merge(r, keep, duplicate):
    contacts.merge_contacts(r.ctx, _contact(r, keep), _contact(r, duplicate))


@step(
    "log_interaction",
    ["contact", "channel", "direction", "summary"],
    ["initiative", "outcome", "follow_up_days", "key"],
)
def _log(
    r,
    contact,
    channel,
    direction,
    summary,
    initiative=None,
    outcome="",
    follow_up_days=None,
    key=None,
):
    """An older step kept for scenarios that log a contact directly. `initiative` is ignored:
    it follows from the data (an outbound contact answering the customer's unanswered message
    is reactive, one we start is proactive; an inbound one is reactive)."""
    person = _contact(r, contact)
    derived = "reactive"
    waiting = _last_unanswered(r, person.id)
    if direction == "outbound" and (waiting is None or waiting.answer_kind in ANSWERS_TO_US):
        derived = "proactive"
    follow = (r.ctx.now() + timedelta(days=follow_up_days)).date() if follow_up_days else None
    made = interactions.log_interaction(
        r.ctx,
        person,
        {
            "channel": channel,
            "direction": direction,
            "initiative": derived,
            "summary": summary,
            "outcome": outcome,
            "follow_up_on": follow,
        },
    )
    r.remember("interactions", key, made)


# --- Conversations: the learner's messages and the customer's replies ---------------------


def _land_replies(r) -> None:
    """Let every customer act whose reply is due by sandbox now (the engine's hook does this
    on every page; the replay's after_step too)."""
    from ..services import customers

    act = getattr(customers, "act_on_due", None)
    if act is not None:
        act(r.ctx)


def _customer_messages(r, contact_id: int, kind: AnswerKind | None = None, complaint_id=None):
    """The customer's messages up to sandbox now, newest first."""
    query = select(Interaction).where(
        Interaction.sandbox_id == r.ctx.sandbox_id,
        Interaction.contact_id == contact_id,
        Interaction.direction == Direction.INBOUND.value,
        Interaction.occurred_at <= r.ctx.now(),
    )
    if kind is not None:
        query = query.where(Interaction.answer_kind == kind.value)
    if complaint_id is not None:
        query = query.where(Interaction.complaint_id == complaint_id)
    return list(
        db.session.scalars(query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()))
    )


def _last_unanswered(r, contact_id: int):
    """The customer's latest message if nothing was sent to them since, else None."""
    latest = next(iter(_customer_messages(r, contact_id)), None)
    if latest is None:
        return None
    answered = db.session.scalar(
        select(Interaction.id)
        .where(
            Interaction.sandbox_id == r.ctx.sandbox_id,
            Interaction.contact_id == contact_id,
            Interaction.direction == Direction.OUTBOUND.value,
            Interaction.occurred_at >= latest.occurred_at,
            Interaction.id > latest.id,
        )
        .limit(1)
    )
    return None if answered is not None else latest


def _promise(r, promise_in_hours=None, promise_next_working_day=False):
    """The promised next-contact time: working hours from now, or by the end of the next
    working day."""
    calendar = r.ctx.calendar()
    if promise_in_hours:
        return calendar.add(r.ctx.now(), promise_in_hours, "working_hours")
    if promise_next_working_day:
        start = calendar.next_working_day_start(r.ctx.now())
        return calendar.add(start, 1, "working_days")
    return None


def _remedy(r, remedy: dict | None) -> dict | None:
    """A remedy in the YAML's shape ({type, amount?, by_working_days?}) as the services take
    it ({type, amount, by: date})."""
    if not remedy:
        return None
    days = remedy.get("by_working_days")
    by = None
    if days is not None:
        by = r.ctx.calendar().add(r.ctx.now(), days, "working_days").date()
    return {"type": remedy.get("type"), "amount": remedy.get("amount"), "by": by}


@step("ask", ["contact", "topic", "kind", "words"], ["channel", "key"])
def _ask(r, contact, topic, kind, words, channel="phone", key=None):
    made = conversations.send_message(
        r.ctx,
        _contact(r, contact),
        {
            "channel": channel,
            "purpose": "ask_needs",
            "summary": words,
            "topic": topic,
            "kind": kind,
        },
    )
    r.remember("interactions", key, made)


@step(
    "send",
    ["contact", "purpose", "words"],
    [
        "channel",
        "complaint",
        "promise_in_hours",
        "promise_next_working_day",
        "reply_to_last",
        "key",
        "order",
    ],
)
def _send_message(
    r,
    contact,
    purpose,
    words,
    channel="email",
    complaint=None,
    promise_in_hours=None,
    promise_next_working_day=False,
    reply_to_last=False,
    key=None,
    order=None,
):
    person = _contact(r, contact)
    in_reply_to = None
    if reply_to_last:
        _land_replies(r)
        in_reply_to = next(iter(_customer_messages(r, person.id)), None)
        if in_reply_to is None:
            raise ServiceError(f"step send: {contact!r} has sent no message to reply to yet.")
    made = conversations.send_message(
        r.ctx,
        person,
        {
            "channel": channel,
            "purpose": purpose,
            "summary": words,
            "complaint": _complaint(r, complaint) if complaint else None,
            "in_reply_to": in_reply_to,
            "promise_by": _promise(r, promise_in_hours, promise_next_working_day),
            "order": r.obj(Order, "orders", order) if order else None,
        },
    )
    r.remember("interactions", key, made)


@step("summarise_needs", ["contact", "words"], ["needs", "preferences", "channel", "key"])
def _summarise(r, contact, words, needs=None, preferences=None, channel="email", key=None):
    """Send the customer a summary of their needs (and preferences) to confirm: the recorded
    ones named by key, or all recorded for the contact when none are named."""
    person = _contact(r, contact)
    if needs is None and preferences is None:
        need_ids = [n.id for n in person.needs]
        pref_ids = [p.id for p in person.preferences]
    else:
        need_ids = [r.obj(Need, "needs", k).id for k in needs or []]
        pref_ids = [r.obj(Preference, "preferences", k).id for k in preferences or []]
    made = conversations.send_message(
        r.ctx,
        person,
        {
            "channel": channel,
            "purpose": "confirm_needs",
            "summary": words,
            "needs": need_ids,
            "preferences": pref_ids,
        },
    )
    r.remember("interactions", key, made)


@step("propose", ["complaint", "remedy", "words"], ["channel"])
def _propose(r, complaint, remedy, words, channel="email"):
    complaints.propose_resolution(
        r.ctx, _complaint(r, complaint), channel, words, _remedy(r, remedy)
    )


@step("ask_satisfied", ["complaint", "words"], ["channel"])
def _ask_satisfied(r, complaint, words, channel="phone"):
    complaints.ask_satisfied(r.ctx, _complaint(r, complaint), channel, words)


@step("wait", ["working_hours"])
def _wait_hours(r, working_hours):
    """The clock moves on by this much working time; what falls due on the way (scenario
    events, then the customers' replies) happens after the step, as after any step."""
    target = r.ctx.calendar().add(r.ctx.now(), working_hours, "working_hours")
    clock.set_sandbox_time(r.ctx.sandbox, target)
    if r.after_step is None:
        _land_replies(r)


@step("receive_complaint", ["key", "contact", "channel", "category", "description"], ["severity"])
def _receive(r, key, contact, channel, category, description, severity="medium"):
    made = complaints.receive_complaint(
        r.ctx,
        _contact(r, contact),
        {
            "channel": channel,
            "category": category,
            "description": description,
            "severity": severity,
        },
    )
    r.remember("complaints", key, made)


def _complaint(r, key):
    return r.obj(Complaint, "complaints", key)


@step(
    "acknowledge",
    ["complaint", "channel", "message"],
    ["promise_in_hours", "promise_next_working_day"],
)
def _ack(r, complaint, channel, message, promise_in_hours=None, promise_next_working_day=False):
    """The promise (as `send`'s) is the acknowledgement's "next contact by"."""
    complaints.acknowledge(
        r.ctx,
        _complaint(r, complaint),
        channel,
        message,
        promise_by=_promise(r, promise_in_hours, promise_next_working_day),
    )


@step("investigate", ["complaint"], ["note"])
def _investigate(r, complaint, note=""):
    complaints.start_investigation(r.ctx, _complaint(r, complaint), note)


@step("wait_for_customer", ["complaint", "note"])
def _wait(r, complaint, note):
    complaints.wait_for_customer(r.ctx, _complaint(r, complaint), note)


@step("customer_replied", ["complaint"], ["note"])
def _replied(r, complaint, note=""):
    complaints.customer_replied(r.ctx, _complaint(r, complaint), note)


@step("resolve", ["complaint", "resolution", "channel", "message"], ["remedy", "policy"])
def _resolve(r, complaint, resolution, channel, message, remedy=None, policy=None):
    """`policy`: the reference of the organisation's rule that decides it ("returns.2": the
    2nd rule of the returns policy as numbered under Organisation & policies)."""
    complaints.resolve(
        r.ctx,
        _complaint(r, complaint),
        resolution,
        channel,
        message,
        remedy=_remedy(r, remedy),
        policy_rule=policy,
    )


@step(
    "close",
    ["complaint", "root_cause", "lessons"],
    ["confirmed", "note", "judgement", "lesson_policy", "lesson_change"],
)
def _close(
    r,
    complaint,
    root_cause,
    lessons,
    confirmed=False,
    note="",
    judgement="",
    lesson_policy=None,
    lesson_change=None,
):
    """`confirmed: true` points at the customer's latest `satisfied` reply about the complaint
    (fails loudly when there is none: ask them, then wait); `confirmed: false` closes
    unconfirmed with the judgement. `lesson_policy` names the policy or procedure the lesson
    changes (a key of the organisation's policies: `returns`, `complaints` ...) and
    `lesson_change` how (`train_staff`, `change_process`, `change_policy`)."""
    record = _complaint(r, complaint)
    reply = None
    if confirmed:
        _land_replies(r)
        reply = next(
            iter(_customer_messages(r, record.contact_id, AnswerKind.SATISFIED, record.id)),
            None,
        )
        if reply is None:
            raise ServiceError(
                f"step close: the customer has not said they are satisfied with {complaint!r} "
                "(ask them, then wait for their reply)."
            )
    complaints.close(
        r.ctx,
        record,
        satisfaction_reply=reply,
        confirmation_note=note,
        root_cause=root_cause,
        lessons_learned=lessons,
        judgement_note=judgement,
        lessons_policy=lesson_policy,
        lessons_change=lesson_change,
    )


@step("escalate", ["complaint", "reason"], ["rule", "amount"])
def _escalate(r, complaint, reason, rule=None, amount=None):
    """`rule`: the number of the procedure's reason for escalating (its `escalate_when`, from
    1); `reason`: the learner's own words; `amount`: the refund or compensation the customer
    asked for, when that is the reason."""
    complaints.escalate(r.ctx, _complaint(r, complaint), reason, rule=rule, amount=amount)


@step("send_update", ["complaint", "channel", "message"])
def _update_customer(r, complaint, channel, message):
    complaints.send_update(r.ctx, _complaint(r, complaint), channel, message)


@step("request_satisfaction", ["complaint"])
def _satisfaction(r, complaint):
    complaints.request_satisfaction(r.ctx, _complaint(r, complaint))


@step("advance", [], ["working_hours", "next_working_day"])
def _advance(r, working_hours=None, next_working_day=False):
    if next_working_day:
        sandbox_clock.advance_to_next_working_day(r.ctx)
    if working_hours:
        target = r.ctx.calendar().add(r.ctx.now(), working_hours, "working_hours")
        clock.set_sandbox_time(r.ctx.sandbox, target)


@step(
    "create_standard",
    ["key", "title", "measure"],
    [
        "threshold",
        "threshold_unit",
        "target_percent",
        "period",
        "description",
        "agreed_with",
        "method",
    ],
)
def _standard(r, key, **fields):
    r.remember("standards", key, standards.create_standard(r.ctx, fields))


@step("agree_standard", ["standard"], ["agreed_with", "contact", "from_reply"])
def _agree(r, standard, agreed_with="", contact=None, from_reply=False):
    """Record who agreed a standard. `from_reply: true` points at the customer's latest reply
    agreeing the standard as it stands (from `contact`, if named) and fails loudly when none
    has come: propose it (`propose_standard`) and `wait` first. Without it, the agreement is
    recorded on the learner's word (what a learner does when they tick it off)."""
    record = r.obj(ServiceStandard, "standards", standard)
    contact_id = r.keys["contacts"][contact] if contact else None
    reply = None
    if from_reply:
        _land_replies(r)
        query = select(Interaction).where(
            Interaction.sandbox_id == r.ctx.sandbox_id,
            Interaction.standard_id == record.id,
            Interaction.direction == Direction.INBOUND.value,
            Interaction.answer_kind == AnswerKind.AGREES_STANDARD.value,
            Interaction.occurred_at <= r.ctx.now(),
        )
        if contact_id is not None:
            query = query.where(Interaction.contact_id == contact_id)
        reply = db.session.scalar(
            query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)
        )
        if reply is None:
            raise ServiceError(
                f"step agree_standard: no reply agreeing the standard {standard!r} has come yet "
                "(propose it to the customer, then wait for their reply)."
            )
    standards.agree_standard(r.ctx, record, agreed_with or "", contact_id, reply=reply)


@step(
    "standard_finding",
    ["standard", "text"],
    ["days", "period_from", "period_to", "value", "cases", "breaches", "from_crm"],
)
def _standard_finding(
    r,
    standard,
    text,
    days=90,
    period_from=None,
    period_to=None,
    value=None,
    cases=None,
    breaches=None,
    from_crm=False,
):
    """A monitoring finding for a period: `period_from`/`period_to` (dates), or the last
    `days` days up to today (90, the monitoring page's default); the figures stated
    (`value` in the standard's unit, `cases`, `breaches`) or `from_crm: true`."""
    s = r.obj(ServiceStandard, "standards", standard)
    today = r.ctx.now().date()
    end = _as_date(period_to) or today
    start = _as_date(period_from) or end - timedelta(days=int(days))
    standards.add_finding(
        r.ctx,
        s,
        text,
        start,
        end,
        value=value,
        cases=cases,
        breaches=breaches,
        from_crm=bool(from_crm),
    )


def _as_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@step("create_survey", ["key", "title", "method", "questions"], ["purpose"])
def _survey(r, key, title, method, questions, purpose=""):
    survey = feedback.create_survey(r.ctx, {"title": title, "method": method, "purpose": purpose})
    for q in questions:
        feedback.add_question(r.ctx, survey, q["kind"], q["text"], q.get("options"))
    r.remember("surveys", key, survey)


@step("send_survey", ["survey", "category"], ["segment", "days_open"])
def _send(r, survey, category, segment="", days_open=10):
    feedback.send_survey(r.ctx, r.obj(Survey, "surveys", survey), category, segment, days_open)


@step("record_response", ["survey", "answers"], ["contact"])
def _response(r, survey, answers, contact=None):
    s = r.obj(Survey, "surveys", survey)
    values = {q.id: answers[i] for i, q in enumerate(s.questions) if i < len(answers)}
    feedback.record_response(r.ctx, s, values, _contact(r, contact) if contact else None)


@step(
    "finding",
    ["key", "survey", "text"],
    ["question", "segment", "theme", "measure", "figure", "option"],
)
def _finding(
    r, key, survey, text, question=None, segment="", theme="", measure="", figure=None, option=""
):
    """A finding citing its data; `measure` (a figure the analysis computes: responses,
    response_rate, average, percent_yes, recommend_score, percent_choosing, theme_comments) and
    `figure` (the number stated) are checked against the CRM's figure."""
    s = r.obj(Survey, "surveys", survey)
    question_id = s.questions[question - 1].id if question else None
    made = feedback.add_finding(
        r.ctx,
        s,
        text,
        question_id=question_id,
        segment=segment,
        theme=theme,
        measure=measure,
        figure=figure,
        option=option,
    )
    r.remember("findings", key, made)


def _tracks(r, tracks) -> dict:
    """The step's `tracks` (finding, standard, or {survey, question, figure, segment, option,
    theme}) as the service's form fields."""
    if isinstance(tracks, dict):
        s = r.obj(Survey, "surveys", tracks["survey"])
        return {
            "tracks": "question",
            "measure_question_id": s.questions[tracks["question"] - 1].id,
            "measure_figure": tracks.get("figure", ""),
            "measure_segment": tracks.get("segment", ""),
            "measure_option": tracks.get("option", ""),
            "measure_theme": tracks.get("theme", ""),
        }
    return {"tracks": tracks or ""}


@step(
    "improvement",
    ["key", "finding", "description", "owner", "measure"],
    ["due_in_days", "standard", "process", "baseline", "tracks", "aim"],
)
def _improve(
    r,
    key,
    finding,
    description,
    owner,
    measure,
    due_in_days=14,
    standard=None,
    process="",
    baseline=None,
    tracks=None,
    aim=None,
):
    """An improvement action; `tracks` is what the CRM measures it by (the finding's figure,
    the standard's compliance, or another figure from a collection) and `aim` up or down."""
    made = feedback.add_action(
        r.ctx,
        r.obj(Finding, "findings", finding),
        {
            "description": description,
            "owner": owner,
            "due_on": (r.ctx.now() + timedelta(days=due_in_days)).date(),
            "standard_id": r.keys["standards"][standard] if standard else None,
            "process_changed": process,
            "success_measure": measure,
            "baseline": baseline,
            "aim": aim,
            **_tracks(r, tracks),
        },
    )
    r.remember("improvements", key, made)


@step("complete_improvement", ["improvement"])
def _complete(r, improvement):
    feedback.complete_action(r.ctx, r.obj(ImprovementAction, "improvements", improvement))


@step("evaluate_improvement", ["improvement", "outcome", "evaluation"], ["result"])
def _evaluate(r, improvement, outcome, evaluation, result=None):
    feedback.evaluate_action(
        r.ctx, r.obj(ImprovementAction, "improvements", improvement), result, evaluation, outcome
    )


@step("propose_standard", ["standard", "contact", "words"], ["channel", "reply_to_last", "key"])
def _propose_standard(r, standard, contact, words, channel="email", reply_to_last=False, key=None):
    """Propose a service standard to a customer (purpose propose_standard): the message
    carries the standard's terms as they stand; the customer answers whether they agree."""
    person = _contact(r, contact)
    in_reply_to = None
    if reply_to_last:
        _land_replies(r)
        in_reply_to = next(iter(_customer_messages(r, person.id)), None)
    made = conversations.send_message(
        r.ctx,
        person,
        {
            "channel": channel,
            "purpose": "propose_standard",
            "summary": words,
            "standard_id": r.obj(ServiceStandard, "standards", standard).id,
            "in_reply_to": in_reply_to,
        },
    )
    r.remember("interactions", key, made)


@step("update_standard", ["standard", "fields"])
def _update_standard(r, standard, fields):
    """Change a standard (its wording, measure, numbers, method): an agreed standard goes
    back to draft, and an earlier agreement no longer counts."""
    record = r.obj(ServiceStandard, "standards", standard)
    data = {**standards.snapshot(record), "description": record.description}
    data.update(dict(fields))
    standards.update_standard(r.ctx, record, data)


@step("tell_customers", ["improvement", "channel", "words"], ["contacts"])
def _tell_customers(r, improvement, channel, words, contacts=None):
    """ "You said, we did": tell the customers whose feedback the improvement's finding rests
    on (or the named ones) what changed, on a channel they agreed to."""
    ids = [_contact(r, k).id for k in contacts] if contacts else None
    feedback.tell_customers(
        r.ctx, r.obj(ImprovementAction, "improvements", improvement), channel, words, ids
    )


@step("loyalty_finding", ["key", "text", "figures"], ["months", "lapsed_after_months"])
def _loyalty_finding(r, key, text, figures, months=12, lapsed_after_months=3):
    """A finding from the loyalty report (Feedback > Loyalty): `figures` is a list of
    {measure, group, value} (measure: customers_lost, customers_left, percent_lost,
    orders_lost, value_lost, repeat_rate; group: poor, open, well, none)."""
    from ..services import loyalty

    made = loyalty.add_finding(r.ctx, text, figures, months, lapsed_after_months)
    r.remember("findings", key, made)
