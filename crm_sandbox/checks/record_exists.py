"""Check type `record_exists`: at least `min` records of a kind, optionally with field values."""

from __future__ import annotations

from typing import Literal

from ..models import (
    Complaint,
    Contact,
    Finding,
    ImprovementAction,
    Interaction,
    ServiceStandard,
    Survey,
)
from . import CheckResult, Params, register
from ._helpers import as_log

OBJECT_TYPES = {
    "contact": "contact",
    "interaction": "interaction",
    "complaint": "complaint",
    "standard": "standard",
    "survey": "survey",
    "finding": "finding",
    "improvement": "improvement_action",
}
MODELS = {
    "contact": Contact,
    "interaction": Interaction,
    "complaint": Complaint,
    "standard": ServiceStandard,
    "survey": Survey,
    "finding": Finding,
    "improvement": ImprovementAction,
}

MADE_SUFFIXES = (".created", ".logged", ".received", ".recorded", ".planned")


class RecordExists(Params):
    kind: Literal[
        "contact", "interaction", "complaint", "standard", "survey", "finding", "improvement"
    ]
    where: dict[str, str | int | float | bool | None] = {}
    min: int = 1
    created_in_attempt: bool = True


@register("record_exists", RecordExists)
def record_exists(state, log, scenario, p: RecordExists) -> CheckResult:
    """Passes when the sandbox holds at least `min` records of `kind` matching `where`
    (created during this attempt unless `created_in_attempt` is false)."""
    model = MODELS[p.kind]
    conditions = []
    for field, value in p.where.items():
        column = getattr(model, field, None)
        if column is None:
            return CheckResult(False, f"(scenario error: {p.kind} has no field {field!r})")
        conditions.append(column == value)
    rows = state.all(model, *conditions)
    evidence = []
    if p.created_in_attempt:
        log = as_log(log)
        verbs = [v for v in log.verbs() if v.endswith(MADE_SUFFIXES)]
        made = {i.object_id: i.seq for i in log.of(*verbs) if i.object_type == OBJECT_TYPES[p.kind]}
        rows = [r for r in rows if r.id in made]
        evidence = [made[r.id] for r in rows]
    if len(rows) >= p.min:
        return CheckResult(True, f"{len(rows)} found.", evidence)
    return CheckResult(False, f"found {len(rows)} of the {p.min} needed.", evidence)
