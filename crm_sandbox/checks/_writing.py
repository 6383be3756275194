"""The writing report's judgements on the learner's messages, from the action log: spelling
(British English dictionary, with the sandbox's own names allowed), what the customer asked
and whether a reply answers it (from structure: purposes, the complaint a message is about, a
promise's time; never from keywords), the promise a message makes and whether it was kept
(`_timing.promise_report`, the rule `promises_kept` uses), and what it discloses about
someone else (`_disclosure`). Shared by the `messages_proofread` and `no_disclosure` checks
and by `services/writing/report.py`, which shows it to the assessor, tutor and evidence pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..models import Contact, Order, db
from ..services.writing import spelling
from ..services.writing.asks import (
    ANSWER_MIN_WORDS,
    ANSWERED_BY,
    ASKS,
    PROGRESS_PURPOSES,
    judged_by_structure,
)
from ._disclosure import Disclosure, people_of
from ._helpers import as_log
from ._timing import promise_report

ANSWERED = "answered"
NOT_ANSWERED = "not answered"
TO_JUDGE = "for you to judge"


@dataclass
class AskResult:
    """One thing the customer asked, and how the message (or the learner's messages since)
    answered it."""

    kind: str
    status: str  # answered / not answered / for you to judge
    how: str = ""

    @property
    def asked(self) -> str:
        return ASKS.get(self.kind, self.kind)


@dataclass
class PromiseResult:
    by: datetime
    status: str  # kept / broken / open
    kept_at: datetime | None = None


@dataclass
class MessageReport:
    """The writing report on one message the learner sent."""

    seq: int
    interaction_id: int | None
    contact_id: int | None
    sent_at: datetime
    channel: str
    purpose: str | None
    words: str
    word_count: int
    spelling: spelling.Spelling
    replies_to: object | None = None  # the customer's message it answers (a log item)
    answers: list[AskResult] = field(default_factory=list)
    promise: PromiseResult | None = None
    disclosures: list[Disclosure] = field(default_factory=list)

    @property
    def free_text_reply(self) -> bool:
        """It replies to a message whose question only the assessor can judge."""
        return self.replies_to is not None and not any(a.status != TO_JUDGE for a in self.answers)


def word_count(text: str) -> int:
    return len(re.findall(r"[\w£'’-]+", text or ""))


def allowed_words(state) -> frozenset[str]:
    """The sandbox's own words the dictionary need not know: its customers' and colleagues'
    names, its organisation's name, departments and their heads, the learner's own name, and
    what its orders are for and their references. Read once per evaluation (kept on the
    state)."""
    cached = getattr(state, "_allowed_words", None)
    if cached is not None:
        return cached
    sandbox_id = state.sandbox.id
    organisation = state.sandbox.organisation
    texts = []
    if organisation is not None:
        # its name, its departments and their heads (a learner signs off or names them)
        texts.append(organisation.name)
        for department in organisation.departments or []:
            if isinstance(department, dict):
                texts += [str(department.get("name", "")), str(department.get("head", ""))]
    if state.sandbox.owner is not None:
        texts.append(state.sandbox.owner.name)  # the learner signs their messages
    for row in db.session.execute(
        select(
            Contact.first_name, Contact.last_name, Contact.organisation_name, Contact.email
        ).where(Contact.sandbox_id == sandbox_id)
    ):
        texts.extend([row.first_name, row.last_name, row.organisation_name])
    for row in db.session.execute(
        select(Order.description, Order.reference).where(Order.sandbox_id == sandbox_id)
    ):
        texts.extend([row.description, row.reference])
    words = frozenset(spelling.names_in(*texts))
    state._allowed_words = words
    return words


def sent(log, contact_ids=None) -> list:
    """The learner's messages (outbound `interaction.logged`), to these contacts if given."""
    return [
        i
        for i in as_log(log).of("interaction.logged")
        if i.after.get("direction") == "outbound"
        and (contact_ids is None or i.after_contact_id in contact_ids)
    ]


def received(log, contact_ids=None) -> list:
    """The customers' messages (inbound, from the customer or a scenario event)."""
    return [
        i
        for i in as_log(log).of("interaction.logged")
        if i.after.get("direction") == "inbound"
        and (contact_ids is None or i.after_contact_id in contact_ids)
    ]


def asks_of(item) -> list[str]:
    return [a for a in ((item.after.get("details") or {}).get("asks") or []) if a in ASKS]


def answers(kind: str, question, message, min_words: int = ANSWER_MIN_WORDS) -> bool:
    """Whether `message` (the learner's) answers the `kind` the customer's `question` asked,
    from the message's structure: its purpose, the complaint it is about, its promise."""
    after = message.after
    if word_count(after.get("summary", "")) < min_words:
        return False
    complaint = question.after.get("complaint_id")
    same_complaint = complaint is None or after.get("complaint_id") == complaint
    if kind == "complaint_progress":
        return after.get("purpose") in PROGRESS_PURPOSES and same_complaint
    if kind == "next_contact":
        return bool(after.get("promise_by"))
    if kind == "resolution":
        return after.get("purpose") == "propose_resolution" and same_complaint
    return False


def replied_to(log, message):
    """The customer's message a message of ours answers: the one it names (in reply to), or
    else the customer's latest message before it that nothing had answered."""
    log = as_log(log)
    target = message.after.get("in_reply_to_id")
    if target is not None:
        for item in log.about(target):
            if item.verb == "interaction.logged":
                return item
    latest = None
    for item in log.of("interaction.logged"):
        if item.seq >= message.seq:
            break
        if item.after_contact_id != message.after_contact_id:
            continue
        latest = item if item.after.get("direction") == "inbound" else None
    return latest


def _ask_results(log, question, message, messages, min_words) -> list[AskResult]:
    out = []
    for kind in asks_of(question):
        if not judged_by_structure(kind):
            out.append(AskResult(kind, TO_JUDGE, "the reply's words are for you to judge"))
            continue
        if answers(kind, question, message, min_words):
            out.append(AskResult(kind, ANSWERED, f"by {ANSWERED_BY[kind]}"))
            continue
        later = next(
            (
                m
                for m in messages
                if m.seq > question.seq
                and m.after_contact_id == question.after_contact_id
                and answers(kind, question, m, min_words)
            ),
            None,
        )
        how = f"not by this message; by a later one ({ANSWERED_BY[kind]})" if later else ""
        out.append(AskResult(kind, ANSWERED if later else NOT_ANSWERED, how))
    return out


def _promise(state, message, promises) -> PromiseResult | None:
    """What became of the promise a message made (the `promises_kept` check's own rule:
    `_timing.promise_report`), or None when it made none."""
    promise = promises.get(message.seq)
    if promise is None:
        return None
    kept = promise.kept_by
    state_now = promise.state(state.now)
    return PromiseResult(promise.due, state_now, kept.sandbox_time if kept is not None else None)


def reports(state, log, contact_ids=None, min_words: int = ANSWER_MIN_WORDS):
    """The writing report on each message the learner sent (to these contacts), oldest
    first."""
    log = as_log(log)
    messages = sent(log, contact_ids)
    everyone = sent(log) if contact_ids is not None else messages
    allowed = allowed_words(state) if messages else frozenset()
    people = people_of(state) if messages else None
    promises = {pr.made.seq: pr for pr in promise_report(log)} if messages else {}
    out = []
    for m in messages:
        words = m.after.get("summary") or ""
        question = replied_to(log, m)
        out.append(
            MessageReport(
                seq=m.seq,
                interaction_id=m.object_id,
                contact_id=m.after_contact_id,
                sent_at=m.sandbox_time,
                channel=m.after.get("channel", ""),
                purpose=m.after.get("purpose"),
                words=words,
                word_count=word_count(words),
                spelling=spelling.check(words, allowed),
                replies_to=question,
                answers=_ask_results(log, question, m, everyone, min_words) if question else [],
                promise=_promise(state, m, promises),
                disclosures=people.disclosures(words, m.after_contact_id) if people else [],
            )
        )
    return out


def unanswered(log, contact_ids, min_words: int = ANSWER_MIN_WORDS) -> list[tuple]:
    """(customer's message, kind) for each question the CRM can judge that no message of
    ours since answers."""
    messages = sent(log, contact_ids)
    out = []
    for question in received(log, contact_ids):
        for kind in asks_of(question):
            if not judged_by_structure(kind):
                continue
            if not any(
                m.seq > question.seq
                and m.after_contact_id == question.after_contact_id
                and answers(kind, question, m, min_words)
                for m in messages
            ):
                out.append((question, kind))
    return out
