"""The complaint story's choices and helpers: when it was received, what it is about,
which escalation rule applies, and the stage events it records.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from math import ceil

from .common import INTERNAL_CHANNELS
from .complaints import (
    CONFIRMATIONS,
    NOT_CONFIRMED,
    SATISFACTION_ASKED,
    SATISFACTION_COMMENTS,
    SATISFACTION_WEIGHTS,
    UNCONFIRMED,
    UNHAPPY_DETAILS,
    _words,
)


class _StorySteps:
    """The choices and helpers of a complaint's story (see story._Story)."""

    def _close(self) -> None:
        confirmed = self.rng.random() >= UNCONFIRMED
        if confirmed:
            at = self._step(
                self.t + timedelta(hours=1), self._after(self.t, self.rng.randint(1, 3))
            )
        else:  # chased for a reply first, then closed as the procedure allows
            at = self._step(self._after(self.t, 5), self._after(self.t, 10))
        if at is None:
            return
        root_cause, lesson = self.rng.choice(self.causes)
        note = self.rng.choice(CONFIRMATIONS if confirmed else NOT_CONFIRMED)
        self.row.update(
            closed_at=at,
            customer_confirmed=confirmed,
            confirmation_note=note,
            root_cause=root_cause,
            lessons_learned=lesson,
        )
        self._say(
            channel=self.spoken if confirmed else self.written,
            direction="outbound",
            summary="Checked that the customer is happy with the outcome of the complaint"
            if confirmed
            else "Followed up the outcome of the complaint to check the customer is satisfied",
            occurred_at=at,
            outcome="Customer confirmed they are satisfied; complaint closed"
            if confirmed
            else "No confirmation from the customer; complaint closed (judgement recorded)",
        )
        self._event("close", at, "closed", note, judgement=not confirmed)
        if self.rng.random() >= SATISFACTION_ASKED:
            return
        if not confirmed:
            weights = SATISFACTION_WEIGHTS["unconfirmed"]
        elif any(e["breach"] for e in self.complaint.events):
            weights = SATISFACTION_WEIGHTS["late"]
        else:
            weights = SATISFACTION_WEIGHTS["on_time"]
        rating = self.rng.choices((1, 2, 3, 4, 5), weights)[0]
        comment = self.rng.choice(SATISFACTION_COMMENTS[rating])
        self.row.update(
            satisfaction_requested_at=at,
            satisfaction_rating=rating,
            satisfaction_comment="" if self.rng.random() < 0.2 else comment,
            # The rating comes back a few working hours later (perhaps after the clock start,
            # when it appears as sandbox time passes, as in the app).
            satisfaction_at=self.calendar.add(at, self.rng.choice((4, 8, 12, 16)), "working_hours"),
        )

    def _received_at(self) -> datetime:
        plan, draft, timeline = self.plan, self.draft, self.time
        if plan.stop is None:
            while plan.escalations and self.g._room_needed(plan.escalations) > draft.hi - draft.lo:
                plan.escalations -= 1
            latest = max(draft.lo, draft.hi - self.g._room_needed(plan.escalations))
            moment = timeline.pick(draft.lo, latest)
        else:
            # An open complaint: received recently enough to be at its stage now, some of them
            # long enough ago to be overdue.
            before = 0.0
            for level in range(plan.escalations):
                ack, resolve = self.g._level_days(level)
                before += ack + resolve + 2
            ack, resolve = (ceil(d) for d in self.g._level_days(plan.escalations))
            low, high = {
                "received": (0, 0) if plan.variant % 2 == 0 else (ack + 1, ack + 2),
                "acknowledged": (0, ack + 1),
                "investigating": (ack + 1, max(ack + 1, ceil(resolve * 1.5))),
                "waiting_customer": (ack + 1, max(ack + 1, resolve)),
                "resolved": (2, resolve + 2),
            }[plan.stop]
            ago = self.rng.randint(low, high) + ceil(before)
            index = max(draft.lo, timeline.last - ago)
            moment = timeline.at(index, self.rng.randrange(timeline.open, timeline.ends[index]))
        # Per level: which of the procedure's escalate_when rules sends the complaint up, and
        # from which stage (None: after the response, when the customer is not satisfied).
        # The first level's rule depends on the category (see _choose_topic).
        self.rules: list[tuple[int, str | None]] = [(0, None)] * plan.escalations
        return moment

    def _choose_topic(self) -> None:
        p = self.g.profile
        if self.internal:
            story = self.rng.choice(
                [
                    s
                    for s in p.internal_complaints
                    if s["department"] == self.draft.row["department"]
                ]
            )
            self.category = story["category"]
            self.description = story["description"].format_map(self.values)
            self.summary = self.description
            self.response = story["response"]
            self.causes = ((story["root_cause"], story["lesson"]),)
            self.channel = self.rng.choices(*INTERNAL_CHANNELS)[0]
        else:
            category, complaint, response = self.rng.choice(p.interaction_topics["complaint"])
            self.category = category
            self.summary = complaint.format_map(self.values)
            row = self.draft.row
            who = f"{row['first_name']} {row['last_name']}"
            if row["account_type"] == "business":
                who += f" ({row['organisation_name']})"
            opening = self.summary
            if opening.startswith("Complained "):
                opening = f"{who} complained {opening[len('Complained ') :]}"
            details = self.rng.sample(p.complaint_details[category], self.rng.choice((1, 1, 2)))
            self.description = " ".join([opening.rstrip(".") + ".", *details])
            self.response = response
            self.causes = p.complaint_causes[category]
            self.channel = self.g._channel(self.draft, written_ok=True)
        if self.plan.escalations:
            self.rules[0] = self._first_rule()

    def _first_rule(self) -> tuple[int, str | None]:
        rules = self.g.profile.complaints_procedure["escalate_when"]
        words = _words(self.category)
        if len(rules) > 1 and words & _words(rules[1]):
            return 1, "acknowledged"  # about a member of staff: reviewed higher up at once
        if len(rules) > 3 and words & _words(rules[3]):
            return 3, "acknowledged"  # a risk to someone: passed up straight away
        if len(rules) > 2 and self.rng.random() < 0.3:
            return 2, "investigating"  # asks for more compensation than the front line can give
        return 0, None

    def _reason(self, level: int, rule: int) -> tuple[str, str]:
        rules = self.g.profile.complaints_procedure["escalate_when"]
        text = re.sub(r"\s*\(.*?\)", "", rules[rule]).strip()
        if rule == 0:
            text = text.replace("stage 1", f"stage {level + 1}")
            detail = self.rng.choice(UNHAPPY_DETAILS)
        elif rule == 1:
            detail = "they want the way they were treated looked into"
        elif rule == 2:
            found = re.search(r"£(\d+)", text)
            limit = int(found.group(1)) if found else 100
            detail = f"they are asking for £{limit + 10 * self.rng.randint(2, 30)}"
        else:
            detail = "passed on straight away, as the procedure requires"
        return f"{text[0].upper()}{text[1:]}: {detail}", detail

    def _severity(self) -> str:
        if self.plan.escalations and self.rules[0][0] in (1, 3):
            return "high"
        severity = self.rng.choices(("low", "medium", "high"), (0.3, 0.5, 0.2))[0]
        if self.plan.escalations and severity == "low":
            return "medium"
        return severity

    def _step(self, earliest: datetime, latest: datetime) -> datetime | None:
        return self.time.between(earliest, min(latest, self.deadline))

    def _after(self, moment: datetime, amount: float, unit: str = "working_days") -> datetime:
        return self.calendar.add(moment, amount, unit)

    def _due(self, start: datetime, rule: dict | None) -> datetime | None:
        return None if rule is None else self.calendar.add(start, rule["amount"], rule["unit"])

    def _say(self, **values) -> dict:
        row = self.g._add(self.draft, locked=True, complaint=self.complaint, **values)
        row["recorded_by"] = self.actor
        return row

    def _event(
        self,
        action: str,
        at: datetime,
        to_stage: str,
        note: str = "",
        to_level: str | None = None,
        breach: str = "",
        judgement: bool = False,
    ) -> None:
        first = action == "received"
        self.complaint.events.append(
            {
                "id": 0,
                "complaint_id": 0,
                "at": at,
                "action": action,
                "from_stage": None if first else self.row["stage"],
                "to_stage": to_stage,
                "from_level": None if first else self.row["level"],
                "to_level": to_level or self.row["level"],
                "note": note,
                "judgement": judgement,
                "breach": breach,
                "actor": self.actor,
            }
        )
        self.row["stage"] = to_stage
        self.row["level"] = to_level or self.row["level"]
