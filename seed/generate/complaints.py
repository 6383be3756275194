"""Complaints: who complains, how far each complaint goes, and the finished rows.
The story of each complaint is told in seed.generate.story.
"""

from __future__ import annotations

import re
from datetime import datetime
from math import ceil

from .common import _ComplaintPlan, _weighted_sample

# Who complains: at-risk customers most (often why they are at risk), a few internal customers.
COMPLAINT_WEIGHT = {"new": 0.8, "regular": 1.0, "key_account": 1.5, "at_risk": 2.0}
INTERNAL_COMPLAINT_SHARE = 0.05
OPEN_COMPLAINT_SHARE = 0.15  # still open at the clock start, at different stages
OPEN_STAGES = (
    "received",
    "investigating",
    "waiting_customer",
    "acknowledged",
    "resolved",
    "received",
    "investigating",
)
ESCALATED = (0.17, 0.04)  # shares of complaints escalated once and twice (open ones too)
ACK_LATE = 0.1  # acknowledged after the procedure's deadline (a breach on the history)
RESOLVE_LATE = 0.13  # resolved after it
WAIT_CHANCE = 0.2  # the investigation waits for something from the customer
UNCONFIRMED = 0.1  # closed without the customer confirming they are satisfied (a judgement)
SATISFACTION_ASKED = 0.8  # closed complaints whose customer was asked for a rating
COMPLAINT_INTERACTIONS = 5  # about how many interactions a complaint takes from a budget
SATISFACTION_WEIGHTS = {  # rating 1..5 weights, as the app simulates them
    "on_time": (1, 2, 8, 30, 40),
    "late": (3, 8, 25, 30, 14),
    "unconfirmed": (30, 30, 20, 8, 2),
}
SATISFACTION_COMMENTS = {
    1: (
        "Very disappointed with how this was handled.",
        "I had to chase at every step and it is still not right.",
        "Nobody seemed to care until I complained again.",
    ),
    2: (
        "It took too long and I had to chase.",
        "Sorted in the end, but only after several calls.",
        "The apology felt like a standard letter.",
    ),
    3: (
        "Sorted in the end, but communication could be better.",
        "OK, but it should not have needed a complaint.",
        "A fair outcome, but slow to get there.",
    ),
    4: (
        "Good service, kept me informed.",
        "Happy with the outcome, thank you.",
        "Dealt with fairly and politely.",
    ),
    5: (
        "Excellent, quick and friendly. Thank you.",
        "Really impressed with how this was put right.",
        "Could not have asked for more. Thank you for listening.",
    ),
}
WAIT_REQUESTS = (  # (what we asked the customer for, how they replied)
    ("photos of the problem", "Sent the photos we asked for"),
    ("the dates and times it happened", "Sent the dates and times it happened"),
    ("a copy of the receipt or the reference number", "Sent a copy of the receipt"),
    (
        "a convenient time for a call to go through the details",
        "Called back to go through the details",
    ),
    ("the names of the staff they spoke to", "Sent the names of the staff they spoke to"),
)
INVESTIGATION_NOTES = (
    "Checked the records and the history of contact with the customer",
    "Asked the team involved for their account of what happened",
    "Checked the customer's record and asked the colleagues involved for the details",
    "Reviewed the notes on the record and the previous contacts",
)
UNHAPPY_DETAILS = (
    "they say the problem is still not sorted",
    "they do not accept the explanation given",
    "they want compensation for the time they lost",
    "they want a full refund rather than the offer made",
    "they say nobody has dealt with the cause",
)
REVIEW_OUTCOMES = (
    "Reviewed the complaint and the stage {n} response; upheld it, apologised and paid a "
    "goodwill gesture of {amount}",
    "Reviewed the evidence and partly upheld the complaint; apologised for the delays and "
    "confirmed the actions taken",
    "Reviewed the complaint and upheld it; agreed the next steps with the customer in a meeting",
    "Reviewed the evidence and did not uphold the complaint; explained the reasons in writing, "
    "with the next stage of the procedure",
)
CONFIRMATIONS = (
    "Customer confirmed by phone that they are happy with the outcome",
    "Customer replied by email to say they are satisfied",
    "Customer confirmed they are satisfied when we called to check",
)
NOT_CONFIRMED = (
    "No reply after two calls and an email; closed, as the procedure allows",
    "Customer still unhappy but does not want to take it further; told them about the next "
    "stage of the procedure",
)
_RULE_STOP_WORDS = frozenset({"the", "and", "with", "about", "over", "such", "there", "their"})


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4} - _RULE_STOP_WORDS


