"""What the simulated customer says: each function decides an answer from the persona and the
CRM (never the wall clock, never unseeded randomness) and returns it as an `Answer`; the
engine (`engine.py`) makes it an inbound message at the sandbox time it was due.

Comparing what the learner recorded with the persona is `matching.py`'s, the one place that
decides whether a record says what the customer said (the checks use it too): quantities as
tokens with their units (£700 is not 70 cm; 20 Feb, 20/02 and Friday 20 February are one
date), words through a small vocabulary and a light stemmer, "not" and "rather than" read as
what the customer does not want. A record that says several of the customer's needs and
preferences at once stands for none of them.

Details of a needs reply (`needs_reply`), as in `conversations`' docstring, plus:
- a summarised need that is really a preference: {"need_id", "is": "preference", "value"};
- a summarised need with the wrong value: {"need_id", "is": "need", "value": the right one};
- a summarised need with the right value under the wrong type: {"need_id", "is": "need",
  "value", "type": the right type};
- a summarised need the customer does not have at all: {"need_id", "is": "none", "value": ""};
- a summarised need that lists several of their needs and preferences at once:
  {"need_id", "is": "several", "value": ""};
- a summarised preference that is really a need: {"preference_id", "is": "need", "value"}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ...models import (
    AnswerKind,
    Contact,
    Direction,
    Interaction,
    Need,
    NeedType,
    Preference,
    Questioning,
    db,
)
from ..context import SandboxContext
from . import matching
from .persona import REMEDY_LABELS, Persona, PersonaNeed


@dataclass
class Answer:
    """A customer's message still to be made: what it is, the words, the structured details."""

    kind: AnswerKind
    summary: str
    details: dict | None = None
    complaint_id: int | None = None
    extra: dict = field(default_factory=dict)


# --- Sounding like the customer --------------------------------------------------------------

OPENERS = {
    "calm": "Thanks for getting in touch.",
    "pleased": "Thanks so much for asking!",
    "anxious": "Thank you, I have been worrying about this.",
    "annoyed": "Right.",
    "angry": "Frankly I expected better than this.",
}
# When they write first (a chase, a complaint): no thanks for getting in touch.
UNPROMPTED = {
    "calm": "Hello.",
    "pleased": "Hello again.",
    "anxious": "I'm getting really worried now.",
    "annoyed": "I'm not happy.",
    "angry": "This is unacceptable.",
}
SIGN_OFFS = {
    "calm": "Thanks.",
    "pleased": "Many thanks!",
    "anxious": "Please let me know as soon as you can.",
    "annoyed": "Please just sort it.",
    "angry": "I want this dealt with properly.",
}
TYPE_WORDS = {
    "timescale": "timing",
    "budget": "money",
    "accessibility": "access",
    "specification": "what I'm after",
    "information": "information",
    "quality": "quality",
    "other": "something else",
}
TOPIC_WORDS = {
    "timescale": "timing",
    "budget": "budget",
    "accessibility": "access",
    "specification": "what exactly I need",
    "information": "information",
    "quality": "quality",
    "other": "anything else",
}


# When things have been put right (a remedy they accept, "yes, I am satisfied"): their mood
# softens, so no "please just sort it" after saying it is sorted.
SETTLED = {
    "calm": "Thank you.",
    "pleased": "Thank you so much!",
    "anxious": "Thank you, that is a relief.",
    "annoyed": "Thank you.",
    "angry": "Well, thank you.",
}


def _say(
    persona: Persona,
    *parts: str,
    sign_off: bool = True,
    unprompted: bool = False,
    settled: bool = False,
) -> str:
    if settled:
        return " ".join([SETTLED[persona.mood], *[p for p in parts if p]])
    opener = (UNPROMPTED if unprompted else OPENERS)[persona.mood]
    words = [opener, *[p for p in parts if p]]
    if sign_off:
        words.append(SIGN_OFFS[persona.mood])
    return " ".join(words)


def _sentence(value: str) -> str:
    value = value.strip().rstrip(".")
    return value[:1].upper() + value[1:] + "." if value else ""


# --- Comparing values: one place, shared with the checks (`matching.py`) ------------------

same_value = matching.same_value
_overlap = matching.overlap


# --- What the customer has said before -------------------------------------------------------


