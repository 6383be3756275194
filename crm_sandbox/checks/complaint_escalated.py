"""Check type `complaint_escalated`: the complaint was escalated to the right level, for the
reason the procedure gives (chosen from its `escalate_when` rules, by number, with the learner's
own words beside it), only once the situation had arisen (the customer's own message about this
complaint: "not satisfied", a turned-down remedy, a request to escalate), and, where the reason
is a refund or compensation asked for, with the amount the customer asked for. The learner's
words never decide it. With `expect: false` it is a "did not escalate" check: not yet judged
until the complaint has been resolved at the front line."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from ..models.interactions import AnswerKind
from . import CheckResult, Params, not_yet, register
from ._policy import (
    LEVEL_WORDS,
    Level,
    closed_entry,
    customer_messages,
    entries,
    to_money,
)

PENNY = Decimal("0.01")
WHERE = "the complaints procedure's reasons for escalating (Organisation & policies)"


class ComplaintEscalated(Params):
    complaint: str
    level: Level = "supervisor"
    expect: bool = True  # False: the complaint must NOT be escalated (it was not needed)
    # The procedure's reasons (numbers in its `escalate_when`, from 1) that apply here; empty:
    # any of the procedure's reasons, as long as one is chosen.
    rules: list[int] = Field(default=[], max_length=10)
    # The customer's messages about this complaint that make escalation due (answer kinds:
    # not_satisfied, rejects, escalation, chase, complaint ...); empty: due from the start.
    after_answer: list[AnswerKind] = []
    amount: float | None = Field(default=None, gt=0)  # the refund/compensation asked for


def _not_escalated(state, log, complaint, p: ComplaintEscalated) -> CheckResult:
    moves = entries(log, complaint.id, "complaint.escalated")
    if moves:
        return CheckResult(
            False,
            "it was escalated although none of the procedure's reasons for escalating applied: "
            "a complaint the front line can put right stays at the front line.",
            [i.seq for i in moves],
        )
    resolved = entries(log, complaint.id, "complaint.resolved")
    if not resolved:
        return not_yet("the complaint has not been resolved at the front line yet.")
    return CheckResult(
        True, "handled at the front line, as the procedure allows.", [resolved[0].seq]
    )


def _not_reached(log, complaint, p, moves, situation, level) -> CheckResult:
    """Not (yet) escalated to the level: a miss once the situation arose or it was closed."""
    evidence = [i.seq for i in moves]
    if situation is not None:
        return CheckResult(
            False,
            f"the customer's message about this complaint calls for escalation, but it "
            f"has not been escalated to the {level} level: check {WHERE}.",
            [situation.seq, *evidence],
        )
    closed = closed_entry(log, complaint.id)
    if closed is not None:
        return CheckResult(
            False,
            f"the complaint was closed without being escalated to the {level} level: "
            f"check {WHERE}.",
            [closed.seq, *evidence],
        )
    if p.after_answer:
        return not_yet("nothing the customer has said calls for escalation yet.", evidence)
    return not_yet(f"the complaint has not been escalated to the {level} level yet.", evidence)


def _wrong_reason(item, p: ComplaintEscalated, evidence: list[int]) -> CheckResult | None:
    """What is wrong with the escalation's structured reason (the procedure's rule chosen, the
    amount asked for), or None when it is right."""
    rule = item.after.get("rule")
    if rule is None:
        return CheckResult(
            False,
            f"the escalation does not give the procedure's reason: choose it from {WHERE}, with "
            "your own words beside it.",
            evidence,
        )
    if p.rules and rule not in p.rules:
        text = item.after.get("rule_text") or ""
        chosen = f" (\u201c{text}\u201d)" if text else ""
        return CheckResult(
            False,
            f"the procedure's reason you chose{chosen} is not what calls for escalation here: "
            f"which of {WHERE} fits what the customer told you?",
            evidence,
        )
    if p.amount is not None:
        asked = to_money(item.after.get("amount"))
        if asked is None:
            return CheckResult(
                False,
                "the escalation does not record how much the customer asked for: that amount "
                "is what the procedure's reason turns on; take it from their message.",
                evidence,
            )
        if abs(asked - Decimal(str(p.amount))) > PENNY:
            return CheckResult(
                False,
                f"the amount you recorded (£{asked:.2f}) is not what the customer asked for: "
                "read their message again.",
                evidence,
            )
    return None


@register("complaint_escalated", ComplaintEscalated)
def complaint_escalated(state, log, scenario, p: ComplaintEscalated) -> CheckResult:
    """Passes when the complaint was escalated to `level` choosing one of `rules` (any of the
    procedure's reasons when none are listed), after the customer's first message of a kind in
    `after_answer` about this complaint, with `amount` as the amount asked for (to the penny)
    when given. With `expect: false`, passes once it was resolved at the front line and never
    escalated."""
    complaint = state.get("complaints", p.complaint)
    if complaint is None:
        return CheckResult(False, "the complaint was not found.")
    if not p.expect:
        return _not_escalated(state, log, complaint, p)
    level = LEVEL_WORDS.get(p.level, p.level)
    moves = entries(log, complaint.id, "complaint.escalated")
    reached = [i for i in moves if i.after.get("level") == p.level]
    situation = None
    if p.after_answer:
        said = customer_messages(log, complaint, [str(k) for k in p.after_answer])
        situation = said[0] if said else None
    if not reached:
        return _not_reached(log, complaint, p, moves, situation, level)
    item = reached[0]
    if p.after_answer and (situation is None or situation.seq > item.seq):
        return CheckResult(
            False,
            "it was escalated before the customer gave a reason to: the procedure escalates "
            "when the customer tells you (is not satisfied, turns the outcome down, asks for "
            "it); wait for and read their answer first.",
            [item.seq] + ([situation.seq] if situation is not None else []),
        )
    evidence = ([situation.seq] if situation is not None else []) + [item.seq]
    wrong = _wrong_reason(item, p, evidence)
    if wrong is not None:
        return wrong
    return CheckResult(
        True,
        f"escalated to the {level} level for the reason the procedure gives"
        + (", after the customer's answer." if situation is not None else "."),
        evidence,
    )
