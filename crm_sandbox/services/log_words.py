"""One way to say what an action-log entry records, in words a learner, an assessor or an
external verifier reads: "Logged an inbound phone call with Jo Bloggs: “…”", "Acknowledged
complaint C-0012". The assessor's timeline, the learner's dashboard and the evidence PDF all
call `describe_entry`; `entry_details` gives the values an entry changed, as words.

Entries carry ids (a contact's, a complaint's); `names_for` reads the names those ids stand
for in a few queries, so a page of entries costs the same however long it is. Without names
an entry still reads well ("a customer", "a complaint"). Learner text is quoted whole unless
the caller asks for a `limit`, which shortens it at a word with an ellipsis. An erased
payload, or a verb no one taught this module, still reads as words, never as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select, union_all

from .. import wording
from ..models import (
    Category,
    Complaint,
    ConfirmationMethod,
    Contact,
    Method,
    QuestionKind,
    Segment,
    ServiceStandard,
    Survey,
    db,
)
from ..models.interactions import ANSWER_LABELS
from . import action_log
from .together import rows

_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CHANNELS = {
    "phone": "phone call",
    "email": "email",
    "letter": "letter",
    "meeting": "meeting",
    "live_chat": "live chat",
    "social": "social media message",
}
LEVELS = {
    "front_line": "the front line",
    "supervisor": "a supervisor",
    "manager": "a manager",
    "external_review": "external review",
}
FIELD_LABELS = {
    "accuracy_checked_at": "details checked",
    "ack_due_at": "acknowledgement due",
    "acknowledged_at": "acknowledged",
    "agreed_on": "agreed on",
    "agreed_with": "agreed with",
    "closed_at": "closed",
    "closes_on": "closes on",
    "compliance_percent": "compliance (%)",
    "consent_email": "email consent",
    "consent_phone": "phone consent",
    "consent_post": "post consent",
    "consent_sms": "text message consent",
    "sms": "text message",
    "contact_id": "customer",
    "customer_confirmed": "customer confirmed satisfied",
    "due_at": "due",
    "due_on": "due",
    "follow_up_done_sbx": "follow-up done",
    "follow_up_on": "follow-up on",
    "lessons_learned": "lessons learned",
    "merged_into_id": "merged into",
    "occurred_at": "when",
    "resolve_due_at": "resolution due",
    "resolved_at": "resolved",
    "root_cause": "root cause",
    "sandbox_time": "sandbox time",
    "success_measure": "success measure",
    "target_percent": "target (%)",
    "threshold_unit": "unit",
    "taken_on": "taken on",
    "tier": "hint tier",
    "number": "hint number",
    "cost": "cost (share of the score)",
    "score_before_hints": "score before hints",
    "hint_cost": "hints' cost (share of the score)",
}
# Ids and bookkeeping a reader does not need among an entry's values.
HIDDEN_FIELDS = {
    "complaint_id",
    "finding_id",
    "interaction_id",
    "question_id",
    "response_id",
    "standard_id",
    "supersedes_id",
    "survey_id",
    "agreed_with_contact_id",
    "merged_contact_id",
    "learner_ids",
    "hint",  # a hint's index, counted from 0: the entry's "number" counts from 1
}


@dataclass
class Names:
    """What the ids in a set of entries stand for: customers' names, complaint references,
    survey and service-standard titles."""

    contacts: dict[int, str] = field(default_factory=dict)
    complaints: dict[int, str] = field(default_factory=dict)
    surveys: dict[int, str] = field(default_factory=dict)
    standards: dict[int, str] = field(default_factory=dict)

    def contact(self, contact_id) -> str:
        """A customer's name, or "a customer" when the id is unknown."""
        return self.contacts.get(contact_id) or "a customer"

    def complaint(self, complaint_id) -> str:
        """ "complaint C-0012", or "a complaint"."""
        ref = self.complaints.get(complaint_id)
        return f"complaint {ref}" if ref else "a complaint"

    def survey(self, survey_id) -> str:
        """A survey's title in quotes, or "a survey"."""
        title = self.surveys.get(survey_id)
        return f"“{title}”" if title else "a survey"

    def standard(self, standard_id) -> str:
        """A service standard's title in quotes, or "a service standard"."""
        title = self.standards.get(standard_id)
        return f"“{title}”" if title else "a service standard"


