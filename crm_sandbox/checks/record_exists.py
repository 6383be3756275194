"""Check type `record_exists`: at least `min` records of a kind, made in this attempt,
optionally with values of their structured fields.

`where` may name only structured fields (a choice from a list, a yes/no, a link): matching the
words of a free-text field would be a keyword check, which no check may pass on, so the loader
refuses a `where` on a free-text field (a name, a summary, a description, a finding's text)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..models import (
    Complaint,
    Contact,
    Finding,
    ImprovementAction,
    Interaction,
    ServiceStandard,
    Survey,
)
from ..wording import count_of
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

# The structured fields `where` may test, per kind (choices, yes/no values and links).
STRUCTURED = {
    "contact": {
        "category",
        "account_type",
        "segment",
        "lifecycle_stage",
        "consent_email",
        "consent_phone",
        "consent_post",
        "consent_sms",
        "merged_into_id",
    },
    "interaction": {
        "contact_id",
        "channel",
        "direction",
        "initiative",
        "purpose",
        "answer_kind",
        "complaint_id",
        "standard_id",
        "survey_id",
    },
    "complaint": {"contact_id", "channel", "severity", "stage", "level", "customer_confirmed"},
    "standard": {"measure", "period", "status", "agreed_with_contact_id"},
    "survey": {"method", "status"},
    "finding": {"survey_id", "question_id", "segment"},
    "improvement": {"finding_id", "standard_id", "status", "outcome"},
}

MADE_SUFFIXES = (".created", ".logged", ".received", ".recorded", ".planned")


class RecordExists(Params):
    kind: Literal[
        "contact", "interaction", "complaint", "standard", "survey", "finding", "improvement"
    ]
    where: dict[str, str | int | float | bool | None] = {}
    min: int = Field(1, ge=1)
    created_in_attempt: bool = True

    @model_validator(mode="after")
    def _structured_only(self) -> RecordExists:
        if not self.created_in_attempt:
            raise ValueError(
                "created_in_attempt: false would pass on records the sandbox held before the "
                "learner started (no credit for doing nothing)"
            )
        free = sorted(set(self.where) - STRUCTURED[self.kind])
        if free:
            raise ValueError(
                f"where: {', '.join(free)} is not a structured field of a {self.kind} (a check "
                "may not match free text); use one of: " + ", ".join(sorted(STRUCTURED[self.kind]))
            )
        return self


@register("record_exists", RecordExists)
def record_exists(state, log, scenario, p: RecordExists) -> CheckResult:
    """Passes when at least `min` records of `kind` made during this attempt match `where`
    (structured fields only)."""
    model = MODELS[p.kind]
    conditions = []
    for field, value in p.where.items():
        column = getattr(model, field, None)
        if column is None:
            return CheckResult(False, f"(scenario error: {p.kind} has no field {field!r})")
        conditions.append(column == value)
    rows = state.all(model, *conditions)
    log = as_log(log)
    verbs = [v for v in log.verbs() if v.endswith(MADE_SUFFIXES)]
    made = {i.object_id: i.seq for i in log.of(*verbs) if i.object_type == OBJECT_TYPES[p.kind]}
    rows = [r for r in rows if r.id in made]
    evidence = [made[r.id] for r in rows]
    label = {"standard": "service standard", "survey": "feedback collection"}.get(p.kind, p.kind)
    if len(rows) >= p.min:
        return CheckResult(True, f"{count_of(len(rows), label)} of the kind asked for.", evidence)
    return CheckResult(
        False,
        f"{len(rows)} of the {p.min} {label} records of the kind asked for were made in this "
        "attempt.",
        evidence,
    )