def revealed_so_far(contact: Contact, before: datetime) -> set[str]:
    """The values of every persona item this customer has already told the learner (in an
    answer, a reply, or a correction or addition to a summary)."""
    out = set()
    for details in db.session.scalars(
        select(Interaction.details).where(
            Interaction.sandbox_id == contact.sandbox_id,
            Interaction.contact_id == contact.id,
            Interaction.direction == Direction.INBOUND.value,
            Interaction.answer_kind.in_(
                [AnswerKind.ANSWER.value, AnswerKind.REPLY.value, AnswerKind.NEEDS_REPLY.value]
            ),
            Interaction.occurred_at <= before,
        )
    ):
        details = details or {}
        for key in ("revealed", "added", "corrected"):
            out.update(item.get("value") for item in details.get(key) or [])
    return out


# --- Answers, one per purpose ----------------------------------------------------------------


def _item(kind: str, item: PersonaNeed) -> dict:
    return {"type": item.type, "value": item.value, "as": kind}


def answer_question(persona: Persona, topic: str, question_kind: str) -> Answer:
    """An answer to a question about needs (purpose ask_needs): what was asked, no more.

    Items of the topic asked about are revealed; hidden ones only to an open or probing
    question; a closed (or summarising) question gets a short answer with what is not hidden.
    An open question about nothing in particular ("other") also draws the first `volunteers`
    needs that are not hidden."""
    reaches_hidden = question_kind in (Questioning.OPEN.value, Questioning.PROBING.value)
    revealed: list[dict] = []
    for kind, items in (("need", persona.needs), ("preference", persona.preferences)):
        for item in items:
            if item.type == topic and (reaches_hidden or not item.hidden):
                revealed.append(_item(kind, item))
    if topic == NeedType.OTHER.value and question_kind == Questioning.OPEN.value:
        volunteered = [n for n in persona.needs if not n.hidden][: persona.volunteers]
        for item in volunteered:
            entry = _item("need", item)
            if entry not in revealed:
                revealed.append(entry)
    if not revealed:
        if question_kind == Questioning.CLOSED.value:
            words = "No, not really."
        else:
            words = f"Nothing in particular about {TOPIC_WORDS[topic]}, as far as I know."
        return Answer(AnswerKind.ANSWER, _say(persona, words), {"revealed": []})
    needs = [r["value"] for r in revealed if r["as"] == "need"]
    prefs = [r["value"] for r in revealed if r["as"] == "preference"]
    parts = []
    if question_kind == Questioning.CLOSED.value:
        parts.append("Yes:")
        parts.append("; ".join(needs + prefs) + ".")
        return Answer(
            AnswerKind.ANSWER, _say(persona, *parts, sign_off=False), {"revealed": revealed}
        )
    if needs:
        parts.append("What I need: " + "; ".join(needs) + ".")
    if prefs:
        parts.append("If possible I would prefer " + "; ".join(prefs) + ".")
    return Answer(AnswerKind.ANSWER, _say(persona, *parts), {"revealed": revealed})


def _judge_need(persona: Persona, need: Need, matched: set[int]) -> tuple[dict | None, str]:
    """One summarised need against the persona: (None: confirmed, else the correction, and the
    customer's sentence). Marks the persona need it covers in `matched`. Whether the record
    says the need is `matching.need_stated`, the checks' test too."""
    if matching.several(persona, need.description):
        return (
            {"need_id": need.id, "is": "several", "value": ""},
            f'You have put several things together in "{need.description}". Could you note '
            "each thing I need on its own, so I can tell you which ones are right?",
        )
    index = matching.need_stated(persona, need.need_type, need.description, skip=matched)
    if index is not None:
        matched.add(index)
        return None, f"Yes, {persona.needs[index].value}: that's right."
    preference = next(
        (p for p in persona.preferences if same_value(need.description, p.value)), None
    )
    if preference is not None:
        return (
            {"need_id": need.id, "is": "preference", "value": preference.value},
            f"{_sentence(preference.value)[:-1]} is a preference, not a need: "
            "it would be nice, but it is not essential.",
        )
    for index, item in enumerate(persona.needs):
        if index not in matched and same_value(need.description, item.value):
            # the right need filed under the wrong type: not confirmed, the type corrected
            matched.add(index)
            return (
                {"need_id": need.id, "is": "need", "value": item.value, "type": item.type},
                f"Yes, I need {item.value}, but that is about {TYPE_WORDS[item.type]}, "
                f"not {TYPE_WORDS.get(need.need_type, 'something else')}.",
            )
    candidates = [
        (index, item)
        for index, item in enumerate(persona.needs)
        if index not in matched and (need.need_type is None or item.type == need.need_type)
    ]
    if need.need_type is None:  # untyped: only a need it shares words with is "wrong value"
        candidates = [pair for pair in candidates if _overlap(need.description, pair[1].value)]
    if not candidates:
        return (
            {"need_id": need.id, "is": "none", "value": ""},
            f"I don't remember asking for \"{need.description}\"; I don't need that.",
        )
    index, item = max(
        candidates, key=lambda pair: (_overlap(need.description, pair[1].value), -pair[0])
    )
    matched.add(index)
    return (
        {"need_id": need.id, "is": "need", "value": item.value},
        f'Not quite: you have "{need.description}", but what I need is {item.value}.',
    )


