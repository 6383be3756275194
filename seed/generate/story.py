"""One complaint's story: received, acknowledged, investigated, escalated and closed (or
stopped where the clock start cuts it off), against the organisation's procedure.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from .common import _Complaint, _ComplaintPlan, _day_text
from .complaints import (
    ACK_LATE,
    INVESTIGATION_NOTES,
    RESOLVE_LATE,
    REVIEW_OUTCOMES,
    WAIT_CHANCE,
    WAIT_REQUESTS,
    _late,
)
from .story_steps import _StorySteps

if TYPE_CHECKING:  # only for annotations: the generator imports this module
    from . import _Generator


class _Story(_StorySteps):
    """One complaint from the moment it was received: the complaint row, its stage history and
    the interactions with the customer about it, timed against the organisation's procedure in
    working time. Steps are mostly on time, some late (recorded as a breach on the event). A
    complaint planned as open stops at its planned stage; any complaint stops where the clock
    start (or, for a customer who went quiet, their last contact with us) cuts it off."""

    def __init__(self, generator: _Generator, plan: _ComplaintPlan):
        self.g = generator
        self.plan = plan
        self.draft = plan.draft
        self.rng = generator.rng
        self.time = generator.time
        self.calendar = generator.time.calendar
        self.levels = generator.procedure
        self.internal = self.draft.kind in ("colleague", "department")
        self.written = "email" if self.draft.row["email"] else "letter"
        self.spoken = "phone" if self.draft.row["phone"] else self.written
        self.actor = self.rng.choice(generator.profile.team)
        if self.draft.hi >= self.time.last:
            self.deadline = generator.start
        else:  # a customer who went quiet: the story ends by their last contact with us
            end = self.time.ends[self.draft.hi]
            self.deadline = datetime.combine(
                self.time.days[self.draft.hi], time(end // 60, end % 60)
            )
        self.t = generator.start

    def tell(self) -> None:
        received = self._received_at()
        self.values = self.g._values(self.draft, received)
        self._choose_topic()
        first = self.levels[0]
        self.row = {
            "id": 0,
            "reference": "",
            "contact_id": 0,
            "channel": self.channel,
            "category": self.category,
            "description": self.description,
            "severity": self._severity(),
            "owner": first["owner"],
            "stage": "received",
            "level": first["key"],
            "received_at": received,
            "level_started_at": received,
            "acknowledged_at": None,
            "resolved_at": None,
            "closed_at": None,
            "ack_due_at": None,
            "resolve_due_at": None,
            "waiting_since": None,
            "escalation_reason": "",
            "escalation_rule": None,  # the procedure's reason, by number from 1
            "escalation_amount": "",
            "resolution": "",
            "policy_rule": "",  # the policy rule a resolution applied ("returns.2"); none seeded
            "root_cause": "",
            "lessons_learned": "",
            "lessons_policy": "",
            "lessons_change": "",
            "customer_confirmed": None,
            "confirmation_note": "",
            "satisfaction_requested_at": None,
            "satisfaction_rating": None,
            "satisfaction_comment": "",
            "satisfaction_at": None,
            "satisfaction_reply_id": None,  # a customer's reply in the app; none seeded
        }
        self.complaint = _Complaint(self.draft, self.row, len(self.g.complaints))
        self.g.complaints.append(self.complaint)
        self._event("received", received, "received", self.description[:300], first["key"])
        self._say(
            channel=self.channel,
            direction="inbound",
            summary=self.summary,
            occurred_at=received,
            outcome=f"Logged as a stage 1 complaint: {self.category}",
        )
        self.t = received
        level = 0
        while self._level(level):
            level += 1

    def _level(self, level: int) -> bool:
        """Take the complaint through one level of the procedure. True: it was escalated to the
        next level; False: it stopped here (closed, or open at the clock start)."""
        row, policy = self.row, self.levels[level]
        start = row["level_started_at"]
        row["ack_due_at"] = self._due(start, policy["acknowledge_within"])
        row["resolve_due_at"] = self._due(start, policy["resolve_within"])
        final = level >= self.plan.escalations
        stop = self.plan.stop if final else None
        rule, when = (None, None) if final else self.rules[level]
        stage = policy["name"].split(":")[0]
        if stop == "received":
            return False

        acknowledgement = self._acknowledge(level, stage, start)
        if acknowledgement is None or stop == "acknowledged":
            return False
        if when == "acknowledged":
            return self._escalate(level, rule, early=True)

        if not self._investigate() or stop == "investigating":
            return False
        if when == "investigating":
            return self._escalate(level, rule, early=True)
        if (stop == "waiting_customer" or self.rng.random() < WAIT_CHANCE) and not self._wait(stop):
            return False

        at = self._resolve_time()
        if at is None:
            return False
        self._resolve(level, stage, at, acknowledgement)
        if stop == "resolved":
            return False
        if not final:
            return self._escalate(level, rule, early=False)
        self._close()
        return False

    def _acknowledge(self, level: int, stage: str, start: datetime) -> dict | None:
        """Acknowledge the complaint at this level, on time or (sometimes, on purpose) late, and
        explain the timescale. The acknowledgement sent, or None if the clock ran out first."""
        row = self.row
        ack_due = row["ack_due_at"] or self._after(start, 1)
        at = None
        if self.rng.random() >= ACK_LATE:
            at = self._step(self.t + timedelta(minutes=10), ack_due)
        if at is None:
            at = self._step(
                max(ack_due, self.t) + timedelta(minutes=1),
                self._after(max(ack_due, self.t), self.rng.choice((1, 2))),
            )
        if at is None:
            return None
        resolve_due = row["resolve_due_at"] or self._after(at, 5)
        due_text = _day_text(resolve_due.date())
        acknowledgement = self._say(
            channel=self.written,
            direction="outbound",
            summary=(
                f"Acknowledged the complaint ({self.category.lower()}) and explained the "
                f"{stage.lower()} timescale"
                if level == 0
                else f"Acknowledged the escalated complaint ({self.category.lower()}) and "
                f"explained the {stage.lower()} timescale"
            ),
            occurred_at=at,
            outcome=f"{stage} response due by {due_text}",
            follow_up_on=max(resolve_due.date(), at.date()),
        )
        self._event(
            "acknowledge",
            at,
            "acknowledged",
            f"Acknowledged by {self.written}; explained that the {stage.lower()} response is "
            f"due by {due_text}",
            breach=_late(at, row["ack_due_at"], "acknowledged"),
        )
        row["acknowledged_at"] = self.t = at
        return acknowledgement

    def _investigate(self) -> bool:
        """Note the investigation. False if the clock ran out before it."""
        at = self._step(self.t + timedelta(minutes=5), self._after(self.t, 4, "working_hours"))
        if at is None:
            return False
        note = self.rng.choice(INVESTIGATION_NOTES).format_map(self.values)
        self._event("investigate", at, "investigating", note)
        self.t = at
        return True

    def _resolve(self, level: int, stage: str, at: datetime, acknowledgement: dict) -> None:
        """Send this level's response at `at` (with an update first on a long investigation),
        which also does the acknowledgement's follow-up."""
        row = self.row
        if self.calendar.working_time_between(self.t, at) > 4 * self.calendar.day_length:
            update_at = self._step(self._after(self.t, 2), at - timedelta(hours=1))
            if update_at is not None:
                self._say(
                    channel=self.written,
                    direction="outbound",
                    summary="Sent an update on the complaint: the investigation is still going "
                    f"on and the {stage.lower()} response is due by "
                    f"{_day_text(row['resolve_due_at'].date())}",
                    occurred_at=update_at,
                    outcome="Complaint update sent",
                )
        if "date" not in self.values:
            self.values["date"] = _day_text(
                self.time.working_days_after(at.date(), self.rng.randint(2, 8))
            )
        if level == 0:
            resolution = self.response.format_map(self.values)
        else:
            template = self.rng.choice(REVIEW_OUTCOMES).replace("{n}", str(level))
            resolution = template.format_map(self.values)
        self._say(
            channel=self.rng.choice((self.written, self.written, self.spoken)),
            direction="outbound",
            summary=f"{stage} response: {resolution}",
            occurred_at=at,
            outcome="Outcome sent; asked the customer to confirm they are satisfied",
        )
        self._event(
            "resolve",
            at,
            "resolved",
            resolution[:300],
            breach=_late(at, row["resolve_due_at"], "resolved"),
        )
        row["resolved_at"] = self.t = at
        row["resolution"] = resolution
        acknowledgement["follow_up_done_sbx"] = at

    def _resolve_time(self) -> datetime | None:
        due = self.row["resolve_due_at"]
        earliest = self.t + timedelta(minutes=30)
        if due is None:
            return self._step(earliest, self._after(self.t, 5))
        at = None
        if self.rng.random() >= RESOLVE_LATE:
            at = self._step(earliest, due)
        if at is None:  # late on purpose, or the investigation ran past the due time
            late_from = max(earliest, due + timedelta(minutes=1))
            at = self._step(late_from, self._after(late_from, self.rng.randint(1, 4)))
        return at

    def _wait(self, stop: str | None) -> bool:
        """Ask the customer for something; the clock pauses until they reply, and the
        resolution due time moves back by the working time paused (as the app does)."""
        at = self._step(self.t + timedelta(minutes=30), self._after(self.t, 2))
        if at is None:
            return False
        asked, replied = self.rng.choice(WAIT_REQUESTS)
        self._say(
            channel=self.written,
            direction="outbound",
            summary=f"Asked for {asked} to investigate the complaint",
            occurred_at=at,
            outcome="Waiting for the customer's reply; complaint on hold",
        )
        self._event("wait_for_customer", at, "waiting_customer", f"Asked the customer for {asked}")
        self.row["waiting_since"] = self.t = at
        if stop == "waiting_customer":
            return False
        at = self._step(self.t + timedelta(hours=1), self._after(self.t, self.rng.randint(1, 3)))
        if at is None:
            return False
        paused = self.calendar.working_time_between(self.row["waiting_since"], at)
        if paused > timedelta(0) and self.row["resolve_due_at"] is not None:
            self.row["resolve_due_at"] = self.calendar.add_working_time(
                self.row["resolve_due_at"], paused
            )
        self.row["waiting_since"] = None
        self._say(
            channel=self.spoken if replied.startswith("Called") else self.written,
            direction="inbound",
            summary=replied,
            occurred_at=at,
            outcome="Added to the complaint; investigation resumed",
        )
        hours = paused.total_seconds() / 3600
        self._event(
            "customer_replied",
            at,
            "investigating",
            f"Customer replied; clock resumed after {hours:g} working hours on hold",
        )
        self.t = at
        return True

    def _escalate(self, level: int, rule: int, early: bool) -> bool:
        if early:  # the procedure sends this kind of complaint up straight away
            at = self._step(self.t + timedelta(minutes=10), self._after(self.t, 1))
        else:  # the customer is not satisfied with the response
            at = self._step(self.t + timedelta(hours=1), self._after(self.t, 3))
        if at is None:
            return False
        nxt = self.levels[level + 1]
        reason, detail = self._reason(level, rule)
        stage = self.levels[level]["name"].split(":")[0]
        if early:
            self._say(
                channel=self.written,
                direction="outbound",
                summary=f"Told the customer the complaint has been passed to the {nxt['owner']}: "
                f"{reason[0].lower()}{reason[1:]}",
                occurred_at=at,
                outcome=f"Escalated to {nxt['name']}",
            )
        else:
            self._say(
                channel=self.rng.choice((self.written, self.spoken)),
                direction="inbound",
                summary=f"Replied that they are not satisfied with the {stage.lower()} response: "
                f"{detail}",
                occurred_at=at,
                outcome=f"Escalated to {nxt['name']} ({nxt['owner']})",
            )
        self.row.update(
            level_started_at=at,
            acknowledged_at=None,
            resolved_at=None,
            waiting_since=None,
            escalation_reason=reason,
            escalation_rule=rule + 1,
            owner=nxt["owner"],
            resolution="",
        )
        self._event("escalate", at, "received", reason, nxt["key"])
        self.t = at
        return True
