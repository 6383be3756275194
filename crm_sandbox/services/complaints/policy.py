"""The complaints procedure itself: stages and the legal moves between them, the levels an
escalation climbs, due times in working time, and which escalation reasons the procedure
names. Pure policy: nothing here writes to the database (the rules a learner points at are
in `rules`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...models.complaints import Complaint, Level, Stage
from ..context import SandboxContext
from ..errors import ServiceError

OPEN_STAGES = (
    Stage.RECEIVED,
    Stage.ACKNOWLEDGED,
    Stage.INVESTIGATING,
    Stage.WAITING,
    Stage.RESOLVED,
)
AT_RISK_SHARE = 0.25  # "at risk" once less than a quarter of the allowed time is left

# The legal stage moves: action -> (stages it may start from, stage it leads to).
MOVES: dict[str, tuple[tuple[Stage, ...], Stage]] = {
    "acknowledge": ((Stage.RECEIVED,), Stage.ACKNOWLEDGED),
    "investigate": ((Stage.ACKNOWLEDGED,), Stage.INVESTIGATING),
    "wait_for_customer": ((Stage.INVESTIGATING,), Stage.WAITING),
    "customer_replied": ((Stage.WAITING,), Stage.INVESTIGATING),
    "resolve": ((Stage.INVESTIGATING,), Stage.RESOLVED),
    "reopen": ((Stage.RESOLVED,), Stage.INVESTIGATING),
    "close": ((Stage.RESOLVED,), Stage.CLOSED),
}
ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "investigate": "Start investigating",
    "wait_for_customer": "Wait for the customer",
    "customer_replied": "Customer replied",
    "resolve": "Record the resolution",
    "reopen": "Reopen the investigation",
    "close": "Close",
    "escalate": "Escalate",
}
# Why a move is refused from a given stage: the procedure step that is missing.
MISSING_STEP = {
    Stage.RECEIVED: "acknowledge the complaint first (procedure step: acknowledgement)",
    Stage.ACKNOWLEDGED: "start the investigation first (procedure step: investigate)",
    Stage.INVESTIGATING: "record a resolution first (procedure step: resolve)",
    Stage.WAITING: "record the customer's reply first: the complaint is waiting for them",
    Stage.RESOLVED: "it is already resolved: close it, reopen it or escalate it",
    Stage.CLOSED: "it is closed: the procedure has ended",
}


def procedure(ctx: SandboxContext) -> dict:
    """The organisation's complaints procedure as the scenario set it (empty if none)."""
    return ctx.organisation.complaints_procedure or {}


def level_policy(ctx: SandboxContext, level: Level) -> dict:
    """The procedure's rules for one level (owner and timescales); a level it does not
    name has no timescales and is owned by the level's own label."""
    for entry in procedure(ctx).get("levels", []):
        if entry.get("key") == level.value:
            return entry
    return {
        "key": level.value,
        "name": level.label,
        "owner": level.label,
        "acknowledge_within": None,
        "resolve_within": None,
    }


def levels(ctx: SandboxContext) -> list[Level]:
    """The escalation levels in the procedure's order (all levels if it names none)."""
    keys = [entry.get("key") for entry in procedure(ctx).get("levels", [])]
    known = [Level(k) for k in keys if k in Level.__members__.values()]
    return known or list(Level)


def next_level(ctx: SandboxContext, level: Level) -> Level | None:
    """The level an escalation from `level` goes to, or None at the last level."""
    order = levels(ctx)
    position = order.index(level) if level in order else -1
    return order[position + 1] if position + 1 < len(order) else None


def _due(ctx: SandboxContext, start: datetime, rule: dict | None) -> datetime | None:
    if not rule:
        return None
    return ctx.calendar().add(start, rule["amount"], rule["unit"])


@dataclass
class DueStatus:
    """One due time at the current level and whether it was met, missed or is at risk."""

    label: str  # "Acknowledge" / "Resolve"
    due: datetime | None
    done: datetime | None
    state: str  # met / missed / at_risk / on_track / paused / none

    @property
    def badge(self) -> str:
        return {
            "met": "success",
            "missed": "danger",
            "at_risk": "warning",
            "on_track": "secondary",
            "paused": "info",
        }.get(self.state, "light")


def _due_state(
    ctx: SandboxContext, complaint: Complaint, start: datetime, due, done, now: datetime
) -> str:
    if due is None:
        return "none"
    if done is not None:
        return "met" if done <= due else "missed"
    if complaint.stage == Stage.WAITING.value:
        return "paused"
    if now > due:
        return "missed"
    calendar = ctx.calendar()
    allowed = calendar.working_time_between(start, due)
    left = calendar.working_time_between(now, due)
    return "at_risk" if allowed and left <= allowed * AT_RISK_SHARE else "on_track"


def due_statuses(ctx: SandboxContext, complaint: Complaint) -> list[DueStatus]:
    """The acknowledgement and resolution due times at the current level, and whether each
    was met, missed, is at risk, or is still on track."""
    now = ctx.now()
    start = complaint.level_started_at
    ack_done = complaint.acknowledged_at if complaint.stage != Stage.RECEIVED.value else None
    resolve_done = (
        complaint.resolved_at
        if complaint.stage in (Stage.RESOLVED.value, Stage.CLOSED.value)
        else None
    )
    return [
        DueStatus(
            "Acknowledge",
            complaint.ack_due_at,
            ack_done,
            _due_state(ctx, complaint, start, complaint.ack_due_at, ack_done, now),
        ),
        DueStatus(
            "Resolve",
            complaint.resolve_due_at,
            resolve_done,
            _due_state(ctx, complaint, start, complaint.resolve_due_at, resolve_done, now),
        ),
    ]


def legal_actions(complaint: Complaint, ctx: SandboxContext) -> list[str]:
    """The moves the procedure allows from where the complaint is now (shown as buttons)."""
    stage = complaint.stage_enum
    actions = [name for name, (starts, _) in MOVES.items() if stage in starts]
    if stage != Stage.CLOSED and next_level(ctx, complaint.level_enum) is not None:
        actions.append("escalate")
    return actions


def _check_move(complaint: Complaint, action: str) -> Stage:
    starts, target = MOVES[action]
    if complaint.stage_enum not in starts:
        raise ServiceError(
            f"{ACTION_LABELS[action]} is not possible while the complaint is "
            f"{complaint.stage_enum.label.lower()}: {MISSING_STEP[complaint.stage_enum]}."
        )
    return target


def _late(done: datetime, due: datetime | None, what: str) -> str:
    if due is not None and done > due:
        return f"{what} after the procedure's deadline ({due:%a %d %b %H:%M})"
    return ""