def _ids(entries, key: str, object_type: str) -> set[int]:
    found = set()
    for entry in entries:
        if entry.object_type == object_type and entry.object_id is not None:
            found.add(entry.object_id)
        payload = entry.payload or {}
        for part in (payload.get("before"), payload.get("after")):
            if isinstance(part, dict) and isinstance(part.get(key), int):
                found.add(part[key])
    return found


# The names `names_for` reads: (model, the payload key of its ids, the entry object type,
# the `Names` field, the columns a name is made of, how they make it).
_NAMED = (
    (
        Contact,
        "contact_id",
        "contact",
        "contacts",
        (Contact.first_name, Contact.last_name, Contact.organisation_name, Contact.account_type),
        Contact.display_name.fget,
    ),
    (
        Complaint,
        "complaint_id",
        "complaint",
        "complaints",
        (Complaint.reference,),
        lambda c: c.reference,
    ),
    (Survey, "survey_id", "survey", "surveys", (Survey.title,), lambda s: s.title),
    (
        ServiceStandard,
        "standard_id",
        "standard",
        "standards",
        (ServiceStandard.title,),
        lambda s: s.title,
    ),
)


def names_for(sandbox_id: int, entries: Iterable) -> Names:
    """The names the entries' ids stand for, read in at most four queries, all within the
    entries' sandbox."""
    entries = list(entries)
    names = Names()
    for model, key, object_type, field_name, columns, name in _NAMED:
        ids = _ids(entries, key, object_type)
        if not ids:
            continue
        rows = db.session.execute(
            select(model.id, *columns).where(
                model.sandbox_id == sandbox_id, model.id.in_(sorted(ids))
            )
        )
        getattr(names, field_name).update({row.id: name(row) for row in rows})
    return names


def names_reads(sandbox_id: int, entries) -> dict:
    """`names_for` as reads for `read_together` (their results: `names_from`), where
    `entries` is a subquery of log entries (with `object_type`, `object_id` and `payload`):
    the ids are taken from them in the same statement."""
    reads = {}
    for model, key, object_type, field_name, columns, _name in _NAMED:
        ids = union_all(
            select(entries.c.object_id).where(entries.c.object_type == object_type),
            *(select(entries.c.payload[(part, key)].as_integer()) for part in ("before", "after")),
        )
        reads[f"names_{field_name}"] = rows(
            select(model.id, *columns).where(model.sandbox_id == sandbox_id, model.id.in_(ids)),
            order_by=[model.id],
        )
    return reads


def names_from(parts: dict) -> Names:
    """The `Names` read by `names_reads` (from `read_together`'s results)."""
    names = Names()
    for _model, _key, _type, field_name, _columns, name in _NAMED:
        getattr(names, field_name).update(
            {row.id: name(row) for row in parts[f"names_{field_name}"]}
        )
    return names


def shorten(text: str, limit: int | None) -> str:
    """`text` whole (spaces tidied), or cut at a word within `limit` characters with an
    ellipsis (`wording.shorten`, as every page cuts text)."""
    text = " ".join(str(text).split())
    return text if limit is None else wording.shorten(text, limit)


def quoted(text, limit: int | None = None) -> str:
    """Learner text in quotation marks (shortened only when a limit is given)."""
    return f"“{shorten(text, limit)}”"


def when(value) -> str:
    """A time or date in the one style the pages use: "Thu 16 Apr 2026, 10:00"."""
    if isinstance(value, str):
        try:
            if _ISO_DATE.match(value):
                value = date.fromisoformat(value)
            elif _ISO_DATETIME.match(value):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            else:
                return value
        except ValueError:  # shaped like a date but none ("2026-02-30"): shown as typed
            return value
    if isinstance(value, datetime):
        return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%a} {value.day} {value:%b %Y}"
    return str(value)


