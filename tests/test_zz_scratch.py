import os, yaml, json
from crm_sandbox.scenarios import engine, selftest
from crm_sandbox.scenarios.loader import library_source, load_file
from crm_sandbox.models import Finding, ImprovementAction, ActionLogEntry
from crm_sandbox.extensions import db
from sqlalchemy import select


def test_scratch(app):
    sid = os.environ["SC"]
    scenario, source = library_source(sid)
    steps = selftest.parse_steps(yaml.safe_load(__import__("pathlib").Path(os.environ["STEPS"]).read_text()))
    learner = selftest._throwaway_learner("x")
    attempt = engine.start_attempt(learner, scenario, source)
    engine.replay(attempt, steps)
    for f in db.session.scalars(select(Finding).where(Finding.sandbox_id == attempt.sandbox_id)):
        print("FINDING", f.id, f.segment, json.dumps(f.evidence))
    for a in db.session.scalars(select(ImprovementAction).where(ImprovementAction.sandbox_id == attempt.sandbox_id)):
        print("ACTION", a.id, a.baseline, a.result, a.outcome, a.due_on, json.dumps(a.measure))
    ev = engine.evaluate(attempt)
    for o in ev.outcomes():
        print("CHECK", o.id, o.passed, o.pending, o.message)
