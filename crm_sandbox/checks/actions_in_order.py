"""Check type `actions_in_order`: the service cycle's steps happened in the required order
(identify need -> agree standard -> deliver -> monitor -> evaluate -> improve), with the first
three judged per customer: this customer's need confirmed by this customer's reply, a standard
agreed with them, and the service delivered to them, in that order."""

from __future__ import annotations

from ..models import Complaint
from . import CheckResult, Params, not_yet, register
from ._helpers import as_log, replies

# Asking about needs and summarising them back find the needs; they do not deliver anything.
NOT_DELIVERING = {"ask_needs", "confirm_needs"}

# Which logged actions count as each step of the cycle.
STEPS = {
    "identify": ("need.confirmed",),
    "agree": ("standard.agreed",),
    "deliver": ("interaction.logged", "complaint.resolved"),
    "monitor": ("standard.finding_recorded", "survey.sent", "survey.response_recorded"),
    "evaluate": ("finding.recorded", "improvement.evaluated"),
    "improve": ("improvement.planned",),
}
ORDER = ("identify", "agree", "deliver", "monitor", "evaluate", "improve")
PER_CUSTOMER = ("identify", "agree", "deliver")
WORDS = {
    "identify": "identifying the need (confirmed by the customer's reply to your summary)",
    "agree": "agreeing a standard with the customer",
    "deliver": "delivering the service to the customer",
    "monitor": "monitoring (a finding on the standard, or feedback collected)",
    "evaluate": "evaluating (a finding from the evidence, or an improvement evaluated)",
    "improve": "planning an improvement",
}


class InOrder(Params):
    steps: list[str] = list(ORDER)
    # The customer the cycle is for; without it, any customer whose own cycle is in order.
    contact: str | None = None


class _Cycle:
    """The log read once: which entries count as each step, per customer where it applies."""

    def __init__(self, state, log):
        self.log = as_log(log)
        self.state = state
        self._complaint_contacts = None

    def _complaint_contact(self, complaint_id):
        if self._complaint_contacts is None:
            self._complaint_contacts = {c.id: c.contact_id for c in self.state.all(Complaint)}
        return self._complaint_contacts.get(complaint_id)

    def confirmed_by_reply(self, item) -> bool:
        """A `need.confirmed` that points at the need's customer's reply to a summary, which
        confirmed this very need: not a tick, not another customer's reply."""
        contact_id = item.after_contact_id
        reply = replies(self.log, contact_id, "needs_reply").get(item.after.get("reply_id"))
        return reply is not None and item.object_id in (
            (reply.after.get("details") or {}).get("confirmed") or []
        )

    def counts(self, step: str, item, contact_id) -> bool:
        if step == "identify":
            return self.confirmed_by_reply(item) and (
                contact_id is None or item.after_contact_id == contact_id
            )
        if step == "agree":
            return contact_id is None or item.after.get("agreed_with_contact_id") in (
                contact_id,
                None,
            )
        if step == "deliver" and item.verb == "interaction.logged":
            return (
                item.after.get("direction") == "outbound"
                and item.after.get("purpose") not in NOT_DELIVERING
                and (contact_id is None or item.after_contact_id == contact_id)
            )
        if step == "deliver":  # a complaint resolved: the customer's own, when per customer
            return contact_id is None or self._complaint_contact(item.object_id) == contact_id
        return True

    def customers(self) -> list:
        """Every customer with a need confirmed by their reply, in the order confirmed."""
        out = []
        for item in self.log.of("need.confirmed"):
            if item.after_contact_id not in out and self.confirmed_by_reply(item):
                out.append(item.after_contact_id)
        return out

    def walk(self, steps, contact_id) -> CheckResult:
        last_seq, evidence = 0, []
        for step in steps:
            scoped = contact_id if step in PER_CUSTOMER else None
            done = [i for i in self.log.of(*STEPS[step]) if self.counts(step, i, scoped)]
            item = next((i for i in done if i.seq > last_seq), None)
            if item is None:
                if done:
                    return CheckResult(
                        False,
                        f"{WORDS[step]} happened, but not after the step before it: follow "
                        "the cycle in order (identify need, agree standard, deliver, monitor, "
                        "evaluate, improve).",
                        evidence,
                    )
                return CheckResult(False, f"{WORDS[step]} has not happened yet.", evidence)
            if step == "identify" and "deliver" in steps:
                early = next(
                    (
                        i
                        for i in self.log.of(*STEPS["deliver"])
                        if i.seq < item.seq and self.counts("deliver", i, scoped)
                    ),
                    None,
                )
                if early is not None:
                    return CheckResult(
                        False,
                        "the service was delivered to the customer before their reply "
                        "confirmed the need: acting before the need is confirmed breaks the "
                        "cycle.",
                        [early.seq, item.seq],
                    )
            evidence.append(item.seq)
            last_seq = item.seq
        return CheckResult(True, "the cycle was followed in order.", evidence)


@register("actions_in_order", InOrder)
def actions_in_order(state, log, scenario, p: InOrder) -> CheckResult:
    """Passes when each step happened, each one after the step before it (the first
    occurrence of a step after the previous step counts). Identifying a need means a need
    marked confirmed from the customer's own reply that confirmed it; agreeing a standard, one
    agreed with that customer (or with nobody on record); delivering, an outbound message to
    that customer with another purpose than asking about or summarising their needs, or their
    complaint resolved; delivering to them before their need was confirmed fails. These three
    are per customer: `contact`'s, or, without it, any one customer's whose cycle is in order.
    Not yet judged while none of the steps has happened."""
    unknown = [s for s in p.steps if s not in STEPS]
    if unknown:
        return CheckResult(False, f"(scenario error: unknown step(s) {unknown})")
    cycle = _Cycle(state, log)
    if not any(cycle.counts(step, i, None) for step in p.steps for i in cycle.log.of(*STEPS[step])):
        return not_yet("none of the steps of the service cycle has happened yet.")
    if p.contact is not None:
        return cycle.walk(p.steps, state.id_of("contacts", p.contact))
    if "identify" not in p.steps:  # no customer's need to follow: the steps as logged
        return cycle.walk(p.steps, None)
    results = [cycle.walk(p.steps, contact_id) for contact_id in cycle.customers()]
    passed = next((r for r in results if r.passed), None)
    if passed is not None:
        return passed
    if results:
        return results[0]
    return cycle.walk(p.steps, -1)  # nobody's need confirmed: says what is missing