def value_words(value) -> str:
    """Any logged value as words: yes/no, dates in one style, lists and records spelled out,
    text as it was typed (so "£20" stays "£20")."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(value_words(v) for v in value) or "none"
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if k not in HIDDEN_FIELDS}
        return "; ".join(f"{label(k)}: {value_words(v)}" for k, v in shown.items()) or "none"
    return when(value)


def enum_words(kind, value) -> str:
    """A stored enum value as its label, lower case ("asked_back" -> "asked the customer
    back"); a value the enum does not know is shown with spaces for underscores."""
    try:
        return kind(value).label.lower()
    except ValueError:
        return str(value or "none").replace("_", " ")


def label(key: str) -> str:
    """A logged field's name as words ("root_cause" -> "root cause")."""
    return FIELD_LABELS.get(key, key.replace("_", " "))


@dataclass
class Change:
    """One value an entry recorded: its label, the value before (if any) and after."""

    label: str
    before: str | None
    after: str | None


# Stored codes whose words are their labels (a channel, a level, a stage...).
CODED = {
    "channel": lambda v: CHANNELS.get(v, v),
    "level": lambda v: LEVELS.get(v, v),
    "category": lambda v: enum_words(Category, v),
    "segment": lambda v: enum_words(Segment, v),
    "method": lambda v: (
        enum_words(ConfirmationMethod, v)
        if v in {m.value for m in ConfirmationMethod}
        else enum_words(Method, v)
    ),
    "kind": lambda v: enum_words(QuestionKind, v),
}


def field_words(key: str, value, names: Names | None = None) -> str:
    """One logged value as words, knowing its field: a customer id as the customer's name,
    a stored code as its label, anything else by `value_words`."""
    if key == "contact_id" and names is not None and value in names.contacts:
        return names.contacts[value]
    if key in CODED and isinstance(value, str):
        return CODED[key](value)
    if isinstance(value, str) and key in ("stage", "status", "outcome", "decision"):
        return value.replace("_", " ")
    return value_words(value)


def entry_details(entry, names: Names | None = None) -> list[Change]:
    """The values the entry recorded, as words, before and after (for "the record as it was")."""
    payload = entry.payload or {}
    before = payload.get("before") if isinstance(payload.get("before"), dict) else {}
    after = payload.get("after") if isinstance(payload.get("after"), dict) else {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k not in HIDDEN_FIELDS]
    return [
        Change(
            label(k).capitalize(),
            field_words(k, before[k], names) if k in before else None,
            field_words(k, after[k], names) if k in after else None,
        )
        for k in keys
    ]


@dataclass
class _Say:
    """What a describer gets: the entry's values before and after, the names, a text limit."""

    entry: object
    after: dict
    before: dict
    names: Names
    limit: int | None

    def text(self, key: str, values: dict | None = None) -> str:
        value = (self.after if values is None else values).get(key)
        return quoted(value, self.limit) if value else ""

    def colon(self, key: str) -> str:
        text = self.text(key)
        return f": {text}" if text else ""

    def contact(self, key: str = "contact_id") -> str:
        return self.names.contact(self.after.get(key))

    def complaint(self) -> str:
        return self.names.complaint(self.entry.object_id)


# What a learner's message was for, as the log says it ("Sent Grace Okafor a message asking
# about their needs ...").
PURPOSE_PHRASES = {
    "ask_needs": "asking about their needs",
    "confirm_needs": "confirming their needs back to them",
    "acknowledge": "acknowledging their complaint",
    "update": "with an update",
    "propose_resolution": "proposing a resolution",
    "ask_satisfied": "asking whether they are satisfied",
    "follow_up": "following up",
    "marketing": "with a marketing offer",
    "survey_invitation": "inviting them to a survey",
    "internal_request": "with an internal request",
    "internal_reply": "with an internal reply",
}


COMPLAINT_OUTCOMES = {
    "Complaint acknowledged": "Sent the acknowledgement of {complaint} to {who}",
    "Complaint outcome sent": "Told {who} the outcome of {complaint}",
}


def _interaction(say: _Say, verb: str) -> str:
    a = say.after
    channel = CHANNELS.get(a.get("channel"), "contact")
    who = say.contact()
    complaint = None
    if a.get("complaint_id") is not None:
        complaint = say.names.complaint(a.get("complaint_id"))
    about = f" about {complaint}" if complaint else ""
    if a.get("answer_kind"):
        # The customer's own message (the simulated customer or a scenario event).
        kind = ANSWER_LABELS.get(a["answer_kind"], "Replied").lower()
        return f"{who} (the customer) {kind}{about}, by {channel}{say.colon('summary')}"
    promise = ""
    if a.get("promise_by"):
        promise = f", promising the next contact by {when(a['promise_by'])}"
    purpose = a.get("purpose") if a.get("direction") == "outbound" else None
    outcome = str(a.get("outcome") or "")
    if complaint is not None and (
        outcome in COMPLAINT_OUTCOMES or purpose not in ("propose_resolution", "ask_satisfied")
    ):
        what = COMPLAINT_OUTCOMES.get(outcome, "Sent {who} an update on {complaint}")
        what = what.format(who=who, complaint=complaint)
        return f"{what} by {channel}{promise}{say.colon('summary')}"
    if purpose:
        doing = PURPOSE_PHRASES.get(purpose, "")
        return f"Sent {who} a message {doing}{about} by {channel}{promise}{say.colon('summary')}"
    direction = a.get("direction") or ""
    phrase = f"{direction} {channel}".strip()
    article = "an" if phrase[0] in "aeiou" else "a"
    preposition = "with"
    if channel in ("email", "letter"):
        preposition = "from" if direction == "inbound" else "to"
    doing = "Corrected the record of" if verb == "interaction.corrected" else "Logged"
    return f"{doing} {article} {phrase} {preposition} {who}{say.colon('summary')}"


def _complaint(say: _Say, verb: str) -> str:
    a, c = say.after, say.complaint()
    late = " (late: after its due time)" if a.get("breach") else ""
    what = verb.split(".", 1)[1]
    if what == "received":
        how = f" by {CHANNELS.get(a.get('channel'), 'contact')}" if a.get("channel") else ""
        category = f" about {a['category']}" if a.get("category") else ""
        return f"Recorded {c} from {say.contact()}{category}{how}"
    if what == "escalated":
        to = LEVELS.get(a.get("level"), "the next level")
        why = ""
        if a.get("rule"):
            why = f" for the procedure's reason {a['rule']} ({a.get('rule_text') or 'as listed'})"
            if a.get("amount"):
                why += f", £{a['amount']} asked for"
        return f"Escalated {c} to {to}{why}{say.colon('reason')}"
    if what == "resolved":
        rule = ""
        if a.get("policy_rule"):
            rule = f" under policy rule {a['policy_rule']} ({a.get('policy_rule_text') or ''})"
        return f"Resolved {c}{late}{rule}{say.colon('resolution')}"
    if what == "closed":
        parts = [f"Closed {c}"]
        if a.get("root_cause"):
            parts.append(f"root cause: {say.text('root_cause')}")
        if a.get("lessons_learned"):
            parts.append(f"lessons learned: {say.text('lessons_learned')}")
        if a.get("lessons_policy"):
            changes = a["lessons_policy"].replace("_", " ")
            how = f" ({a['lessons_change'].replace('_', ' ')})" if a.get("lessons_change") else ""
            parts.append(f"the lesson changes the {changes} policy{how}")
        if a.get("judgement"):
            parts.append(f"closed without the customer's confirmation: {say.text('judgement')}")
        return "; ".join(parts)
    phrases = {
        "acknowledged": f"Acknowledged {c}{late}",
        "investigating": f"Started investigating {c}",
        "waiting": f"Paused {c} to wait for the customer",
        "customer_replied": f"Resumed {c}: the customer replied",
        "reopened": f"Reopened {c}",
        "satisfaction_requested": f"Asked the customer whether the outcome of {c} satisfied them",
    }
    return phrases.get(what, f"{c.capitalize()}: {what.replace('_', ' ')}") + say.colon("note")


def _name_in(values: dict) -> str | None:
    person = f"{values.get('first_name') or ''} {values.get('last_name') or ''}".strip()
    return values.get("organisation_name") or person or None


def _article(words: str) -> str:
    return words if words.startswith("not ") else wording.article(words)


def _contact(say: _Say, verb: str) -> str:
    who = say.names.contacts.get(say.entry.object_id) or _name_in(say.after) or "a customer"
    what = verb.split(".", 1)[1]
    changed = ", ".join(label(k) for k in say.after if k not in HIDDEN_FIELDS)
    if what == "created":
        return f"Added a customer record for {who}"
    if what == "classified":
        return f"Classified {who} as {_article(enum_words(Category, say.after.get('category')))}"
    if what == "accuracy_checked":
        return f"Checked that {who}'s details are accurate"
    if what == "merged":
        return f"Merged a duplicate record into {who}'s record"
    if what == "consent_changed":
        return f"Changed {who}'s consent: {value_words(say.after)}"
    return f"Updated {who}'s details" + (f" ({changed})" if changed else "")


def _need(say: _Say, verb: str) -> str:
    who = say.contact()
    if verb == "need.confirmed":
        method = say.after.get("method")
        how = f" ({enum_words(ConfirmationMethod, method)})" if method else ""
        return f"Confirmed a need with {who}{how}"
    kind = "a preference" if verb.startswith("preference") else "a need"
    return f"Recorded {kind} for {who}{say.colon('description')}"


def _standard(say: _Say, verb: str) -> str:
    a = say.after
    s = say.names.standard(say.entry.object_id if say.entry.object_type == "standard" else None)
    if verb == "standard.created":
        title = f"“{a['title']}”" if a.get("title") else s
        vague = " (flagged as not measurable)" if a.get("measurable") is False else ""
        return f"Set a service standard {title}{vague}"
    if verb == "standard.updated":
        return f"Changed service standard {s}: {value_words(a)}"
    if verb == "standard.agreed":
        how = (
            " (in the customer's reply)"
            if a.get("agreed_reply_id")
            else " (on the learner's word: no reply from the customer)"
            if "agreed_reply_id" in a
            else ""
        )
        return f"Agreed service standard {s} with {value_words(a.get('agreed_with'))}{how}"
    if verb == "standard.measured":
        return f"Recorded {value_words(a.get('value'))} for {s} on {when(a.get('taken_on'))}"
    s = say.names.standard(a.get("standard_id"))
    return f"Recorded a finding on service standard {s}{_figures(a)}{say.colon('text')}"


def _figures(a: dict) -> str:
    """A finding's figures in words: the learner's beside the CRM's for the same period."""
    computed, stated = a.get("computed"), a.get("stated")
    if not isinstance(computed, dict) or not isinstance(stated, dict):  # older entries
        share = a.get("compliance_percent")
        return f" ({value_words(share)}% compliance)" if share is not None else ""
    period = f" for {when(a.get('period_from'))} to {when(a.get('period_to'))}"
    if computed.get("value") is None:
        return period + " (nothing measured in that period)"
    unit = computed.get("unit") or ""
    crm = f"{computed['value']:g}{unit}, {computed.get('breaches')} breaches"
    if a.get("from_crm"):
        return f"{period}, with the CRM's figures ({crm})"
    said = (
        f"{stated.get('value'):g}{unit}" if stated.get("value") is not None else "no figure"
    ) + (f", {stated['breaches']} breaches" if stated.get("breaches") is not None else "")
    verdict = "does not match" if a.get("mismatches") else "matches"
    return f"{period}: stated {said}; the CRM's records {crm} ({verdict})"


def _survey(say: _Say, verb: str) -> str:
    a = say.after
    s = say.names.survey(say.entry.object_id)
    what = verb.split(".", 1)[1]
    if what == "created":
        title = f"“{a['title']}”" if a.get("title") else s
        kind = enum_words(Method, a.get("method"))
        return f"Set up {title} ({kind}){say.colon('purpose')}"
    if what == "question_added":
        kind = enum_words(QuestionKind, a.get("kind"))
        return f"Added a question ({kind}) to {s}{say.colon('text')}"
    if what == "sent":
        count = a.get("recipients")
        to = f" to {count} contact{'s' if count != 1 else ''}" if count is not None else ""
        closes = f", closing {when(a['closes_on'])}" if a.get("closes_on") else ""
        return f"Sent {s}{to}{closes}"
    if what == "response_recorded":
        who = say.names.contacts.get(a.get("contact_id")) or "an anonymous customer"
        return f"Recorded a response to {s} from {who}"
    return f"Closed {s}" if what == "closed" else f"Survey {s}: {what.replace('_', ' ')}"


def _improvement(say: _Say, verb: str) -> str:
    a = say.after
    if verb == "finding.recorded":
        if (a.get("evidence") or {}).get("source") == "loyalty":
            return f"Recorded a finding from the loyalty figures{say.colon('text')}"
        segment = f" (segment: {enum_words(Segment, a['segment'])})" if a.get("segment") else ""
        survey = say.names.survey(a.get("survey_id"))
        return f"Recorded a finding from {survey}{segment}{say.colon('text')}"
    if verb == "improvement.customers_told":
        told = len(a.get("contact_ids") or [])
        return (
            f"Told {told} customer{'s' if told != 1 else ''} who gave the feedback what changed "
            f"({value_words(a.get('channel'))})"
        )
    if verb == "improvement.planned":
        owner = f", owned by {a['owner']}" if a.get("owner") else ""
        due = f", due {when(a['due_on'])}" if a.get("due_on") else ""
        return f"Planned an improvement{owner}{due}{say.colon('description')}"
    if verb == "improvement.done":
        return "Marked an improvement action done"
    change = ""
    if a.get("baseline") is not None or a.get("result") is not None:
        change = f" (from {value_words(a.get('baseline'))} to {value_words(a.get('result'))})"
    outcome = value_words(a.get("outcome"))
    return f"Evaluated an improvement: {outcome}{change}{say.colon('evaluation')}"


def _percent(value) -> str:
    return f"{round(value * 100)}%" if isinstance(value, int | float) else "some"


HINT_TIER_WORDS = {"nudge": "a nudge", "pointer": "a pointer", "step": "the step"}


def _checks_passed(a: dict) -> str:
    """ "80% of the checks passed", and the score after the hints' cost when they cost."""
    if "score_before_hints" not in a:
        return f"{_percent(a.get('score'))} of the checks passed"
    cost = a.get("hint_cost") if isinstance(a.get("hint_cost"), int | float) else 0
    return (
        f"{_percent(a.get('score_before_hints'))} of the checks passed; score "
        f"{_percent(a.get('score'))} after {_percent(cost)} for hints"
    )


def _scenario(say: _Say, verb: str) -> str:
    a = say.after
    what = verb.split(".", 1)[1]
    if what == "started":
        if a.get("restart"):
            return "Started the scenario again"
        return f"Started the scenario “{a['title']}”" if a.get("title") else "Started the scenario"
    if what == "checked":
        return f"Checked the work: {_checks_passed(a)}"
    if what == "hint_viewed":
        hint = a.get("hint")
        number = f" {hint + 1}" if isinstance(hint, int) else ""
        tier = HINT_TIER_WORDS.get(a.get("tier"), "")
        tier = f" ({tier})" if tier else ""
        return f"Read hint{number} for the task “{a.get('task') or '?'}”{tier}"
    if what == "submitted":
        return f"Submitted the work for assessment ({_checks_passed(a)})"
    if what == "event":
        return f"Scenario event: {shorten(a.get('summary') or 'something happened', say.limit)}"
    return f"Scenario {what.replace('_', ' ')}"


def _assessment(say: _Say, verb: str) -> str:
    a = say.after
    decision = value_words(a.get("decision") or a.get("outcome")).replace("_", " ")
    if verb == "assessment.judged":
        comment = say.colon("comment")
        return f"Judged criterion {a.get('criterion') or '?'} as {decision}{comment}"
    if verb == "assessment.decided":
        return f"Signed the assessment decision: {decision}{say.colon('feedback')}"
    return f"Assessment: {verb.split('.', 1)[1].replace('_', ' ')}"


def _sandbox(say: _Say, verb: str) -> str:
    a, b = say.after, say.before
    if verb == "clock.advanced":
        return f"Moved the sandbox clock on to {when(a.get('sandbox_time'))}"
    if verb == "sandbox.provisioned":
        return "Practice CRM created"
    if verb == "sandbox.reset":
        return "Practice CRM reset to its starting data" + say.colon("reason")
    if verb == "assignment.due_extended":
        return f"Moved the due date from {when(b.get('due_at'))} to {when(a.get('due_at'))}"
    if verb == "follow_up.completed":
        due = f" (due {when(a['follow_up_on'])})" if a.get("follow_up_on") else ""
        return f"Completed the follow-up with {say.contact()}{due}"
    return "Personal data erased from this record"


def _order(say: _Say, verb: str) -> str:
    kind = str(say.after.get("kind") or "order")
    return f"Recorded {_article(kind)} from {say.contact()}{say.colon('description')}"


DESCRIBERS: dict[str, Callable[[_Say, str], str]] = {
    "interaction": _interaction,
    "complaint": _complaint,
    "contact": _contact,
    "need": _need,
    "preference": _need,
    "order": _order,
    "standard": _standard,
    "survey": _survey,
    "finding": _improvement,
    "improvement": _improvement,
    "scenario": _scenario,
    "assessment": _assessment,
    "clock": _sandbox,
    "sandbox": _sandbox,
    "assignment": _sandbox,
    "follow_up": _sandbox,
    "personal_data_erased": _sandbox,
}


def _fallback(say: _Say, verb: str) -> str:
    """A verb no describer knows: its words, and the first text it carried."""
    head, _, what = verb.partition(".")
    words = f"{head} {what}".replace("_", " ").strip().capitalize()
    for key in ("summary", "text", "description", "note", "reason", "title"):
        if say.after.get(key):
            return f"{words}{say.colon(key)}"
    return words


def describe_entry(entry, names: Names | None = None, limit: int | None = None) -> str:
    """One log entry as a sentence ("Logged an inbound phone call with Jo Bloggs: “…”").

    `entry` is anything with `verb`, `object_type`, `object_id` and `payload` (an
    `ActionLogEntry`); `names` from `names_for` puts names to ids; `limit` shortens quoted
    learner text at a word (the dashboard), None keeps it whole (the timeline, the PDF)."""
    payload = entry.payload or {}
    after = payload.get("after") if isinstance(payload.get("after"), dict) else {}
    before = payload.get("before") if isinstance(payload.get("before"), dict) else {}
    say = _Say(entry, after, before, names or Names(), limit)
    head = entry.verb.split(".", 1)[0]
    describer = DESCRIBERS.get(head, _fallback)
    try:
        return describer(say, entry.verb)
    except (KeyError, TypeError, ValueError, AttributeError):  # an odd payload still reads
        return _fallback(say, entry.verb)


def actor_of(entry) -> str:
    """Who did it, as recorded (the payload keeps the name at the time), or "System"."""
    payload = entry.payload or {}
    return str(payload.get("actor") or ("(name erased)" if entry.payload is None else "System"))


def real_when(value: datetime | None) -> str:
    """A real (UTC) time in the same style as sandbox times, labelled: "Sun 6 Dec 2026, 14:05
    UTC"."""
    if value is None:
        return "none"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{when(value)} UTC"


@dataclass
class Described:
    """One timeline row: the entry's sequence number and times, its words, who did it and the
    values it recorded."""

    seq: int
    sandbox_time: datetime
    real_time: datetime
    words: str
    actor: str
    changes: list[Change]


def timeline(sandbox_id: int, newest_first: bool = False, limit: int | None = None):
    """The sandbox's log as words, oldest first by default (the assessor's timeline)."""
    entries = action_log.entries(sandbox_id, newest_first=newest_first, limit=limit)
    names = names_for(sandbox_id, entries)
    return [
        Described(
            e.seq,
            e.sandbox_time,
            e.real_time,
            describe_entry(e, names),
            actor_of(e),
            entry_details(e, names),
        )
        for e in entries
    ]
