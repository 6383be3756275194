"""Interactions: the history of calls, emails, chats, letters and meetings with each
contact, built from the profile's topics, before the clock start.
"""

from __future__ import annotations

from datetime import datetime

from .common import INTERNAL_CHANNELS, _Complaint, _day_text, _Draft, _Event, _Values
from .complaints import COMPLAINT_INTERACTIONS
from .story import _Story

# Written messages always get a reply; calls, chats and visits are mostly settled there and then.
REPLY_CHANCE = {
    "email": 1.0,
    "letter": 1.0,
    "social": 1.0,
    "phone": 0.3,
    "live_chat": 0.1,
    "meeting": 0.1,
}
REPLY_CHANNEL = {
    "email": "email",
    "letter": "letter",
    "social": "social",
    "phone": "phone",
    "live_chat": "email",
    "meeting": "email",
}
WRITTEN = frozenset({"email", "letter", "social"})
REPLY_DELAY_DAYS = ((0, 1, 2, 3), (0.5, 0.35, 0.1, 0.05))  # some break the charter on purpose
EVENT_WEIGHTS = {  # (inbound query, proactive contact); complaints are planned separately
    "new": (0.65, 0.35),
    "regular": (0.77, 0.23),
    "key_account": (0.65, 0.35),
    "at_risk": (0.65, 0.35),
}
INTERACTION_WEIGHT = {
    "new": 1.2,
    "regular": 3.0,
    "key_account": 6.0,
    "at_risk": 1.5,
    "duplicate": 0.3,
    "colleague": 1.5,
    "department": 2.5,
    "supplier": 1.2,
    "other": 0.4,
}
SUPPLIER_CHANNELS = (("email", "phone"), (0.6, 0.4))
OTHER_CHANNELS = (("email", "phone", "social", "letter"), (0.45, 0.35, 0.15, 0.05))
SUPPLIER_OUTCOMES = (
    "Noted on the supplier record",
    "Passed to the team that placed the order",
    "Confirmed by email",
    "Waiting for the supplier's reply",
    "Resolved",
)
HOLDING_OUTCOMES = (
    "Told the customer we would reply within our charter time",
    "Checking the details; reply to follow",
    "Said we would call back",
    "Logged and passed to the right team to check",
)
PROACTIVE_OUTCOMES = (
    "Customer thanked us for letting them know",
    "No reply needed",
    "Customer replied to confirm",
    "Customer asked to be reminded nearer the time",
    "Message delivered",
)
INTERNAL_HOLDING = ("Agreed to send it by {date}", "Will do; reply to follow", "Added to our list")
INTERNAL_OUTCOMES = (
    "Done the same day",
    "Done and confirmed by email",
    "Colleague happy with the information",
    "Agreed a deadline of {date}",
    "Added to the team's task list",
)


