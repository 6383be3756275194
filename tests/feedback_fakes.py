"""Hand-made sandboxes for the feedback family's check tests: findings and improvement actions
as the services record them (their evidence and measures), and the log entries that made them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.models import Finding, ImprovementAction
from crm_sandbox.scenarios.state import LogItem

START = datetime(2026, 3, 2, 9, 0)


class FakeState:
    def __init__(self, findings=(), actions=(), keys=None):
        self.rows = {Finding: list(findings), ImprovementAction: list(actions)}
        self.keys = keys or {}
        self.now = START + timedelta(days=30)

    def all(self, model, *conditions):
        return list(self.rows.get(model, []))

    def id_of(self, kind, key):
        return self.keys.get(kind, {}).get(key)


def entry(seq, verb, object_id, after=None, object_type=None, days=0):
    kind = object_type or verb.split(".")[0].replace("improvement", "improvement_action")
    return LogItem(seq, verb, kind, object_id, START + timedelta(days=days), {"after": after or {}})


def finding(
    fid,
    *,
    survey_id=1,
    segment="",
    measure="average",
    figure=3.0,
    computed=3.0,
    based_on=2,
    respondents=(10, 11),
    agrees=None,
):
    if agrees is None:
        agrees = measure == "" or (computed is not None and abs(figure - computed) <= 0.1)
    evidence = {
        "measure": measure,
        "figure": figure if measure else None,
        "computed": computed,
        "agrees": agrees if measure else None,
        "based_on": based_on,
        "respondents": list(respondents),
        "theme": "",
        "option": "",
    }
    return SimpleNamespace(id=fid, survey_id=survey_id, segment=segment, evidence=evidence)


def loyalty_finding(fid, figures, based_on=35):
    return SimpleNamespace(
        id=fid,
        survey_id=None,
        segment="",
        evidence={"source": "loyalty", "figures": figures, "based_on": based_on},
    )


def action(
    aid,
    finding_id,
    *,
    baseline=3.0,
    stated_baseline=None,
    evaluated=False,
    result=None,
    outcome="",
    verdict=None,
    after_based_on=0,
    stated_result=None,
    due_in_days=7,
    evaluated_after_days=10,
    measure=True,
):
    due = (START + timedelta(days=due_in_days)).date()
    spec = None
    if measure:
        spec = {
            "source": "survey",
            "survey_id": 1,
            "question_id": 1,
            "figure": "average",
            "segment": "",
            "option": "",
            "theme": "",
            "aim": "up",
            "stated_baseline": stated_baseline,
        }
        if evaluated:
            spec.update(after_based_on=after_based_on, stated_result=stated_result, verdict=verdict)
    return SimpleNamespace(
        id=aid,
        finding_id=finding_id,
        baseline=baseline if measure else None,
        measure=spec,
        due_on=due,
        evaluated_sbx=START + timedelta(days=evaluated_after_days) if evaluated else None,
        result=result,
        outcome=outcome,
    )


__all__ = ["START", "FakeState", "action", "date", "entry", "finding", "loyalty_finding"]
