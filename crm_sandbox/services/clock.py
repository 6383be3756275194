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


@lru_cache(maxsize=64)
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

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of working time after `start` (time outside hours is skipped)."""
        if amount < timedelta(0):
            raise ValueError("cannot add negative working time")
        moment = self.next_opening(start)
        remaining = amount
        while True:
            end_of_day = datetime.combine(moment.date(), self.closes)
            available = end_of_day - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
            moment = self.next_working_day_start(moment)

    def add(self, start: datetime, amount: float, unit: str) -> datetime:
        """`amount` working hours or days after `start` (unit "working_hours" or "working_days")."""
        if unit == "working_hours":
            return self.add_working_time(start, timedelta(hours=amount))
        if unit == "working_days":
            return self.add_working_time(start, self.day_length * amount)
        raise ValueError(f"unknown unit of working time: {unit!r}")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time passes from `start` to `end` (zero if end is not later)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        moment = self.next_opening(start)
        while moment < end:
            end_of_day = datetime.combine(moment.date(), self.closes)
            total += min(end, end_of_day) - moment
            moment = self.next_working_day_start(moment)
        return total


def sandbox_now(sandbox, real_now: datetime | None = None) -> datetime:
    """The sandbox's business time now: its start, plus real time since, plus moves forward."""
    real_now = real_now or utcnow()
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
    outside the business-time range)."""
    check_in_range(start)
    sandbox.clock_start = start
    sandbox.clock_anchor = real_now or utcnow()
    sandbox.clock_offset_seconds = 0