class _Interactions:
    """Making the interaction history (part of the generator)."""

    def _make_interactions(self) -> None:
        target = self.spec["interactions"]
        plans = self._plan_complaints()
        weights = [INTERACTION_WEIGHT[d.weight_key] for d in self.drafts]
        budgets = [1] * len(self.drafts)
        extra = max(0, target - len(self.drafts))
        for index in self.rng.choices(range(len(self.drafts)), weights, k=extra):
            budgets[index] += 1
        position = {draft: n for n, draft in enumerate(self.drafts)}
        for plan in plans:  # a complaint's interactions come out of its contact's budget
            n = position[plan.draft]
            budgets[n] = max(1, budgets[n] - COMPLAINT_INTERACTIONS)
        for draft, budget in zip(self.drafts, budgets, strict=True):
            handler = {
                "colleague": self._internal_events,
                "department": self._internal_events,
                "supplier": self._supplier_events,
                "other": self._other_events,
            }.get(draft.kind, self._customer_events)
            remaining = budget
            first = True
            while remaining > 0:
                made = handler(draft, remaining, first)
                remaining -= made
                first = False
        for plan in plans:  # after the contacts' first contact with us
            _Story(self, plan).tell()

    def _add(
        self, draft: _Draft, locked: bool = False, complaint: _Complaint | None = None, **values
    ) -> dict:
        row = {
            "id": 0,
            "contact_id": 0,
            "channel": values["channel"],
            "direction": values["direction"],
            "initiative": values.get("initiative", "reactive"),
            "summary": values["summary"],
            "outcome": values.get("outcome", ""),
            "recorded_by": self.rng.choice(self.profile.team),
            "occurred_at": values["occurred_at"],
            "follow_up_on": values.get("follow_up_on"),
            "follow_up_done_sbx": values.get("follow_up_done_sbx"),
            "supersedes_id": None,
            "complaint_id": None,
            # Conversations (what a message is for, its thread, the customer's next move) start
            # with the learner: the seeded history has none.
            "purpose": None,
            "answer_kind": None,
            "thread_id": None,
            "in_reply_to_id": None,
            "standard_id": None,
            "survey_id": None,
            "promise_by": None,
            "customer_due_at": None,
            "details": None,
        }
        self.events.append(_Event(draft, row, len(self.events), locked, complaint))
        draft.times.append(row["occurred_at"])
        return row

    def _values(self, draft: _Draft, moment: datetime) -> _Values:
        return _Values(self, draft, moment)

    def _value(self, name: str, draft: _Draft, moment: datetime) -> str:
        p = self.profile
        if name == "item":
            return self.rng.choice(p.products_or_services)
        if name == "ref":
            return f"{p.reference_prefix}-{self.rng.randint(100000, 999999)}"
        if name == "amount":
            pounds, pence = self.rng.randint(5, 240), self.rng.choice((0, 0, 50, 99))
            return f"£{pounds}.{pence:02d}" if pence else f"£{pounds}"
        if name == "date":
            return _day_text(self.time.working_days_after(moment.date(), self.rng.randint(2, 15)))
        if name == "department":
            if draft.kind in ("colleague", "department"):
                return draft.row["department"]
            return self.rng.choice(self.department_names)
        if name in ("first_name", "last_name"):
            return draft.row[name]
        if name == "town":
            return draft.town or self.rng.choice(self.towns)
        raise KeyError(name)

    def _channel(self, draft: _Draft, written_ok: bool) -> str:
        weights = dict(self.profile.channel_weights)
        if not draft.row["phone"]:
            weights.pop("phone", None)
        if not written_ok:
            for channel in WRITTEN:
                weights.pop(channel, None)
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _customer_events(self, draft: _Draft, budget: int, first: bool) -> int:
        segment = "new" if draft.kind == "duplicate" else draft.segment
        if first and segment == "new":
            # A new customer's record starts with them getting in touch; the rest comes later.
            made = self._inbound(draft, budget, self.time.pick(draft.lo, draft.lo))
            draft.lo += 1
            return made
        kind = self.rng.choices(("inbound", "proactive"), EVENT_WEIGHTS[segment])[0]
        if kind == "proactive":
            channel = self._proactive_channel(draft)
            if channel is not None:
                return self._proactive(draft, channel)
        return self._inbound(draft, budget)

    def _inbound(self, draft: _Draft, budget: int, moment: datetime | None = None) -> int:
        moment = moment or self.time.pick(draft.lo, draft.hi)
        channel = self._channel(draft, written_ok=budget >= 2)
        values = self._values(draft, moment)
        ask, answer = self.rng.choice(self.profile.interaction_topics["inbound"])
        inbound = self._add(
            draft,
            channel=channel,
            direction="inbound",
            summary=ask.format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(self.profile.outcomes).format_map(values),
        )
        if budget < 2 or self.rng.random() >= REPLY_CHANCE[channel]:
            return 1
        delay = self.rng.choices(*REPLY_DELAY_DAYS)[0]
        reply_at = self.time.later(moment, delay)
        if reply_at is None:
            # The reply would fall after the clock start: the learner finds it waiting.
            inbound["outcome"] = "Awaiting reply"
            inbound["follow_up_on"] = self.time.working_days_after(moment.date(), 1)
            return 1
        inbound["outcome"] = self.rng.choice(HOLDING_OUTCOMES).format_map(values)
        self._add(
            draft,
            channel=REPLY_CHANNEL[channel],
            direction="outbound",
            summary=answer.format_map(values),
            occurred_at=reply_at,
            outcome=self.rng.choice(self.profile.outcomes).format_map(values),
        )
        return 2

    def _proactive_channel(self, draft: _Draft) -> str | None:
        # Proactive contact only on channels the customer consented to (or a planned meeting).
        row = draft.row
        options = {}
        if row["consent_email"] and row["email"]:
            options["email"] = 0.6
        if row["consent_phone"] and row["phone"]:
            options["phone"] = 0.3
        if row["consent_post"] and row["address"] and row["postcode"]:
            options["letter"] = 0.1
        if row["account_type"] == "business" or row["segment"] == "key_account":
            options["meeting"] = 0.15
        if not options:
            return None
        return self.rng.choices(list(options), list(options.values()))[0]

    def _proactive(self, draft: _Draft, channel: str) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        outcomes = PROACTIVE_OUTCOMES + (("Left a voicemail",) if channel == "phone" else ())
        self._add(
            draft,
            channel=channel,
            direction="outbound",
            initiative="proactive",
            summary=self.rng.choice(
                self.profile.interaction_topics["outbound_proactive"]
            ).format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(outcomes),
        )
        return 1

    def _internal_events(self, draft: _Draft, budget: int, first: bool) -> int:
        department = draft.row["department"]
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        channel = self.rng.choices(*INTERNAL_CHANNELS)[0]
        if self.rng.random() >= 0.7:
            self._add(
                draft,
                channel=channel,
                direction="outbound",
                initiative="proactive",
                summary=self.rng.choice(self.profile.internal_outbound[department]).format_map(
                    values
                ),
                occurred_at=moment,
                outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
            )
            return 1
        request, answer = self.rng.choice(self.profile.internal_requests[department])
        inbound = self._add(
            draft,
            channel=channel,
            direction="inbound",
            summary=request.format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
        )
        if budget < 2 or self.rng.random() >= 0.7:
            return 1
        reply_at = self.time.later(moment, self.rng.choice((0, 0, 1, 2)))
        if reply_at is None:
            inbound["outcome"] = "Awaiting reply"
            inbound["follow_up_on"] = self.time.working_days_after(moment.date(), 1)
            return 1
        inbound["outcome"] = self.rng.choice(INTERNAL_HOLDING).format_map(values)
        self._add(
            draft,
            channel="email" if channel == "live_chat" else channel,
            direction="outbound",
            summary=answer.format_map(values),
            occurred_at=reply_at,
            outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
        )
        return 2

    def _supplier_events(self, draft: _Draft, budget: int, first: bool) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        inbound = self.rng.random() < 0.5
        topics = self.profile.interaction_topics[
            "supplier_inbound" if inbound else "supplier_outbound"
        ]
        self._add(
            draft,
            channel=self.rng.choices(*SUPPLIER_CHANNELS)[0],
            direction="inbound" if inbound else "outbound",
            initiative="reactive" if inbound else "proactive",
            summary=self.rng.choice(topics).format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(SUPPLIER_OUTCOMES).format_map(values),
        )
        return 1

    def _other_events(self, draft: _Draft, budget: int, first: bool) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        self._add(
            draft,
            channel=self.rng.choices(*OTHER_CHANNELS)[0],
            direction="inbound",
            summary=self.rng.choice(draft.other["topics"]).format_map(values),
            occurred_at=moment,
            outcome=draft.other["outcome"],
        )
        return 1

    def _finish_interactions(self) -> list[dict]:
        ordered = sorted(self.events, key=lambda e: (e.row["occurred_at"], e.order))
        rows = []
        for number, event in enumerate(ordered, start=1):
            event.row["id"] = number
            event.row["contact_id"] = event.draft.id
            if event.complaint is not None:
                event.row["complaint_id"] = event.complaint.row["id"]
            rows.append(event.row)
        return rows