def _late(done: datetime, due: datetime | None, what: str) -> str:
    """The breach text the app records when a step is done after its due time."""
    if due is not None and done > due:
        return f"{what} after the procedure's deadline ({due:%a %d %b %H:%M})"
    return ""


def _within_text(rule: dict) -> str:
    unit = "day" if rule["unit"] == "working_days" else "hour"
    return f"{rule['amount']} working {unit}{'' if rule['amount'] == 1 else 's'}"


class _ComplaintPlanning:
    """Planning and finishing complaints (part of the generator)."""

    def _plan_complaints(self) -> list[_ComplaintPlan]:
        """Who complains (external customers mostly, at-risk ones most often, a few internal
        customers), how many times each complaint is escalated and which are still open."""
        total = self.spec["complaints"]
        departments = {s["department"] for s in self.profile.internal_complaints}
        internals = [
            d
            for d in self.drafts
            if d.kind in ("colleague", "department") and d.row["department"] in departments
        ]
        internal_count = min(len(internals), max(1, round(total * INTERNAL_COMPLAINT_SHARE)))
        room = self._room_needed(0)
        externals = [
            d for d in self.drafts if d.kind in ("individual", "business") and d.hi - d.lo >= room
        ]
        weights = [COMPLAINT_WEIGHT[d.segment] for d in externals]
        chosen = _weighted_sample(self.rng, externals, weights, total - internal_count)
        chosen += self.rng.sample(internals, internal_count)
        self.rng.shuffle(chosen)
        open_count = round(total * OPEN_COMPLAINT_SHARE)
        plans = []
        for draft in chosen:
            variant = sum(1 for plan in plans if plan.stop)
            if variant < open_count and draft.hi == self.time.last:
                stop = OPEN_STAGES[variant % len(OPEN_STAGES)]
                plans.append(_ComplaintPlan(draft, 1 if variant % 6 == 5 else 0, stop, variant))
            else:
                plans.append(_ComplaintPlan(draft, 0, None))
        # Escalate the complaints of contacts whose history leaves room to see it through.
        for times, share in ((2, ESCALATED[1]), (1, ESCALATED[0])):
            wanted = round(total * share)
            room = self._room_needed(times)
            for plan in plans:
                if wanted <= 0:
                    break
                if (
                    plan.stop is None
                    and not plan.escalations
                    and plan.draft.hi - plan.draft.lo >= room
                ):
                    plan.escalations = times
                    wanted -= 1
        return plans

    def _level_days(self, level: int) -> tuple[float, float]:
        """A level's acknowledgement and resolution times, in working days."""
        hours = self.time.calendar.day_length.total_seconds() / 3600
        days = []
        for rule in (self.procedure[level]["acknowledge_within"],) + (
            self.procedure[level]["resolve_within"],
        ):
            if rule is None:
                days.append(5.0)
            elif rule["unit"] == "working_hours":
                days.append(rule["amount"] / hours)
            else:
                days.append(float(rule["amount"]))
        return days[0], days[1]

    def _room_needed(self, escalations: int) -> int:
        """Working days a complaint escalated this many times needs to reach closed, with room
        for late steps, waiting for the customer and confirming the outcome."""
        needed = 8
        for level in range(escalations + 1):
            ack, resolve = self._level_days(level)
            needed += ceil(ack) + ceil(resolve) + 8
        return needed

    def _finish_complaints(self) -> tuple[list[dict], list[dict]]:
        """Ids and references in the order complaints were received; events in time order."""
        ordered = sorted(self.complaints, key=lambda c: (c.row["received_at"], c.order))
        rows, events = [], []
        for number, complaint in enumerate(ordered, start=1):
            row = complaint.row
            row["id"] = number
            row["reference"] = f"C-{number:04d}"
            row["contact_id"] = complaint.draft.id
            for seq, event in enumerate(complaint.events):
                event["complaint_id"] = number
                events.append((event["at"], number, seq, event))
            rows.append(row)
        events.sort(key=lambda item: item[:3])
        for number, item in enumerate(events, start=1):
            item[3]["id"] = number
        return rows, [item[3] for item in events]
