"""The scale benchmark's college (`benchmarks.college`): what it builds is what a college
holds, built through the provisioning service, with logs the chain verification accepts.
Its speed is judged by the benchmark, never here."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from benchmarks import college
from crm_sandbox.extensions import db
from crm_sandbox.models import Attempt, Sandbox, User
from crm_sandbox.services import action_log


def test_a_college_gives_each_learner_a_practice_sandbox_and_three_scenario_attempts(app):
    built = college.fill(9, None, measured_at=4)
    db.session.commit()

    assert built["learners"] == 3
    assert built["sandboxes"] == 9
    learners = {
        s.owner_id for s in db.session.scalars(select(Sandbox).where(Sandbox.kind != "template"))
    }
    assert len(learners) == 3
    sandboxes = db.session.scalars(
        select(Sandbox).where(Sandbox.kind != "template").order_by(Sandbox.id)
    ).all()
    assert len(sandboxes) == 9
    kinds = Counter((s.kind, s.size) for s in sandboxes)
    assert kinds == {
        ("practice", "standard"): 2,  # the measured learner's slot 4 was a practice one
        ("assignment", "standard"): 5,
        ("assignment", "small"): 2,
    }
    # every scenario attempt has its attempts row, in its owner's name
    attempts = db.session.scalars(select(Attempt)).all()
    assert len(attempts) == 7
    owner = {s.id: s.owner_id for s in sandboxes}
    assert all(owner[a.sandbox_id] == a.learner_id for a in attempts)
    # the measured attempt: the scenario, its log filled, the learner one of the college's
    measured = db.session.get(Attempt, built["attempt_id"])
    assert measured.scenario_id == college.SCENARIO
    assert measured.sandbox.log_seq == college.MEASURED_LOG
    assert db.session.get(User, measured.learner_id).id in learners
    for sandbox in sandboxes:
        verified = action_log.verify(sandbox.id)
        assert verified.ok, str(verified)
    others = [s for s in sandboxes if s.id != measured.sandbox_id]
    assert sorted(s.log_seq for s in others) == sorted(
        college.log_length(n) for n in range(9) if n != 4
    )
    templates = db.session.scalar(
        select(func.count()).select_from(Sandbox).where(Sandbox.kind == "template")
    )
    assert templates == 3  # standard and small, and the scenario's own (its clock start)


def test_a_forced_size_makes_every_sandbox_that_size(app):
    college.fill(4, "small", measured_at=0)
    db.session.commit()
    sizes = set(db.session.scalars(select(Sandbox.size).where(Sandbox.kind != "template")))
    assert sizes == {"small"}
