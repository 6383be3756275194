"""The step language, documented: what each step type does and an example, beside the
registry (`steps.STEPS`), which gives the parameters. `crm-sandbox scenarios steps` prints
docs/step-language.md from both, and a test checks that every step type has a description
and an example that validates, and that the committed file is the printed one. A step type
added without an entry here prints as "(not documented yet)" and fails that test."""

from __future__ import annotations

import yaml

# name -> (what it does, example step as YAML)
DOCS: dict[str, tuple[str, str]] = {
    "classify": (
        "Sets the contact's type (internal, external, not a customer), as the contact form does.",
        "{do: classify, contact: okafor, category: external}",
    ),
    "update_contact": (
        "Changes recorded fields of a contact (names, email, phone, address, postcode, segment, "
        "notes ...), as the contact's Edit form does.",
        "{do: update_contact, contact: okafor, fields: {postcode: BS1 4DJ}}",
    ),
    "create_contact": (
        "Adds a contact with these fields; `key` names it for later steps.",
        "{do: create_contact, key: newcomer, fields: {first_name: Sam, last_name: Reid, "
        "category: external}}",
    ),
    "record_need": (
        "Records something the customer needs (not a preference) on their record, with its "
        "type (timescale, budget, accessibility, specification, information, quality, other).",
        '{do: record_need, contact: okafor, description: "Sofa delivered by Friday", '
        "type: timescale, key: by_friday}",
    ),
    "confirm_need": (
        "Marks a recorded need confirmed by pointing at the customer's latest reply to a needs "
        "summary that confirms it; stops the replay when no such reply has come (`wait` for "
        "it). `method` is ignored: the reply's channel says how.",
        "{do: confirm_need, need: by_friday}",
    ),
    "record_preference": (
        "Records something the customer would like but does not need, with its type.",
        '{do: record_preference, contact: okafor, description: "Texts rather than calls", '
        "type: other}",
    ),
    "set_consent": (
        "Records the contact's consent per channel (email, phone, post, sms).",
        "{do: set_consent, contact: okafor, consent: {email: true, sms: false}}",
    ),
    "mark_accurate": (
        "Marks the contact's record as checked for accuracy now.",
        "{do: mark_accurate, contact: okafor}",
    ),
    "merge": (
        "Merges the `duplicate` record into `keep` (the duplicate's history moves across).",
        "{do: merge, keep: okafor, duplicate: okafor_dup}",
    ),
    "log_interaction": (
        "Logs a contact directly (older scenarios). `initiative` is ignored: an outbound "
        "contact answering the customer's unanswered message is reactive, otherwise proactive.",
        "{do: log_interaction, contact: okafor, channel: phone, direction: outbound, summary: "
        '"Rang to confirm the delivery slot."}',
    ),
    "ask": (
        "Asks the customer about their needs: `topic` a need type, `kind` open, closed, "
        "probing or summarising. The customer answers after their reply time.",
        '{do: ask, contact: okafor, topic: timescale, kind: open, words: "When would suit '
        'you for the delivery?"}',
    ),
    "send": (
        "Sends the customer a message with its purpose (follow_up, update, acknowledge, "
        "marketing, survey_invitation, internal_request, internal_reply; `complaint` for an "
        "update or acknowledgement). `reply_to_last` answers the customer's latest message; "
        "`promise_in_hours` (working hours) or `promise_next_working_day` records the next "
        "contact you promise, which the customer holds you to.",
        "{do: send, contact: okafor, purpose: update, complaint: late_sofa, channel: email, "
        'reply_to_last: true, promise_in_hours: 3, words: "Dear Mrs Okafor, ..."}',
    ),
    "summarise_needs": (
        "Sends the customer a summary of their recorded needs and preferences (all of them, or "
        "those named by key) to confirm; they reply confirming, correcting or adding.",
        '{do: summarise_needs, contact: okafor, words: "To check I have this right: ..."}',
    ),
    "propose": (
        "Proposes a remedy for a complaint (`{type, amount, by_working_days}`, types as the "
        "policy names them); the customer accepts or rejects it, saying why.",
        "{do: propose, complaint: late_sofa, remedy: {type: redelivery, by_working_days: 1}, "
        'words: "We can deliver tomorrow morning."}',
    ),
    "ask_satisfied": (
        "Asks the customer whether they are satisfied with how the complaint was resolved.",
        '{do: ask_satisfied, complaint: late_sofa, words: "Are you happy with how we put '
        'this right?"}',
    ),
    "wait": (
        "Moves the clock on by this much working time; customers' replies and events that "
        "fall due on the way happen.",
        "{do: wait, working_hours: 1}",
    ),
    "receive_complaint": (
        "Records a complaint the customer makes (by `channel`, in a `category` of the "
        "profile's procedure); `key` names it.",
        "{do: receive_complaint, key: broken_lamp, contact: okafor, channel: phone, "
        'category: Faulty or damaged product, description: "The lamp arrived broken."}',
    ),
    "acknowledge": (
        "Acknowledges a complaint at the front line, with the message sent to the customer.",
        '{do: acknowledge, complaint: late_sofa, channel: email, message: "Dear Mrs Okafor, '
        'thank you for telling us ..."}',
    ),
    "investigate": (
        "Moves a complaint to investigating, with a note of what was looked at.",
        '{do: investigate, complaint: late_sofa, note: "Courier notes checked."}',
    ),
    "wait_for_customer": (
        "Pauses the complaint's clock while waiting for the customer (say why).",
        '{do: wait_for_customer, complaint: late_sofa, note: "Waiting for photos."}',
    ),
    "customer_replied": (
        "Resumes a complaint that was waiting for the customer.",
        '{do: customer_replied, complaint: late_sofa, note: "Photos received."}',
    ),
    "resolve": (
        "Records the resolution and sends the outcome to the customer; with `remedy` (as "
        "`propose`) the outcome message proposes it and the customer answers.",
        '{do: resolve, complaint: late_sofa, resolution: "Redelivered on Tuesday.", channel: '
        'email, message: "Dear Mrs Okafor, ..."}',
    ),
    "close": (
        "Closes the complaint with its root cause and lessons. `confirmed: true` points at "
        "the customer's latest `satisfied` reply and stops the replay when there is none; "
        "`false` closes it unconfirmed, on the learner's `judgement`.",
        '{do: close, complaint: late_sofa, confirmed: true, root_cause: "Van breakdown.", '
        'lessons: "Text customers when a slot will be missed."}',
    ),
    "escalate": (
        "Escalates the complaint to the next level of the procedure, with the reason.",
        '{do: escalate, complaint: late_sofa, reason: "The customer is not satisfied with '
        'the stage 1 response."}',
    ),
    "send_update": (
        "Sends the customer an update on their complaint.",
        '{do: send_update, complaint: late_sofa, channel: phone, message: "Rang with news of '
        'the new slot."}',
    ),
    "request_satisfaction": (
        "Asks the customer for their satisfaction with the complaint's handling (the "
        "procedure's satisfaction request).",
        "{do: request_satisfaction, complaint: late_sofa}",
    ),
    "advance": (
        "Moves the sandbox clock forward by working hours, or to the next working day; due "
        "events and replies happen on the way.",
        "{do: advance, working_hours: 2}",
    ),
    "create_standard": (
        "Writes a service standard: a measure the CRM computes (complaint_ack_time, "
        "complaint_resolution_time, first_response_time, follow_ups_on_time, "
        "satisfaction_score) or `manual`, with its threshold, target and period.",
        '{do: create_standard, key: ack, title: "Acknowledge complaints within 1 working '
        'day", measure: complaint_ack_time, threshold: 1, threshold_unit: working_days, '
        "target_percent: 95}",
    ),
    "agree_standard": (
        "Records who a standard was agreed with (a contact, when named).",
        "{do: agree_standard, standard: ack, agreed_with: Customer panel}",
    ),
    "standard_finding": (
        "Records a finding from monitoring a standard.",
        '{do: standard_finding, standard: ack, text: "March: 9 of 10 acknowledged in time."}',
    ),
    "create_survey": (
        "Designs a feedback collection (`method`: survey, comment_card, interview, "
        "focus_group, suggestion_box) with its questions (`kind`, `text`, `options`).",
        '{do: create_survey, key: pulse, title: "Delivery survey", method: survey, '
        'questions: [{kind: rating_5, text: "How was your delivery?"}]}',
    ),
    "send_survey": (
        "Sends the survey to the contacts of a category (and segment), open for some days.",
        "{do: send_survey, survey: pulse, category: external, days_open: 10}",
    ),
    "record_response": (
        "Records one response to a survey (answers in question order).",
        "{do: record_response, survey: pulse, answers: [4]}",
    ),
    "finding": (
        "Records a finding from a survey's responses, citing its question, segment, theme and "
        "figure.",
        '{do: finding, key: slow, survey: pulse, text: "Delivery ratings are low.", question: '
        "1, figure: 2.8}",
    ),
    "improvement": (
        "Plans an improvement from a finding: owner, success measure, due date, and the "
        "standard or process it changes.",
        '{do: improvement, key: texts, finding: slow, description: "Text a slot the day '
        'before", owner: Warehouse, measure: "Delivery rating above 4"}',
    ),
    "complete_improvement": (
        "Marks an improvement action done.",
        "{do: complete_improvement, improvement: texts}",
    ),
    "evaluate_improvement": (
        "Records the evaluation of an improvement: the result, its outcome and the "
        "evaluation in words.",
        '{do: evaluate_improvement, improvement: texts, result: "4.3", outcome: met, '
        'evaluation: "Ratings rose after the change."}',
    ),
    "propose_standard": (
        "Proposes a service standard to a customer (purpose propose_standard): the message "
        "carries the standard's terms as they stand, and the customer answers whether they "
        "agree (or why not). `reply_to_last` answers their latest message.",
        "{do: propose_standard, standard: repairs_std, contact: kendrick, channel: email, "
        'words: "Here is the standard I propose: ... Can you agree it?"}',
    ),
    "update_standard": (
        "Changes a standard's wording, measure, numbers or method, as its Edit form does; an "
        "agreed standard goes back to draft and its earlier agreement no longer counts.",
        "{do: update_standard, standard: repairs_std, fields: {target_percent: 90}}",
    ),
    "tell_customers": (
        '"You said, we did": tells the customers whose feedback an improvement\'s finding rests '
        "on (or the `contacts` named) what changed, on a channel each agreed to; those without "
        "consent on it are named and skipped.",
        "{do: tell_customers, improvement: call_all_trade, channel: email, "
        'words: "You told us deliveries were hard to plan for; we now call the day before."}',
    ),
    "loyalty_finding": (
        "Records a finding from the loyalty report (Feedback > Loyalty) stating its figures, "
        "each `{measure, group, value}` (measure: customers_lost, customers_left, percent_lost, "
        "orders_lost, value_lost, repeat_rate; group: poor, open, well, none); the CRM keeps "
        "the report's own figures beside them.",
        '{do: loyalty_finding, key: cost, text: "Members lost after poor handling", '
        "figures: [{measure: customers_lost, group: poor, value: 3}]}",
    ),
}

