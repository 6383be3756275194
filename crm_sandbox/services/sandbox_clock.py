"""Moving a sandbox's business clock on, as a recorded action."""

from __future__ import annotations

from datetime import datetime

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
