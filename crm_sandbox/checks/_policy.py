"""Helpers the complaint-policy check types share (remedies, policy rules, escalation, lessons):
what was offered on a complaint, at which level of the procedure each entry happened, and the
customer's own messages about it. Not a check type (the underscore keeps it out of the
registry's automatic imports)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from ..services.customers.persona import remedy_text
from ._helpers import as_log

Level = Literal["front_line", "supervisor", "manager", "external_review"]
FIRST_LEVEL = "front_line"
# Remedies that come on top of what a policy gives (a goodwill gesture, an apology, an
# explanation): offered after the policy's remedy, they do not replace it.
EXTRAS = ("goodwill_payment", "apology", "explanation")
LEVEL_WORDS = {
    "front_line": "front-line (stage 1)",
    "supervisor": "supervisor (stage 2)",
    "manager": "manager (stage 3)",
    "external_review": "external review",
}


def entries(log, complaint_id: int, verb: str) -> list:
    """The complaint's own entries with this verb, in order."""
    about = as_log(log).about(complaint_id)
    return [i for i in about if i.verb == verb and i.object_type == "complaint"]


def level_at(log, complaint_id: int, seq: int) -> str:
    """The procedure level the complaint was at when entry `seq` happened: the level of the
    last escalation before it, or the first level."""
    level = FIRST_LEVEL
    for item in entries(log, complaint_id, "complaint.escalated"):
        if item.seq < seq:
            level = item.after.get("level") or level
    return level


def closed_entry(log, complaint_id: int):
    """The complaint's (last) close, or None."""
    closes = entries(log, complaint_id, "complaint.closed")
    return closes[-1] if closes else None


def offers(log, complaint_id: int, level: str | None = None) -> list:
    """Remedies offered to the customer on this complaint (a proposal, or a resolution that
    carried a remedy: both are `propose_resolution` messages), before it was closed, at `level`
    when given, in order."""
    closed = closed_entry(log, complaint_id)
    found = []
    for item in as_log(log).of("interaction.logged"):
        after = item.after
        if (
            after.get("direction") != "outbound"
            or after.get("purpose") != "propose_resolution"
            or after.get("complaint_id") != complaint_id
            or not (after.get("details") or {}).get("remedy")
        ):
            continue
        if closed is not None and item.seq > closed.seq:
            continue
        if level is not None and level_at(log, complaint_id, item.seq) != level:
            continue
        found.append(item)
    return found


def remedy_of(item) -> dict:
    return (item.after.get("details") or {}).get("remedy") or {}


def remedy_words(remedy: dict) -> str:
    """ "a partial refund of £20.00 by Fri 27 Mar 2026": what the learner offered, in words."""
    text = remedy_text(remedy)
    text = text[0].lower() + text[1:]
    return ("an " if text[0] in "aeiou" else "a ") + text


def to_money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def customer_messages(log, complaint, kinds) -> list:
    """The customer's own messages about this complaint (answers and chases recorded by the
    simulated customer or a scenario event, never anything the learner typed), of these answer
    kinds, in order. A learner's inbound note carries no answer kind, so it never counts."""
    kinds = set(kinds)
    return [
        item
        for item in as_log(log).of("interaction.logged")
        if item.after_contact_id == complaint.contact_id
        and item.after.get("direction") == "inbound"
        and item.after.get("answer_kind") in kinds
        and about_complaint(item) == complaint.id
    ]


def about_complaint(item) -> int | None:
    """The complaint a customer's message is about."""
    return item.after.get("complaint_id") or (item.after.get("details") or {}).get("complaint_id")