INTRO = """# The step language

<!-- Generated by `crm-sandbox scenarios steps`: do not edit by hand. Descriptions and
examples live in crm_sandbox/scenarios/step_docs.py, parameters in the step registry
(crm_sandbox/scenarios/steps.py). -->

A scenario's model answer, its mistake walk-throughs, its competent variants and its gaming
attempts are lists of **steps**. Each step names a step type (`do:`) and its parameters, and
calls the same service a learner's click calls, so a step the CRM refuses (closing a complaint
that was never acknowledged) stops the replay with that message. Records are named by their
opening key (`contact: okafor`); a step with `key` names what it creates for later steps.
Scenario events and customers' replies fall due as the sandbox clock moves (`wait`,
`advance`).

## Probing a scenario: `crm-sandbox scenarios try`

A tutor or quality reviewer can replay any list of steps on a fresh attempt and read every
check's result and the feedback a learner would see:

```
crm-sandbox scenarios try SCENARIO STEPS.yaml          # SCENARIO: a library id or a file
crm-sandbox scenarios try SCENARIO STEPS.yaml --json   # one JSON object
```

It runs in a temporary database of its own (the real one is not touched). Each check prints
as `PASS`, `NOT YET` (judged and not met, with its feedback) or `NOT JUDGED YET` (nothing to
judge yet: never a pass). `STEPS.yaml` is a YAML list of steps, for example:

```yaml
- do: advance
  working_hours: 1
- do: send
  contact: hughes
  purpose: update
  complaint: hughes_leak
  reply_to_last: true
  promise_in_hours: 3
  words: "Dear Mr Hughes, ..."
```

Try a careless learner's attempt (a one-word reply, keywords with no substance, only time
passing) and a competent one in other words or on another channel: the first should earn no
pass, the second should pass. `crm-sandbox scenarios selftest FILE` replays a scenario's own
model answer, variants, walk-throughs and gaming attempts.

## The step types

Parameters in brackets are optional.
"""


def _params(step) -> str:
    required = [f"`{p}`" for p in step.required]
    optional = [f"[`{p}`]" for p in step.optional]
    return ", ".join(required + optional) or "none"


def markdown() -> str:
    """docs/step-language.md, from the step registry and the descriptions above."""
    from . import engine  # noqa: F401 - the services import steps' users first
    from .steps import STEPS

    parts = [INTRO]
    for name, step in STEPS.items():  # the registry's order: related steps together
        what, example = DOCS.get(name, ("(not documented yet)", f"{{do: {name}}}"))
        parsed = yaml.safe_load(example)
        shown = yaml.safe_dump([parsed], sort_keys=False, allow_unicode=True, width=90)
        parts.append(
            f"### `{name}`\n\nParameters: {_params(step)}.\n\n{what}\n\n```yaml\n{shown}```\n"
        )
    return "\n".join(parts)
