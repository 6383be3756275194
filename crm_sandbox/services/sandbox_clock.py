"""Moving a sandbox's business clock on, as a recorded action."""

from __future__ import annotations

from datetime import datetime

from . import action_log, clock
from .context import SandboxContext


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
