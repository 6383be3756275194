"""Check type `complaint_not_altered`: a forbidden action (reopening to rewrite, closing on a
judgement call), judged only once there is something to judge."""

from __future__ import annotations

from tests._policy_steps import STAGE1
from tests.trying import outcome


def judge(steps):
    return outcome("escalation-stage-2", steps, "no-judgement-close")


def test_nothing_done_or_still_open_is_not_yet_judged(app):
    assert judge([]).pending
    assert judge("- do: advance\n  next_working_day: true\n").pending
    assert judge(STAGE1).pending


def test_closing_on_judgement_fails(app):
    steps = (
        STAGE1
        + """
- do: close
  complaint: fan_repair
  confirmed: false
  root_cause: "Contractor."
  lessons: "None."
  judgement: "Nothing more we can do."
"""
    )
    found = judge(steps)
    assert not found.passed and not found.pending


def test_reopening_to_rewrite_fails_at_once():
    from crm_sandbox.checks import REGISTRY
    from crm_sandbox.scenarios.state import Log, LogItem

    class State:
        def get(self, kind, key):
            return type("C", (), {"id": 5})()

    reopened = LogItem(1, "complaint.reopened", "complaint", 5, "2026-04-20T10:00:00", {})
    found = REGISTRY["complaint_not_altered"](State(), Log([reopened]), None, {"complaint": "c"})
    assert not found.passed and not found.pending


def test_a_close_on_the_tenants_yes_passes(app):
    from crm_sandbox.scenarios.loader import library_source

    scenario, _ = library_source("escalation-stage-2")
    steps = [s.model_dump(exclude_none=True) for s in scenario.model_answer]
    found = judge(steps)
    assert found.passed
