"""Moving a sandbox's business clock on, as a recorded action."""

from __future__ import annotations

from datetime import datetime

from . import action_log, clock
from .context import SandboxContext
from .errors import ServiceError


def advance_to_next_working_day(ctx: SandboxContext) -> datetime:
    """Move the sandbox clock to opening time on the next working day."""
    ctx.require_writable()
    before = ctx.now()
    target = ctx.calendar().next_working_day_start(before)
    clock.set_sandbox_time(ctx.sandbox, target)
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


MAX_HOURS = 8


def advance_by_working_hours(ctx: SandboxContext, hours: int) -> datetime:
    """Move the sandbox clock on by whole working hours (1 to 8), skipping closed time."""
    ctx.require_writable()
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_HOURS:
        raise ServiceError(f"Move the clock on by 1 to {MAX_HOURS} working hours.")
    before = ctx.now()
    target = ctx.calendar().add(before, hours, "working_hours")
    clock.set_sandbox_time(ctx.sandbox, target)
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