def _judge_preference(
    persona: Persona, pref: Preference, matched: set[int]
) -> tuple[dict | None, str]:
    """One summarised preference: a need recorded as a preference is corrected."""
    for index, item in enumerate(persona.needs):
        if index not in matched and same_value(pref.description, item.value):
            matched.add(index)
            return (
                {"preference_id": pref.id, "is": "need", "value": item.value},
                f"{_sentence(item.value)[:-1]} is not just a preference: I need it.",
            )
    if any(same_value(pref.description, p.value) for p in persona.preferences):
        return None, f"And yes, I would prefer {pref.description.strip().rstrip('.')}."
    return None, ""


def answer_summary(
    persona: Persona, contact: Contact, summary_details: dict, when: datetime
) -> Answer:
    """The customer's reply to a summary of their needs (purpose confirm_needs): confirm what
    is right, correct what is wrong (a preference recorded as a need, a wrong value, something
    they never needed), add what is missing (needs not hidden, or already told)."""
    need_ids = set(summary_details.get("needs") or [])
    pref_ids = set(summary_details.get("preferences") or [])
    confirmed: list[int] = []
    corrected: list[dict] = []
    matched: set[int] = set()  # indexes of persona needs the summary covers
    sentences: list[str] = []
    summarised = [n for n in contact.needs if n.id in need_ids]
    # A record that says a need right is judged first, so an older wrong record of the same
    # need (still on the record: records are never deleted) does not take its place.
    verdicts = {}
    for need in sorted(
        summarised,
        key=lambda n: matching.need_stated(persona, n.need_type, n.description) is None,
    ):
        verdicts[need.id] = _judge_need(persona, need, matched)
    for need in summarised:
        correction, sentence = verdicts[need.id]
        if correction is None:
            confirmed.append(need.id)
        else:
            corrected.append(correction)
        sentences.append(sentence)
    for pref in (p for p in contact.preferences if p.id in pref_ids):
        correction, sentence = _judge_preference(persona, pref, matched)
        if correction is not None:
            corrected.append(correction)
        sentences.append(sentence)
    told = revealed_so_far(contact, when)
    added = [
        _item("need", item)
        for index, item in enumerate(persona.needs)
        # a hidden need never asked about: they do not think to mention it
        if index not in matched and (not item.hidden or item.value in told)
    ]
    if added:
        sentences.append(
            "You've missed something I need: " + "; ".join(a["value"] for a in added) + "."
        )
    if not any(sentences):
        sentences.append("I'm not sure what you mean.")
    return Answer(
        AnswerKind.NEEDS_REPLY,
        _say(persona, *sentences),
        {"confirmed": sorted(confirmed), "corrected": corrected, "added": added},
    )


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def remedy_words(remedy: dict) -> str:
    """A remedy in the customer's words: "full refund of £44.94 by 11 March"."""
    words = REMEDY_LABELS.get(remedy.get("type"), "that").lower()
    if remedy.get("amount"):
        words += f" of £{remedy['amount']}"
    by = _as_date(remedy.get("by"))
    if by is not None:
        words += f" by {by.day} {by:%B}"
    return words


