"""Trying steps on a library scenario from a test, as `crm-sandbox scenarios try` does: replay a
list of steps (the step language of model answers, as YAML text or a list of mappings) on a fresh
attempt and read back every check's outcome. Needs the `app` fixture (a database)."""

from __future__ import annotations

import yaml

from crm_sandbox.scenarios import selftest
from crm_sandbox.scenarios.loader import library_source


def evaluate(scenario_id: str, steps):
    """The evaluation of `steps` replayed on a fresh attempt at a library scenario."""
    scenario, source = library_source(scenario_id)
    if isinstance(steps, str):
        steps = yaml.safe_load(steps) or []
    evaluation, _ = selftest.try_steps(scenario, source, selftest.parse_steps(steps))
    return evaluation


def outcomes(scenario_id: str, steps) -> dict:
    """Every check's outcome by id."""
    return {c.id: c for c in evaluate(scenario_id, steps).outcomes()}


def outcome(scenario_id: str, steps, check_id: str):
    """One check's outcome (passed, pending, message, feedback, evidence)."""
    return outcomes(scenario_id, steps)[check_id]
