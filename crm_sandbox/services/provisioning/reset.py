"""Resetting a sandbox: its rows deleted and copied again with the same offsets, so it gets
back the very same rows; its log is kept and records the reset.
"""

from __future__ import annotations

from sqlalchemy import delete

from ...models import Sandbox, SandboxKind, db
from .. import action_log, clock, staff_audit
from ..context import SandboxContext
from ..errors import ServiceError
from .copying import _copy_rows, _plan_offsets
from .tables import _serialise_copies, copied_tables


def reset(ctx: SandboxContext, reason: str = "") -> Sandbox:
    """Put a sandbox back to its starting state: the same rows, the clock at its start.

    The action log is kept (it is the evidence) and records the reset.
    """
    sandbox = ctx.sandbox
    if sandbox.kind == SandboxKind.TEMPLATE.value:
        raise ServiceError("A template cannot be reset.")
    if sandbox.read_only:
        raise ServiceError("This sandbox is read-only (submitted work); it cannot be reset.")
    template = db.session.get(Sandbox, sandbox.template_id)
    _serialise_copies()
    for table in reversed(copied_tables()):
        db.session.execute(delete(table).where(table.c.sandbox_id == sandbox.id))
    _copy_rows(template, sandbox, _plan_offsets(template, sandbox.id_offsets))
    sandbox.reset_count += 1
    clock.start_clock(sandbox, sandbox.clock_start)
    db.session.flush()
    db.session.expire(sandbox, ["organisation"])
    action_log.record(
        ctx,
        "sandbox.reset",
        "sandbox",
        sandbox.id,
        after={"reset_count": sandbox.reset_count, "reason": reason},
        sandbox_time=sandbox.clock_start,
    )
    if ctx.actor is None or ctx.actor.id != sandbox.owner_id:  # not the learner's own restart
        staff_audit.record_staff_action(
            "sandbox.reset",
            "sandbox",
            sandbox.id,
            actor=ctx.actor,
            group_id=staff_audit.group_of_sandbox(sandbox.id),
            learner_id=sandbox.owner_id,
            before={"reset_count": sandbox.reset_count - 1},
            after={"reset_count": sandbox.reset_count, "reason": reason},
        )
    return sandbox