def answer_proposal(
    ctx: SandboxContext, persona: Persona, remedy: dict, proposed_on: datetime
) -> Answer:
    """Accept or reject a proposed remedy. Accepted when one of the persona's acceptable
    remedies has the same type, the amount is at least theirs (when they name one) and the
    date falls within their working days (when they name a number of days).

    The organisation's policy states no structured limit (an amount or time a remedy may not
    exceed) in any profile today, so only the customer's side is checked here."""
    amount = Decimal(remedy["amount"]) if remedy.get("amount") else None
    by = _as_date(remedy.get("by"))
    reason = ""
    accepted = False
    same_type = [a for a in persona.accepts if a.type == remedy.get("type")]
    for acceptable in same_type:
        if acceptable.amount is not None and (amount is None or amount < acceptable.amount):
            reason = reason or "That is not enough to put this right."
            continue
        if acceptable.within_working_days is not None:
            if by is None:
                reason = reason or "You haven't said when that would happen."
                continue
            latest = (
                proposed_on.date()
                if acceptable.within_working_days == 0
                else ctx.calendar().nth_working_day_after(
                    proposed_on.date(), acceptable.within_working_days
                )
            )
            if by > latest:
                reason = reason or "That is far too long to wait."
                continue
        accepted = True
        break
    details = {"remedy": dict(remedy), "reason": ""}
    if accepted:
        words = f"Yes, {remedy_words(remedy)} is acceptable. Please go ahead."
        return Answer(AnswerKind.ACCEPTS, _say(persona, words, settled=True), details)
    reason = " ".join(r for r in (reason, persona.rejects_because) if r) or (
        "That isn't what I am looking for."
    )
    details["reason"] = reason
    words = f"No, {remedy_words(remedy)} is not acceptable. {reason}"
    return Answer(AnswerKind.REJECTS, _say(persona, words), details)


def answer_satisfied(persona: Persona, accepted_before: bool, complaint_id: int | None) -> Answer:
    """Yes or no to "are you satisfied?", per the persona's `satisfied_when`."""
    details = {"complaint_id": complaint_id}
    if persona.satisfied_when == "always" or (
        persona.satisfied_when == "remedy_accepted" and accepted_before
    ):
        return Answer(
            AnswerKind.SATISFIED,
            _say(persona, "Yes, I am satisfied with how this has been resolved.", settled=True),
            details,
            complaint_id,
        )
    if persona.satisfied_when == "never":
        why = "No, I am not satisfied. Nothing you have done makes up for this."
    else:
        why = (
            "No, I am not satisfied: you haven't offered me anything I can accept yet. "
            + (persona.rejects_because or "")
        ).strip()
    return Answer(AnswerKind.NOT_SATISFIED, _say(persona, why), details, complaint_id)


def answer_internal_request(persona: Persona) -> Answer:
    """A colleague's reply to an internal request: what they need and by when."""
    revealed = [_item("need", n) for n in persona.needs] + [
        _item("preference", p) for p in persona.preferences if not p.hidden
    ]
    when = [n.value for n in persona.needs if n.type == NeedType.TIMESCALE.value]
    what = [n.value for n in persona.needs if n.type != NeedType.TIMESCALE.value]
    parts = []
    if what:
        parts.append("What I need: " + "; ".join(what) + ".")
    if when:
        parts.append("By when: " + "; ".join(when) + ".")
    if not parts:
        parts.append("Thanks, that works for me.")
    return Answer(AnswerKind.REPLY, _say(persona, *parts), {"revealed": revealed})


def unwanted_marketing(persona: Persona, channel_label: str) -> Answer:
    """A complaint about marketing on a channel they never agreed to."""
    return Answer(
        AnswerKind.COMPLAINT,
        _say(
            persona,
            f"I never agreed to receive marketing by {channel_label.lower()}. "
            "Please stop sending it and take me off your list.",
            unprompted=True,
        ),
        {"promise_of": None},
    )


def chase(persona: Persona, promise: Interaction, count: int) -> Answer:
    """The customer chasing a promised contact that did not come."""
    again = " again" if count > 1 else ""
    return Answer(
        AnswerKind.CHASE,
        _say(
            persona,
            f"I'm chasing{again}: you said you would be back in touch by "
            f"{promise.promise_by:%H:%M} on {promise.promise_by.day} {promise.promise_by:%B} "
            "and I have heard nothing.",
            unprompted=True,
        ),
        {"promise_of": promise.id},
        promise.complaint_id,
    )


