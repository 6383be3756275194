"""The business clock: each sandbox's own time, and working-time arithmetic.

Every timer in the product (complaint due times, follow-ups, standards) uses this one service.
Working time follows the organisation's working days and hours and skips UK bank holidays
(England and Wales, from the `holidays` library). A working day is one opening day's worth of
working hours, so "1 working day after Friday 15:00" is Monday 15:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask import current_app, has_app_context

from ..models.base import utcnow

DEFAULT_START = datetime(2026, 3, 2, 9, 0)  # a Monday, 09:00
# Business time stays within this century. A scenario dated, or a clock moved, outside it is
# refused before any date arithmetic runs: a start near the end of the calendar would make the
# due dates and "within the next week" lists overflow past year 9999.
EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2099, 12, 31, 23, 59, 59)
RANGE_TEXT = "between 1 January 2000 and 31 December 2099"
MAX_DAYS_SCANNED = 3660  # ten years: a calendar with no working days at all is refused earlier


def check_in_range(moment: date | datetime) -> date | datetime:
    """Return `moment` if it lies in the range business time may take, else raise ValueError."""
    as_time = moment if isinstance(moment, datetime) else datetime.combine(moment, time.min)
    if not EARLIEST <= as_time.replace(tzinfo=None) <= LATEST:
        raise ValueError(f"give a date {RANGE_TEXT}")
    return moment


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """Whether `day` is a bank holiday in England and Wales."""
    return day in _bank_holidays(day.year)


def bank_holiday_name(day: date) -> str | None:
    """The holiday's name, or None."""
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days (ISO weekdays) and opening hours, minus UK bank holidays."""

    working_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    extra_closed_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        if not self.working_days:
            raise ValueError("a working calendar needs at least one working day")
        if self.closes <= self.opens:
            raise ValueError("closing time must be after opening time")

    @classmethod
    def for_organisation(cls, organisation) -> WorkingCalendar:
        """The calendar of an organisation row (or any object with the same fields)."""
        return cls(
            working_days=tuple(organisation.working_days or (1, 2, 3, 4, 5)),
            opens=_hhmm(organisation.opens_at or "09:00"),
            closes=_hhmm(organisation.closes_at or "17:00"),
        )

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_working_day(self, day: date) -> bool:
        return (
            day.isoweekday() in self.working_days
            and not is_bank_holiday(day)
            and day not in self.extra_closed_days
        )

    def is_working_time(self, moment: datetime) -> bool:
        return self.is_working_day(moment.date()) and self.opens <= moment.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        """The start of the next working period at or after `moment` (itself if working)."""
        if self.is_working_time(moment):
            return moment
        day = moment.date()
        if self.is_working_day(day) and moment.time() < self.opens:
            return datetime.combine(day, self.opens)
        for _ in range(MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return datetime.combine(day, self.opens)
        raise ValueError("no working day within ten years")

    def next_working_day_start(self, moment: datetime) -> datetime:
        """Opening time on the first working day after `moment`'s day."""
        return self.next_opening(datetime.combine(moment.date() + timedelta(days=1), time.min))

    def closed_working_days(self, first: date, last: date) -> int:
        """How many bank holidays and extra closed days from `first` to `last` (inclusive)
        fall on the calendar's working weekdays."""
        if last < first:
            return 0
        closed = set(self.extra_closed_days)
        for year in range(first.year, last.year + 1):
            closed |= _bank_holidays(year)
        return sum(1 for d in closed if first <= d <= last and d.isoweekday() in self.working_days)

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days from `first` to `last` (inclusive; 0 if last is earlier).

        Whole weeks by arithmetic, the days left over (fewer than seven) by their weekday,
        less the closed days in range: the cost does not grow with the span."""
        if last < first:
            return 0
        weeks, left_over = divmod((last - first).days + 1, 7)
        count = weeks * len(set(self.working_days))
        tail = first + timedelta(weeks=weeks)
        count += sum(
            1
            for i in range(left_over)
            if (tail + timedelta(days=i)).isoweekday() in self.working_days
        )
        return count - self.closed_working_days(first, last)

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The `n`-th working day after `day` (n >= 1).

        Jumps whole weeks while more than a week's working days remain (a jump never
        overshoots; it falls short by the closed days it crossed, so a few jumps suffice),
        then steps through the last week day by day."""
        per_week = len(set(self.working_days))
        while n > per_week:
            weeks = (n - 1) // per_week
            target = day + timedelta(weeks=weeks)
            n -= self.working_days_between(day + timedelta(days=1), target)
            day = target
        for _ in range(MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
                if n <= 0:
                    return day
        raise ValueError("no working day within ten years")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of working time after `start` (time outside hours is skipped).

        The rest of the first day, then whole working days found by `nth_working_day_after`,
        then the part of a day left: the cost does not grow with the amount."""
        if amount < timedelta(0):
            raise ValueError("cannot add negative working time")
        moment = self.next_opening(start)
        available = datetime.combine(moment.date(), self.closes) - moment
        if amount <= available:
            return moment + amount
        whole_days, rest = divmod(amount - available, self.day_length)
        if not rest:  # it ends exactly at closing time on the last whole day
            return datetime.combine(
                self.nth_working_day_after(moment.date(), whole_days), self.closes
            )
        day = self.nth_working_day_after(moment.date(), whole_days + 1)
        return datetime.combine(day, self.opens) + rest

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """`amount` working hours or days after `start` (unit "working_hours" or "working_days")."""
        if unit == "working_hours":
            return self.add_working_time(start, timedelta(hours=amount))
        if unit == "working_days":
            return self.add_working_time(start, self.day_length * amount)
        raise ValueError(f"unknown unit of working time: {unit!r}")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time passes from `start` to `end` (zero if end is not later):
        the rest of the first working day, whole days between, and the start of the last."""
        if end <= start:
            return timedelta(0)
        moment = self.next_opening(start)
        if moment >= end:
            return timedelta(0)
        first_close = datetime.combine(moment.date(), self.closes)
        if end <= first_close:
            return end - moment
        total = first_close - moment
        last_day = end.date()
        between = self.working_days_between(
            moment.date() + timedelta(days=1), last_day - timedelta(days=1)
        )
        total += self.day_length * between
        if last_day > moment.date() and self.is_working_day(last_day):
            opens = datetime.combine(last_day, self.opens)
            total += min(max(end, opens), datetime.combine(last_day, self.closes)) - opens
        return total


DEFAULT_IDLE_MINUTES = 10


def idle_limit() -> timedelta:
    """The most one gap between a learner's requests adds to a scenario's clock (the
    `IDLE_MINUTES` setting, CRM_SANDBOX_IDLE_MINUTES; 10 minutes outside an app)."""
    minutes = DEFAULT_IDLE_MINUTES
    if has_app_context():
        minutes = current_app.config.get("IDLE_MINUTES", DEFAULT_IDLE_MINUTES)
    return timedelta(minutes=minutes)


def worked_gap(sandbox, real_now: datetime) -> timedelta:
    """The working time since the learner's last recorded activity (`clock_anchor`) that a
    running scenario clock counts: the real time since, at most the idle limit."""
    if not sandbox.clock_running:
        return timedelta(0)
    return min(max(real_now - sandbox.clock_anchor, timedelta(0)), idle_limit())


def sandbox_now(sandbox, real_now: datetime | None = None) -> datetime:
    """The sandbox's business time now: its start, plus the time it has run, plus moves
    forward. A practice CRM's clock runs with real time; a scenario attempt's
    (`clock_runs_on_work`) only with the learner's working time (see `sandbox_clock`)."""
    real_now = real_now or utcnow()
    if getattr(sandbox, "clock_runs_on_work", False):
        elapsed = timedelta(seconds=sandbox.clock_worked_seconds) + worked_gap(sandbox, real_now)
    else:
        elapsed = real_now - sandbox.clock_anchor
    return (
        sandbox.clock_start + elapsed + timedelta(seconds=sandbox.clock_offset_seconds)
    ).replace(microsecond=0)


def set_sandbox_time(sandbox, target: datetime, real_now: datetime | None = None) -> None:
    """Move a sandbox's clock so that it reads `target` now (forward only: see the caller);
    a target outside the business-time range raises ValueError."""
    check_in_range(target)
    real_now = real_now or utcnow()
    current = sandbox_now(sandbox, real_now)
    sandbox.clock_offset_seconds += int((target - current).total_seconds())


def start_clock(sandbox, start: datetime, real_now: datetime | None = None) -> None:
    """Start (or restart) a sandbox's clock at business time `start` (ValueError if it is
    outside the business-time range). A scenario's clock stays paused there until the
    learner's next request in it (`sandbox_clock.record_work`)."""
    check_in_range(start)
    sandbox.clock_start = start
    sandbox.clock_anchor = real_now or utcnow()
    sandbox.clock_offset_seconds = 0
    sandbox.clock_worked_seconds = 0
    sandbox.clock_running = False
