"""Step types for model answers and mistake walk-throughs: each drives one service function,
exactly as a learner's click would. Scenario files name them; they can never run code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ..models import Complaint, Contact, Finding, ImprovementAction, Need, ServiceStandard, Survey
from ..services import (
    clock,
    complaints,
    contacts,
    feedback,
    interactions,
    sandbox_clock,
    standards,
)


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


@step("record_need", ["contact", "description"], ["key"])
def _need(r, contact, description, key=None):
    r.remember("needs", key, contacts.add_need(r.ctx, _contact(r, contact), description))


@step("confirm_need", ["need", "method"])
def _confirm(r, need, method):
    contacts.confirm_need(r.ctx, r.obj(Need, "needs", need), method)


@step("record_preference", ["contact", "description"])
def _pref(r, contact, description):
    contacts.add_preference(r.ctx, _contact(r, contact), description)


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
    initiative="reactive",
    outcome="",
    follow_up_days=None,
    key=None,
):
    follow = (r.ctx.now() + timedelta(days=follow_up_days)).date() if follow_up_days else None
    made = interactions.log_interaction(
        r.ctx,
        _contact(r, contact),
        {
            "channel": channel,
            "direction": direction,
            "initiative": initiative,
            "summary": summary,
            "outcome": outcome,
            "follow_up_on": follow,
        },
    )
    r.remember("interactions", key, made)


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


@step("acknowledge", ["complaint", "channel", "message"])
def _ack(r, complaint, channel, message):
    complaints.acknowledge(r.ctx, _complaint(r, complaint), channel, message)


@step("investigate", ["complaint"], ["note"])
def _investigate(r, complaint, note=""):
    complaints.start_investigation(r.ctx, _complaint(r, complaint), note)


@step("wait_for_customer", ["complaint", "note"])
def _wait(r, complaint, note):
    complaints.wait_for_customer(r.ctx, _complaint(r, complaint), note)


@step("customer_replied", ["complaint"], ["note"])
def _replied(r, complaint, note=""):
    complaints.customer_replied(r.ctx, _complaint(r, complaint), note)


@step("resolve", ["complaint", "resolution", "channel", "message"])
def _resolve(r, complaint, resolution, channel, message):
    complaints.resolve(r.ctx, _complaint(r, complaint), resolution, channel, message)


@step("close", ["complaint", "root_cause", "lessons"], ["confirmed", "note", "judgement"])
def _close(r, complaint, root_cause, lessons, confirmed=False, note="", judgement=""):
    """Close a complaint. `confirmed: true` points at the customer's latest answer to "are you
    satisfied?" about it (as a learner picks the reply on the page): it closes as confirmed
    only if that answer is a yes. Without it, the close is unconfirmed and needs `judgement`."""
    from ..services.errors import ServiceError

    c = _complaint(r, complaint)
    reply = None
    if confirmed:
        replies = complaints.satisfaction_replies(r.ctx, c)
        if not replies:
            raise ServiceError(
                "The customer has not answered whether they are satisfied: ask them first.",
                "satisfaction_reply",
            )
        reply = replies[0]
    complaints.close(
        r.ctx,
        c,
        satisfaction_reply=reply,
        confirmation_note=note,
        root_cause=root_cause,
        lessons_learned=lessons,
        judgement_note=judgement,
    )


@step("escalate", ["complaint", "reason"])
def _escalate(r, complaint, reason):
    complaints.escalate(r.ctx, _complaint(r, complaint), reason)


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
    ["threshold", "threshold_unit", "target_percent", "period", "description", "agreed_with"],
)
def _standard(r, key, **fields):
    r.remember("standards", key, standards.create_standard(r.ctx, fields))


@step("agree_standard", ["standard", "agreed_with"], ["contact"])
def _agree(r, standard, agreed_with, contact=None):
    contact_id = r.keys["contacts"][contact] if contact else None
    standards.agree_standard(
        r.ctx, r.obj(ServiceStandard, "standards", standard), agreed_with, contact_id
    )


@step("standard_finding", ["standard", "text"])
def _standard_finding(r, standard, text):
    s = r.obj(ServiceStandard, "standards", standard)
    today = r.ctx.now().date()
    standards.add_finding(r.ctx, s, text, today - timedelta(days=90), today)


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


@step("finding", ["key", "survey", "text"], ["question", "segment", "theme", "figure"])
def _finding(r, key, survey, text, question=None, segment="", theme="", figure=""):
    s = r.obj(Survey, "surveys", survey)
    question_id = s.questions[question - 1].id if question else None
    made = feedback.add_finding(
        r.ctx, s, text, question_id=question_id, segment=segment, theme=theme, figure=figure
    )
    r.remember("findings", key, made)


@step(
    "improvement",
    ["key", "finding", "description", "owner", "measure"],
    ["due_in_days", "standard", "process", "baseline"],
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
):
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
        },
    )
    r.remember("improvements", key, made)


@step("complete_improvement", ["improvement"])
def _complete(r, improvement):
    feedback.complete_action(r.ctx, r.obj(ImprovementAction, "improvements", improvement))


@step("evaluate_improvement", ["improvement", "result", "outcome", "evaluation"])
def _evaluate(r, improvement, result, outcome, evaluation):
    feedback.evaluate_action(
        r.ctx, r.obj(ImprovementAction, "improvements", improvement), result, evaluation, outcome
    )