def escalation(persona: Persona, promise: Interaction) -> Answer:
    """After chasing in vain about a complaint: asking for it to go higher."""
    return Answer(
        AnswerKind.ESCALATION,
        _say(
            persona,
            "I have chased and still heard nothing. I want my complaint passed to a manager.",
            unprompted=True,
        ),
        {"promise_of": promise.id},
        promise.complaint_id,
    )


def complaint_about_silence(persona: Persona, promise: Interaction) -> Answer:
    """After chasing in vain about anything else: a complaint."""
    return Answer(
        AnswerKind.COMPLAINT,
        _say(
            persona,
            "I want to make a complaint: you promised to get back to me and never did, "
            "even after I chased.",
            unprompted=True,
        ),
        {"promise_of": promise.id},
    )


def leaving(persona: Persona, promise: Interaction | None) -> Answer:
    """Taking their business elsewhere."""
    return Answer(
        AnswerKind.LEAVING,
        _say(
            persona,
            "I've given up waiting. I'll be taking my business elsewhere from now on.",
            sign_off=False,
            unprompted=True,
        ),
        {"promise_of": promise.id if promise is not None else None},
        promise.complaint_id if promise is not None else None,
    )


# --- A proposed service standard ----------------------------------------------------------

_TIME_IN_NEED = re.compile(r"(\d+(?:\.\d+)?)\s*(working\s+hours?|working\s+days?)", re.I)
_TIME_MEASURES = ("complaint_ack_time", "complaint_resolution_time", "first_response_time")
# A customer relies on a standard only if most cases meet it: a share below this is no promise.
MIN_SHARE_TO_RELY_ON = 80


def _time_asked(persona: Persona) -> list[tuple[float, str, str]]:
    """The times the customer's own timescale needs ask for: (amount, unit, their words)."""
    asked = []
    for need in persona.needs:
        if need.type != NeedType.TIMESCALE.value:
            continue
        for amount, unit in _TIME_IN_NEED.findall(need.value):
            unit = "working_hours" if "hour" in unit.lower() else "working_days"
            asked.append((float(amount), unit, need.value))
    return asked


def answer_standard_proposal(persona: Persona, proposal: dict) -> Answer:
    """The customer's answer to a proposed service standard (purpose propose_standard): they
    agree a standard they could check us against (measurable as written) whose time allowed is
    no longer than the time their own needs ask for, and that most cases meet (a share of at
    least MIN_SHARE_TO_RELY_ON percent); otherwise they say why not. Judged on the standard's
    terms as proposed (its measure, numbers, unit and method), never its words."""
    terms = proposal.get("terms") or {}
    details = {"standard_id": proposal.get("standard_id"), "terms": terms}
    if proposal.get("problems"):
        words = (
            "I can't agree to that as it stands: I would have no way of telling whether you "
            "had met it. What exactly will you count, what is the target, and how often will "
            "you check?"
        )
        return Answer(
            AnswerKind.QUERIES_STANDARD, _say(persona, words), {**details, "reason": "vague"}
        )
    share = terms.get("target_percent")
    if (
        share is None
        and terms.get("measure") == "manual"
        and "%" in (terms.get("threshold_unit") or "")
    ):
        share = terms.get("threshold")
    if share is not None and float(share) < MIN_SHARE_TO_RELY_ON:
        words = (
            "That target is too low for us to rely on: most of the time we would not know "
            "whether it would happen. Can you commit to a much higher share?"
        )
        return Answer(
            AnswerKind.QUERIES_STANDARD, _say(persona, words), {**details, "reason": "too_low"}
        )
    if terms.get("measure") in _TIME_MEASURES and terms.get("threshold") is not None:
        for amount, unit, value in _time_asked(persona):
            if unit == terms.get("threshold_unit") and float(terms["threshold"]) > amount:
                words = f"That is longer than we can work with: what we need is {value}."
                return Answer(
                    AnswerKind.QUERIES_STANDARD,
                    _say(persona, words),
                    {**details, "reason": "too_slow"},
                )
    words = (
        "Yes, I agree to that standard as you have set it out: it says what you will do, "
        "the target and how it will be checked."
    )
    return Answer(
        AnswerKind.AGREES_STANDARD, _say(persona, words, settled=True), {**details, "reason": ""}
    )
