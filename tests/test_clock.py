"""The business clock: working time across evenings, weekends and UK bank holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_sandbox.services import clock

CAL = clock.WorkingCalendar()  # Mon-Fri 09:00-17:00


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_england_and_wales_bank_holidays_are_known():
    assert clock.is_bank_holiday(date(2026, 4, 3))  # Good Friday
    assert clock.is_bank_holiday(date(2026, 4, 6))  # Easter Monday
    assert clock.is_bank_holiday(date(2026, 12, 28))  # Boxing Day substitute
    assert not clock.is_bank_holiday(date(2026, 3, 17))  # St Patrick's Day: N. Ireland only


def test_one_working_day_after_friday_afternoon_is_monday_afternoon():
    assert CAL.add(dt("2026-03-06 15:00"), 1, "working_days") == dt("2026-03-09 15:00")


def test_working_hours_run_over_the_evening_into_the_next_morning():
    assert CAL.add(dt("2026-03-02 16:00"), 3, "working_hours") == dt("2026-03-03 11:00")


def test_time_received_outside_hours_starts_counting_at_the_next_opening():
    saturday = dt("2026-03-07 10:30")
    assert CAL.add(saturday, 2, "working_hours") == dt("2026-03-09 11:00")
    evening = dt("2026-03-02 18:45")
    assert CAL.add(evening, 1, "working_hours") == dt("2026-03-03 10:00")


def test_easter_bank_holidays_are_skipped():
    # Thursday 2 April 2026 14:00 + 1 working day: Good Friday and Easter Monday are closed.
    assert CAL.add(dt("2026-04-02 14:00"), 1, "working_days") == dt("2026-04-07 14:00")


def test_five_working_days_over_christmas_and_new_year():
    # Wed 23 Dec 2026 + 5 working days: Christmas Day (Fri), Boxing Day observed (Mon 28) and
    # New Year's Day (Fri 1 Jan 2027) are closed: Thu 24, Tue 29, Wed 30, Thu 31, Mon 4 Jan.
    assert CAL.add(dt("2026-12-23 10:00"), 5, "working_days") == dt("2027-01-04 10:00")


def test_working_time_between_counts_only_open_hours():
    assert CAL.working_time_between(dt("2026-03-06 16:00"), dt("2026-03-09 10:00")) == timedelta(
        hours=2
    )
    assert CAL.working_time_between(dt("2026-03-09 10:00"), dt("2026-03-06 16:00")) == timedelta(0)
    assert CAL.working_time_between(dt("2026-04-02 16:00"), dt("2026-04-07 09:30")) == timedelta(
        hours=1, minutes=30
    )


def test_next_working_day_start_skips_weekends_and_holidays():
    assert CAL.next_working_day_start(dt("2026-03-06 11:00")) == dt("2026-03-09 09:00")
    assert CAL.next_working_day_start(dt("2026-04-02 11:00")) == dt("2026-04-07 09:00")


def test_a_six_day_calendar_with_its_own_hours():
    leisure = clock.WorkingCalendar(working_days=(1, 2, 3, 4, 5, 6), opens=time(7), closes=time(21))
    assert leisure.add(dt("2026-03-06 20:00"), 2, "working_hours") == dt("2026-03-07 08:00")
    assert leisure.day_length == timedelta(hours=14)


def test_an_unknown_unit_or_an_impossible_calendar_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        CAL.add(dt("2026-03-02 09:00"), 1, "fortnights")
    with pytest.raises(ValueError):
        clock.WorkingCalendar(working_days=())
    with pytest.raises(ValueError):
        clock.WorkingCalendar(opens=time(17), closes=time(9))


def test_sandbox_time_moves_with_real_time_and_can_be_moved_on():
    anchor = dt("2026-11-22 10:00").replace(tzinfo=clock.utcnow().tzinfo)
    sandbox = SimpleNamespace(
        clock_start=dt("2026-03-02 09:00"), clock_anchor=anchor, clock_offset_seconds=0
    )
    assert clock.sandbox_now(sandbox, anchor + timedelta(minutes=25)) == dt("2026-03-02 09:25")
    later = anchor + timedelta(minutes=30)
    clock.set_sandbox_time(sandbox, dt("2026-03-03 09:00"), later)
    assert clock.sandbox_now(sandbox, later) == dt("2026-03-03 09:00")
    assert clock.sandbox_now(sandbox, later + timedelta(minutes=5)) == dt("2026-03-03 09:05")


def test_business_time_is_kept_within_the_century():
    assert clock.check_in_range(date(2026, 3, 2)) == date(2026, 3, 2)
    for outside in (datetime(2100, 1, 1), datetime(1999, 12, 31, 23, 59), date(9999, 12, 31)):
        with pytest.raises(ValueError, match="between 1 January 2000 and 31 December 2099"):
            clock.check_in_range(outside)
    sandbox = SimpleNamespace(clock_start=None, clock_anchor=None, clock_offset_seconds=0)
    with pytest.raises(ValueError):
        clock.start_clock(sandbox, datetime(9999, 12, 31, 9, 0))
    assert sandbox.clock_start is None  # refused before anything changed


def test_moving_the_clock_past_the_end_of_business_time_is_refused_and_changes_nothing(
    client, auth, provision
):
    from sqlalchemy import func, select

    from crm_sandbox.extensions import db
    from crm_sandbox.models import ActionLogEntry, Sandbox

    sandbox = provision()
    clock.start_clock(sandbox, datetime(2099, 12, 31, 16, 0))  # the last working day
    db.session.commit()
    auth.login(sandbox.owner.email)
    entries = db.session.scalar(select(func.count(ActionLogEntry.id)))
    for path, data in (("next-working-day", {}), ("forward", {"hours": "8"})):
        moved = client.post(f"/s/{sandbox.id}/clock/{path}", data=data, follow_redirects=True)
        assert moved.status_code == 200
        assert b"The sandbox clock cannot move there" in moved.data
        assert b"Nothing was changed" in moved.data
    db.session.rollback()
    assert db.session.get(Sandbox, sandbox.id).clock_offset_seconds == 0
    assert db.session.scalar(select(func.count(ActionLogEntry.id))) == entries
    assert client.get(f"/s/{sandbox.id}/").status_code == 200  # the dashboard still opens


# ---------------------------------------------------------------- arithmetic, not stepping


def stepped_add(cal: clock.WorkingCalendar, start: datetime, amount: timedelta) -> datetime:
    """The plain day-by-day walk the arithmetic must agree with."""
    moment = cal.next_opening(start)
    remaining = amount
    while True:
        available = datetime.combine(moment.date(), cal.closes) - moment
        if remaining <= available:
            return moment + remaining
        remaining -= available
        moment = cal.next_working_day_start(moment)


def stepped_between(cal: clock.WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    if end <= start:
        return timedelta(0)
    total, moment = timedelta(0), cal.next_opening(start)
    while moment < end:
        total += min(end, datetime.combine(moment.date(), cal.closes)) - moment
        moment = cal.next_working_day_start(moment)
    return total


calendars = st.builds(
    lambda days, opens, length: clock.WorkingCalendar(
        working_days=tuple(sorted(days)), opens=time(opens), closes=time(opens + length)
    ),
    st.sets(st.integers(1, 7), min_size=1),
    st.integers(0, 12),
    st.integers(1, 11),
)
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2031, 12, 31))


@settings(max_examples=150, deadline=None)
@given(calendars, moments, st.integers(0, 400 * 60), st.sampled_from([1, 60]))
def test_adding_working_time_by_arithmetic_agrees_with_walking_day_by_day(
    cal, start, amount, scale
):
    amount = timedelta(minutes=amount * scale)
    assert cal.add_working_time(start, amount) == stepped_add(cal, start, amount)


@settings(max_examples=150, deadline=None)
@given(calendars, moments, moments)
def test_working_time_between_by_arithmetic_agrees_with_walking_day_by_day(cal, start, end):
    assert cal.working_time_between(start, end) == stepped_between(cal, start, end)


def count_days_looked_at(monkeypatch) -> list[int]:
    seen = [0]
    real = clock.WorkingCalendar.is_working_day

    def counting(self, day):
        seen[0] += 1
        return real(self, day)

    monkeypatch.setattr(clock.WorkingCalendar, "is_working_day", counting)
    return seen


@pytest.mark.parametrize("days", [1, 60, 10_000])
def test_a_deadline_looks_at_a_handful_of_days_however_far_away_it_is(monkeypatch, days):
    seen = count_days_looked_at(monkeypatch)
    CAL.add(dt("2026-12-18 16:00"), days, "working_days")
    # the first opening and the last part-week, never one step per day in between
    assert seen[0] <= 20, seen[0]


def test_working_time_over_years_looks_at_a_handful_of_days(monkeypatch):
    seen = count_days_looked_at(monkeypatch)
    assert CAL.working_time_between(dt("2026-03-02 09:00"), dt("2028-03-02 09:00")) == (
        timedelta(hours=8) * CAL.working_days_between(date(2026, 3, 2), date(2028, 3, 1))
    )
    assert seen[0] <= 5, seen[0]


def test_working_days_between_skips_weekends_and_bank_holidays():
    # April 2026: 22 weekdays, less Good Friday and Easter Monday
    assert CAL.working_days_between(date(2026, 4, 1), date(2026, 4, 30)) == 20
    assert CAL.working_days_between(date(2026, 4, 30), date(2026, 4, 1)) == 0
