"""Check type `standard_measurable_agreed`: a standard written in this attempt that can be
measured, agreed with the right customer from the customer's side.

Measurable is judged on structure (`services/standards/measurability`): a measure the CRM
computes with its numbers (time allowed and unit, share of cases, score) and period, or a
manual measure with its number, unit and a stated method ("how it is measured"). Agreed means
the customer's own reply to the learner's proposal of the standard (a message with purpose
`propose_standard`; the reply's answer kind `agrees_standard`) agreed the standard with the
terms it has now, and the learner recorded the agreement by pointing at that reply. An
agreement on the learner's word alone is a box ticked, not evidence, unless the scenario says
so (`agreement: recorded`). The standard's words never decide anything.
"""

from __future__ import annotations

from typing import Literal

from ..models import Contact, ServiceStandard
from ..services.standards import measurability_problems, terms
from ..wording import count_of
from . import CheckResult, Params, register
from ._helpers import as_log

WHERE = "Service standards (open the standard)"


class MeasurableAgreed(Params):
    min: int = 1
    measures: list[str] = []  # only standards of these measures count (empty: any)
    agreed_with_contact: str | None = None  # an opening contact who must have agreed it
    agreed_with_category: Literal["internal", "external"] | None = None
    # customer_reply: the agreement points at the customer's reply agreeing the standard as
    # it stands (the default); recorded: the learner's record of who agreed it is enough.
    agreement: Literal["customer_reply", "recorded"] = "customer_reply"


REASONS = {
    "vague": (
        "{n} written but not measurable as written (the standard's page says what is "
        "missing): a measurable standard says what is counted, the target and its unit, the "
        "share of cases and how often it is checked, and a manual measure how it is measured"
    ),
    "not_agreed": (
        "{n} measurable but not yet agreed: propose it to the customer it is for and record "
        "the agreement from their reply, on " + WHERE
    ),
    "own_word": (
        "{n} recorded as agreed without the customer's reply: agreement comes from the "
        "customer, so propose the standard to them and record it from the reply in which "
        "they agree it"
    ),
    "wrong_customer": (
        "{n} agreed with another customer, none yet with the customer this task is about: "
        "check who the standard is for (an internal or an external customer)"
    ),
    "other_measure": (
        "{n} agreed that measure something other than what this task is about: re-read the "
        "task and the policy it quotes"
    ),
}


def _reply_agrees(log, entry, standard: ServiceStandard) -> int | None:
    """The contact id of the customer whose reply, in this attempt's log, agreed the
    standard with the terms it has now and is the one the agreement points at."""
    reply_id = entry.after.get("agreed_reply_id")
    if not reply_id:
        return None
    for item in log.about(reply_id):
        after = item.after
        if (
            item.verb == "interaction.logged"
            and item.object_type == "interaction"
            and after.get("direction") == "inbound"
            and after.get("answer_kind") == "agrees_standard"
            and after.get("standard_id") == standard.id
            and (after.get("details") or {}).get("terms") == terms(standard)
            and item.seq < entry.seq
        ):
            return after.get("contact_id")
    return None


def _judge(log, s: ServiceStandard, entry, p: MeasurableAgreed, want_contact, contacts):
    """Why this standard does not count (None when it does)."""
    if measurability_problems(s):
        return "vague"
    if entry is None or s.status != "agreed":
        return "not_agreed"
    if p.agreement == "customer_reply":
        who = _reply_agrees(log, entry, s)
        if who is None:
            return "own_word"
    else:
        who = s.agreed_with_contact_id
    if want_contact is not None and who != want_contact:
        return "wrong_customer"
    if p.agreed_with_category:
        contact = contacts.get(who)
        if contact is None or contact.category != p.agreed_with_category:
            return "wrong_customer"
    if p.measures and s.measure not in p.measures:
        return "other_measure"
    return None


@register("standard_measurable_agreed", MeasurableAgreed)
def standard_measurable_agreed(state, log, scenario, p: MeasurableAgreed) -> CheckResult:
    """Passes when at least `min` standards written in this attempt (of one of `measures`, if
    given) are measurable and agreed: with `agreement: customer_reply` (the default), the
    agreement points at the customer's reply that agreed the standard as it stands; the
    customer who agreed is the named opening contact, or of the given category, if asked."""
    log = as_log(log)
    made = {i.object_id for i in log.of("standard.created")}
    agreements = {item.object_id: item for item in log.of("standard.agreed")}  # the latest
    contacts = {c.id: c for c in state.all(Contact)}
    want_contact = state.id_of("contacts", p.agreed_with_contact) if p.agreed_with_contact else None
    written = [s for s in state.all(ServiceStandard) if s.id in made]
    good, why = [], {}
    for s in written:
        reason = _judge(log, s, agreements.get(s.id), p, want_contact, contacts)
        if reason is None:
            good.append(s)
        else:
            why.setdefault(reason, []).append(s)
    if len(good) >= p.min:
        how = "reply" if p.agreement == "customer_reply" else "record"
        return CheckResult(
            True,
            f"{count_of(len(good), 'measurable standard')} agreed, by the customer's {how}.",
            [agreements[s.id].seq for s in good],
        )
    if not written:
        return CheckResult(
            False,
            "no service standard has been written in this attempt: write one under " + WHERE + ".",
        )
    order = ["wrong_customer", "other_measure", "own_word", "not_agreed", "vague"]
    problems = [
        REASONS[reason].format(n=count_of(len(why[reason]), "standard"))
        for reason in order
        if reason in why
    ]
    evidence = sorted(agreements[s.id].seq for s in written if s.id in agreements)
    return CheckResult(False, "; ".join(problems) + ".", evidence)
