"""Moving a sandbox's business clock on, as a recorded action; and a scenario's clock that
runs only while the learner works."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..models import Attempt, Sandbox, User, db
from . import action_log, clock
from .context import SandboxContext
from .errors import ServiceError

MAX_HOURS = 8


def _move_to(ctx: SandboxContext, target) -> datetime:
    """Move to the time `target()` computes, refused with a clear message when that would take
    the clock out of the range business time may take."""
    before = ctx.now()
    try:
        target = target()
        clock.set_sandbox_time(ctx.sandbox, target)
    except (ValueError, OverflowError):
        raise ServiceError(
            f"The sandbox clock cannot move there: business time stays {clock.RANGE_TEXT}. "
            "Nothing was changed."
        ) from None
    action_log.record(
        ctx,
        "clock.advanced",
        "sandbox",
        ctx.sandbox_id,
        before={"sandbox_time": before},
        after={"sandbox_time": target},
        sandbox_time=target,
    )
    return target


def advance_to_next_working_day(ctx: SandboxContext) -> datetime:
    """Move the sandbox clock to opening time on the next working day."""
    ctx.require_writable()
    return _move_to(ctx, lambda: ctx.calendar().next_working_day_start(ctx.now()))


def advance_by_working_hours(ctx: SandboxContext, hours: int) -> datetime:
    """Move the sandbox clock on by whole working hours (1 to 8), skipping closed time."""
    ctx.require_writable()
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_HOURS:
        raise ServiceError(f"Move the clock on by 1 to {MAX_HOURS} working hours.")
    return _move_to(ctx, lambda: ctx.calendar().add(ctx.now(), hours, "working_hours"))


# ---------------------------------------------------------------- a scenario's clock and the work
# A scenario attempt's clock (`clock_runs_on_work`) starts when the learner first opens the
# scenario or its CRM, runs while they work and pauses when they sign out or submit; each gap
# between their requests counts at most the idle limit (`clock.idle_limit`). Reading it never
# writes: `clock.sandbox_now` computes it from the stored values, and a request records the
# learner's activity (`record_work`) only when the last record is older than RECORD_INTERVAL,
# at the first opening, or to resume a paused clock.
RECORD_INTERVAL = timedelta(minutes=1)


def rule() -> str:
    """What a scenario's clock does, in the learner's words (the scenario page and the CRM
    say it the same way)."""
    minutes = int(clock.idle_limit().total_seconds() // 60)
    return (
        "The scenario clock runs only while you work: it pauses when you sign out or after "
        f"{minutes} minute{'s' if minutes != 1 else ''} without activity, and stops when you "
        "submit."
    )


def work_to_record(sandbox, started: bool, real_now: datetime | None = None) -> bool:
    """Whether a request of the learner's in this attempt must record their activity (a
    write): `sandbox` is the row or any object with its clock fields and `read_only`;
    `started` whether the attempt has a first opening."""
    if not getattr(sandbox, "clock_runs_on_work", False) or sandbox.read_only:
        return False  # a practice CRM's clock runs with real time; submitted work is stopped
    if not started or not sandbox.clock_running:
        return True
    return (real_now or clock.utcnow()) - sandbox.clock_anchor >= RECORD_INTERVAL


def _fold_gap(sandbox: Sandbox, real_now: datetime) -> None:
    """Add the counted time since the last record to the worked time and record `real_now`
    as the last activity (whole seconds are added and the anchor moved by as much, so an
    uncapped gap's fraction of a second is not lost)."""
    gap = clock.worked_gap(sandbox, real_now)
    seconds = int(gap.total_seconds())
    sandbox.clock_worked_seconds += seconds
    if sandbox.clock_running and gap < clock.idle_limit():
        sandbox.clock_anchor += timedelta(seconds=seconds)
    else:
        sandbox.clock_anchor = real_now


def record_work(attempt: Attempt, real_now: datetime | None = None) -> bool:
    """The learner is working in the attempt now: at the first opening start its clock (at
    the scenario's start time) and record `started_at` and a `scenario.opened` entry; resume
    a paused clock; or add the time since the last record. Whether anything was written."""
    sandbox = attempt.sandbox
    # Decided again under the row's lock (PostgreSQL; SQLite's write lock is already held):
    # two requests at once must not both add the same gap. Flushed first: a refresh would
    # drop the caller's unsaved changes.
    db.session.flush()
    db.session.refresh(sandbox, with_for_update=True)
    real_now = real_now or clock.utcnow()
    first = attempt.started_at is None
    if not work_to_record(sandbox, not first, real_now):
        return False
    _fold_gap(sandbox, real_now)
    sandbox.clock_running = True
    if first:
        attempt.started_at = real_now
    db.session.flush()
    if first:
        action_log.record(
            SandboxContext(sandbox, attempt.learner),
            "scenario.opened",
            "attempt",
            attempt.id,
            after={"started_at": real_now},
        )
    return True


def pause(sandbox: Sandbox, real_now: datetime | None = None) -> None:
    """Stop a scenario's clock where it reads now (submission, signing out); the learner's
    next request in the attempt resumes it (`record_work`)."""
    if not sandbox.clock_runs_on_work or not sandbox.clock_running:
        return
    _fold_gap(sandbox, real_now or clock.utcnow())
    sandbox.clock_running = False
    db.session.flush()


def pause_all(learner: User) -> None:
    """Pause the clocks of every scenario the learner is working in (they are signing out)."""
    running = db.session.scalars(
        select(Sandbox).where(
            Sandbox.owner_id == learner.id,
            Sandbox.clock_runs_on_work.is_(True),
            Sandbox.clock_running.is_(True),
        )
    ).all()
    real_now = clock.utcnow()
    for sandbox in running:
        pause(sandbox, real_now)
