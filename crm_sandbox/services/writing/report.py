"""The writing report of an attempt: every message the learner sent, as the assessor, the
tutor and the evidence pack show it (never shown to the learner as marks: they see the
checks' feedback)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...models import Attempt, Contact, db
from ...wording import datetime_text
from . import spelling
from .asks import ASKS

TONE = "Tone and empathy: for you to judge."


@dataclass
class MessageLines:
    """One message in words: what it was, and each finding as a line."""

    heading: str
    words: str
    findings: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    flags: int = 0  # findings an assessor should look at (errors, unanswered, broken, disclosed)


@dataclass
class WritingReport:
    messages: list  # checks._writing.MessageReport
    names: dict[int, str]
    spelling_available: bool

    def lines(self) -> list[MessageLines]:
        """Each message's report in words, for a page or the evidence pack."""
        return [_lines(m, self.names) for m in self.messages]


def _purpose(value: str | None) -> str:
    from ...models.interactions import PURPOSE_LABELS

    return PURPOSE_LABELS.get(value or "", "Logged contact")


def _spelling_line(m) -> tuple[str, int]:
    if not m.spelling.checked:
        return spelling.UNAVAILABLE, 0
    if not m.spelling.errors:
        return m.spelling.note, 0
    return f"{m.spelling.note}: {', '.join(m.spelling.errors)}", len(m.spelling.errors)


def _answer_lines(m) -> tuple[list[tuple[str, str]], int]:
    if m.replies_to is None:
        return [("Replies to", "no message from the customer (a message we started)")], 0
    question = m.replies_to
    asks = [a for a in m.answers]
    out = [("Replies to", f"their message of {datetime_text(question.sandbox_time)}")]
    flags = 0
    if not asks:
        out.append(
            (
                "Answers what was asked",
                "the customer's message is free text: whether the reply answers it is for you "
                "to judge",
            )
        )
    for a in asks:
        text = f"they asked {ASKS.get(a.kind, a.kind)}: {a.status}"
        if a.how:
            text += f" ({a.how})"
        flags += a.status == "not answered"
        out.append(("Answers what was asked", text))
    return out, flags


def _lines(m, names: dict[int, str]) -> MessageLines:
    to = names.get(m.contact_id, "a contact")
    heading = (
        f"{datetime_text(m.sent_at)} · to {to} · {m.channel.replace('_', ' ')} · "
        f"{_purpose(m.purpose)} · {m.word_count} words"
    )
    text, flags = _spelling_line(m)
    findings = [("Spelling", text)]
    answers, unanswered = _answer_lines(m)
    findings += answers
    flags += unanswered
    if m.promise is not None:
        promise = f"next contact by {datetime_text(m.promise.by)}: {m.promise.status}"
        if m.promise.kept_at is not None:
            promise += f" (contact made {datetime_text(m.promise.kept_at)})"
        findings.append(("Promise", promise))
        flags += m.promise.status == "broken"
    else:
        findings.append(("Promise", "none recorded on the message"))
    for d in m.disclosures:
        findings.append(("Discloses", f"{d.name}: {d.words}"))
        flags += 1
    findings.append(("Tone and empathy", "for you to judge"))
    return MessageLines(heading, m.words, findings, flags)


def for_attempt(attempt: Attempt) -> WritingReport:
    """The writing report on every message sent in this attempt (since it last started)."""
    from ...checks._writing import reports
    from ...scenarios.state import SandboxState, load_log

    state = SandboxState(attempt.sandbox, attempt.keys or {})
    messages = reports(state, load_log(attempt.sandbox_id))
    ids = {m.contact_id for m in messages}
    names = {}
    if ids:
        names = {
            row.id: f"{row.first_name} {row.last_name}".strip() or row.organisation_name
            for row in db.session.execute(
                select(
                    Contact.id, Contact.first_name, Contact.last_name, Contact.organisation_name
                ).where(Contact.sandbox_id == attempt.sandbox_id, Contact.id.in_(ids))
            )
        }
    return WritingReport(messages, names, spelling.available() if messages else True)
