"""Follow-ups: interactions still waiting on someone, some due just after the clock start."""

from __future__ import annotations

from datetime import timedelta

FOLLOW_UP_RATE = 0.07  # plus complaints and unanswered messages: about 10% in all
UPCOMING_FOLLOW_UPS = {"small": 3, "standard": 5, "large": 15}
FOLLOW_UP_OUTCOMES = (
    "Call back agreed",
    "Customer asked us to check back",
    "Waiting for another team; follow-up booked",
    "Will confirm once the details are checked",
)
SUPPLIER_FOLLOW_UP_OUTCOMES = (
    "Waiting for their reply; follow-up booked",
    "Agreed to check back with them",
)
INTERNAL_FOLLOW_UP_OUTCOMES = (
    "Agreed to check back with {department}",
    "Waiting for {department} to confirm; follow-up booked",
)


class _FollowUps:
    """Follow-ups on the history (part of the generator)."""

    def _add_follow_ups(self) -> None:
        today = self.start.date()
        for event in self.events:
            row = event.row
            if event.locked or row["follow_up_on"] is not None:
                continue
            if self.rng.random() >= FOLLOW_UP_RATE:
                continue
            day = self.time.working_days_after(
                row["occurred_at"].date(), self.rng.choice((1, 2, 3, 5, 10))
            )
            row["follow_up_on"] = day
            if event.draft.kind in ("colleague", "department"):
                row["outcome"] = self.rng.choice(INTERNAL_FOLLOW_UP_OUTCOMES).format(
                    department=event.draft.row["department"]
                )
            elif event.draft.kind in ("supplier", "other"):
                row["outcome"] = self.rng.choice(SUPPLIER_FOLLOW_UP_OUTCOMES)
            else:
                row["outcome"] = self.rng.choice(FOLLOW_UP_OUTCOMES)
            if day < today and self.rng.random() < 0.85:
                row["follow_up_done_sbx"] = self.time.during(day)
        # Make sure the learner opens the CRM to a few follow-ups due in the next two weeks.
        horizon = today + timedelta(days=14)
        upcoming = sum(
            1
            for e in self.events
            if e.row["follow_up_on"] is not None
            and today <= e.row["follow_up_on"] <= horizon
            and e.row["follow_up_done_sbx"] is None
        )
        wanted = UPCOMING_FOLLOW_UPS[self.size]
        if upcoming >= wanted:
            return
        recent = sorted(
            (
                e
                for e in self.events
                if e.row["follow_up_on"] is None
                and not e.locked
                and e.draft.kind in ("individual", "business")
            ),
            key=lambda e: (e.row["occurred_at"], e.order),
            reverse=True,
        )
        choices = [d for d in self.time.calendar_days if today <= d <= horizon]
        for event in recent[: wanted - upcoming]:
            event.row["follow_up_on"] = self.rng.choice(choices)
            event.row["outcome"] = self.rng.choice(FOLLOW_UP_OUTCOMES)
