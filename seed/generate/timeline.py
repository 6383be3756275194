"""Working moments in sandbox business time, sampled with the generator's seeded random."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta

from crm_sandbox.services.clock import WorkingCalendar

from ..profiles import Profile
from .common import FUTURE_DAYS, HISTORY_DAYS, PREHISTORY_DAYS, _hhmm_minutes


class _Timeline:
    """Working moments before the clock start, sampled with a seeded random."""

    def __init__(self, profile: Profile, clock_start: datetime, rng: random.Random):
        self.rng = rng
        self.start = clock_start
        self.calendar = WorkingCalendar(
            working_days=tuple(profile.working_days),
            opens=time.fromisoformat(profile.opens_at),
            closes=time.fromisoformat(profile.closes_at),
        )
        self.open = _hhmm_minutes(profile.opens_at)
        self.close = _hhmm_minutes(profile.closes_at)
        today = clock_start.date()
        now = clock_start.hour * 60 + clock_start.minute
        self.days: list[date] = []  # working days with working time left before the clock start
        self.ends: list[int] = []  # per day: the minute the usable working time ends (exclusive)
        self.calendar_days: list[date] = []  # every working day, past and future
        day = today - timedelta(days=PREHISTORY_DAYS)
        while day <= today + timedelta(days=FUTURE_DAYS):
            if self.calendar.is_working_day(day):
                self.calendar_days.append(day)
                end = self.close if day < today else min(self.close, now)
                if day <= today and end > self.open:
                    self.days.append(day)
                    self.ends.append(end)
            day += timedelta(days=1)
        self.position = {d: i for i, d in enumerate(self.calendar_days)}
        self.history_start = bisect_left(self.days, today - timedelta(days=HISTORY_DAYS))
        self.last = len(self.days) - 1

    def at(self, index: int, minute: int) -> datetime:
        day = self.days[index]
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60)

    def index_of(self, moment: datetime) -> int:
        return bisect_left(self.days, moment.date())

    def pick(self, lo: int, hi: int, recent: bool = True) -> datetime:
        """A working moment on a day between indexes lo and hi, later days more likely."""
        x = self.rng.random()
        if recent and self.rng.random() < 0.6:
            x = max(x, self.rng.random())
        span = hi - lo + 1
        index = lo + min(span - 1, int(x * span))
        return self.at(index, self.rng.randrange(self.open, self.ends[index]))

    def between(self, earliest: datetime, latest: datetime) -> datetime | None:
        """A working moment in [earliest, latest), never at or after the clock start."""
        latest = min(latest, self.start)
        if latest <= earliest:
            return None
        lo = bisect_left(self.days, earliest.date())
        hi = bisect_right(self.days, latest.date()) - 1
        first_minute = earliest.hour * 60 + earliest.minute + (1 if earliest.second else 0)
        last_minute = latest.hour * 60 + latest.minute
        while lo <= hi:
            index = self.rng.randint(lo, hi)
            low = first_minute if self.days[index] == earliest.date() else self.open
            high = last_minute if self.days[index] == latest.date() else self.ends[index]
            low, high = max(low, self.open), min(high, self.ends[index])
            if low < high:
                return self.at(index, self.rng.randrange(low, high))
            # Only the first and last day can be empty; drop whichever was tried.
            if index == lo:
                lo += 1
            elif index == hi:
                hi -= 1
            else:
                return None
        return None

    def later(self, moment: datetime, days: int) -> datetime | None:
        """A moment `days` working days after `moment` (same day: at least 10 minutes later)."""
        if days == 0:
            end_of_day = datetime.combine(moment.date(), time(self.close // 60, self.close % 60))
            same_day = self.between(moment + timedelta(minutes=10), end_of_day)
            if same_day is not None:
                return same_day
            days = 1
        index = self.index_of(moment) + days
        if index > self.last:
            return None
        return self.at(index, self.rng.randrange(self.open, self.ends[index]))

    def during(self, day: date) -> datetime | None:
        """A working moment on `day` before the clock start."""
        return self.between(datetime.combine(day, time.min), datetime.combine(day, time.max))

    def working_days_after(self, day: date, count: int) -> date:
        index = self.position.get(day)
        if index is None:  # not a working day: count from the last working day before it
            index = bisect_left(self.calendar_days, day) - 1
        return self.calendar_days[min(index + count, len(self.calendar_days) - 1)]
