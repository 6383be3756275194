"""Concrete paths from URL-map rules, for tests that walk every route."""

from __future__ import annotations

import re

from crm_sandbox.models import (
    Complaint,
    Contact,
    Finding,
    ImprovementAction,
    Interaction,
    Need,
    Question,
    ServiceStandard,
    Survey,
)

# The sandbox record each id argument of a CRM route names.
SANDBOX_OBJECTS = {
    "contact_id": Contact,
    "need_id": Need,
    "interaction_id": Interaction,
    "complaint_id": Complaint,
    "standard_id": ServiceStandard,
    "survey_id": Survey,
    "question_id": Question,
    "finding_id": Finding,
    "action_id": ImprovementAction,
}


def fill_rule(rule, values: dict, default=None) -> str:
    """The rule's path with each argument replaced by `values[arg]` (or `default` when given
    and the argument has no value; a missing argument without a default is a KeyError)."""
    path = rule.rule
    for arg in rule.arguments:
        value = values[arg] if default is None else values.get(arg, default)
        path = re.sub(rf"<(?:[^:>]+:)?{arg}(?:\([^)]*\))?>", str(value), path)
    return path
