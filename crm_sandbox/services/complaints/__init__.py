"""The complaints procedure as a state machine.

Stages: received -> acknowledged -> investigating (<-> waiting for the customer) -> resolved ->
closed; escalation moves a complaint up the organisation's levels (front line, supervisor,
manager, external review) and restarts the procedure at the new level. Each move is a
function that refuses an out-of-order step with a message naming the missing procedure step.
Timing mistakes are allowed (learners make them) but recorded as breaches on the history,
where the checks and the assessor see them. Due times come from the organisation's procedure,
in working time, pushed back by time spent waiting for the customer.

The package is split by concern: `policy` (the procedure: stages, moves, due times,
escalation rules), `queries` (reads), `operations` (one function per thing a user does) and
`satisfaction` (the rating asked for after closure). Callers use the names re-exported here.
"""

from __future__ import annotations

from .operations import (
    acknowledge,
    ask_satisfied,
    close,
    customer_replied,
    escalate,
    next_reference,
    propose_resolution,
    receive_complaint,
    reopen,
    resolve,
    satisfaction_replies,
    send_update,
    start_investigation,
    wait_for_customer,
)
from .policy import (
    ACTION_LABELS,
    AT_RISK_SHARE,
    MISSING_STEP,
    MOVES,
    OPEN_STAGES,
    DueStatus,
    due_statuses,
    legal_actions,
    level_policy,
    levels,
    next_level,
    procedure,
)
from .queries import (
    LIST_ORDER,
    ComplaintFilters,
    communications,
    counts_and_owners,
    counts_by_stage,
    counts_by_stage_select,
    list_complaints,
    list_page,
    list_params,
    list_read,
    owners,
    snapshot,
    stage_counts,
)
from .satisfaction import request_satisfaction, satisfaction_visible

__all__ = [
    "ACTION_LABELS",
    "AT_RISK_SHARE",
    "LIST_ORDER",
    "MISSING_STEP",
    "MOVES",
    "OPEN_STAGES",
    "ComplaintFilters",
    "DueStatus",
    "acknowledge",
    "ask_satisfied",
    "close",
    "communications",
    "counts_and_owners",
    "counts_by_stage",
    "counts_by_stage_select",
    "customer_replied",
    "due_statuses",
    "escalate",
    "legal_actions",
    "level_policy",
    "levels",
    "list_complaints",
    "list_page",
    "list_params",
    "list_read",
    "next_level",
    "next_reference",
    "owners",
    "procedure",
    "propose_resolution",
    "receive_complaint",
    "reopen",
    "request_satisfaction",
    "resolve",
    "satisfaction_replies",
    "satisfaction_visible",
    "send_update",
    "snapshot",
    "stage_counts",
    "start_investigation",
    "wait_for_customer",
]
