"""IQA sampling plans: an IQA (an assessor other than the one who decided, or an admin) sets a
plan per assessor; the plan picks the sample, every decision of a risk category and a
reproducible share of the rest; each review of a sampled decision is recorded and shown, and
nobody plans or reviews their own decisions. The EQA reads plans and samples read-only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from crm_sandbox.criteria import criteria_for_attempt
from crm_sandbox.extensions import db
from crm_sandbox.models import QualityReview, Role, SamplingPlan, StaffAuditEntry
from crm_sandbox.scenarios import engine
from crm_sandbox.services import assessment, assignments, eqa
from crm_sandbox.services.errors import ServiceError

from .conftest import DEFAULT_PASSWORD

SCENARIOS = ["first-complaint", "internal-request", "needs-not-wants", "who-are-our-customers"]
NO_RISK = dict(new_assessor_decisions=0, new_assessor_days=0, new_scenario_decisions=0)


def _signed_in(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    return client


def _decide(learner, group, assessor, scenario, *, outcome="met", mixed=False, score=1.0):
    """A submitted attempt judged and decided by the assessor; `score` is the share of the
    learner's checks passed at submission."""
    assignments.assign(scenario, [learner], None, group_id=group.id)
    attempt = [a for a in assignments.attempts_of(learner) if a.scenario_id == scenario][0]
    engine.submit(attempt, learner, True)
    attempt.latest_score = score
    for i, criterion in enumerate(criteria_for_attempt(attempt)):
        if mixed and i == 0:  # judged not yet met first, then met: the assessor hesitated
            assessment.judge(attempt, assessor, criterion.id, "not_yet_met", "Thin.")
        assessment.judge(attempt, assessor, criterion.id, outcome, "Seen in the log.")
    decision = assessment.decide(attempt, assessor, outcome, "Decided.")
    db.session.commit()
    return decision


@pytest.fixture
def world(app, create_user, create_group):
    class World:
        pass

    w = World()
    w.asa = create_user(Role.ASSESSOR, name="Asa Assessor")
    w.ida = create_user(Role.ASSESSOR, name="Ida Internal")
    w.bea = create_user(Role.ASSESSOR, name="Bea Elsewhere")
    w.admin = create_user(Role.ADMIN, name="Ada Admin")
    w.learners = [create_user(Role.LEARNER, name=f"Learner {n}") for n in range(4)]
    w.group = create_group("IQA group", learners=w.learners, assessors=[w.asa, w.ida])
    w.elsewhere = create_group("Elsewhere", assessors=[w.bea])
    # Asa's account is old: only the plan's own rules make a decision "new assessor".
    w.asa.created_at = datetime.now(UTC) - timedelta(days=400)
    db.session.commit()
    return w


def _clean_decisions(world, n=4):
    """n unremarkable decisions by Asa: met, judgements all met, every check passed, each on
    its own learner's first scenario."""
    return [_decide(world.learners[i], world.group, world.asa, SCENARIOS[0]) for i in range(n)]


def _picked(viewer, assessor):
    return {r.decision.id: r.reasons for r in assessment.sample_for(viewer, assessor) if r.sampled}


# ---------------------------------------------------------------- the plan picks the sample


def test_without_a_plan_nothing_is_sampled(world):
    _clean_decisions(world, 2)
    assert _picked(world.ida, world.asa) == {}


def test_the_percentage_picks_the_same_share_of_the_rest_every_time(world):
    decisions = _clean_decisions(world)
    assessment.set_plan(world.asa, world.ida, percentage=50, borderline=False, **NO_RISK)
    db.session.commit()
    first = _picked(world.ida, world.asa)
    assert len(first) == 2  # half of four
    assert all(reasons == ["percentage"] for reasons in first.values())
    assert _picked(world.ida, world.asa) == first
    assert _picked(world.admin, world.asa) == first  # the reviewer does not change the pick
    assessment.set_plan(world.asa, world.ida, percentage=75, borderline=False, **NO_RISK)
    db.session.commit()
    wider = _picked(world.ida, world.asa)
    assert len(wider) == 3 and set(first) <= set(wider)  # a larger share keeps the earlier picks
    assessment.set_plan(world.asa, world.ida, percentage=0, borderline=False, **NO_RISK)
    assert _picked(world.ida, world.asa) == {}
    assert {d.id for d in decisions} >= set(wider)


def test_every_risk_decision_is_sampled_with_its_reason(world):
    clean = _clean_decisions(world, 2)
    referral = _decide(
        world.learners[2], world.group, world.asa, SCENARIOS[0], outcome="not_yet_met"
    )
    mixed = _decide(world.learners[3], world.group, world.asa, SCENARIOS[0], mixed=True)
    failing = _decide(world.learners[0], world.group, world.asa, SCENARIOS[1], score=0.6)
    assessment.set_plan(
        world.asa,
        world.ida,
        percentage=0,
        borderline=True,
        new_assessor_decisions=1,
        new_assessor_days=0,
        new_scenario_decisions=1,
    )
    db.session.commit()
    picked = _picked(world.ida, world.asa)
    assert picked[clean[0].id] == ["new assessor", "new scenario"]  # first of all, first here
    assert clean[1].id not in picked  # neither risk nor chosen by a 0% share
    assert picked[referral.id] == ["referral"]
    assert picked[mixed.id] == ["mixed judgements"]
    assert picked[failing.id] == ["new scenario", "checks not all passed"]


def test_an_assessor_whose_account_is_young_has_every_decision_sampled(world):
    world.asa.created_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()
    decisions = _clean_decisions(world, 3)
    assessment.set_plan(
        world.asa,
        world.ida,
        percentage=0,
        borderline=False,
        new_assessor_decisions=0,
        new_assessor_days=30,
        new_scenario_decisions=0,
    )
    assert set(_picked(world.ida, world.asa)) == {d.id for d in decisions}


def test_the_iqa_page_shows_the_rules_the_sample_and_what_is_outstanding(app, world):
    _clean_decisions(world, 2)
    client = _signed_in(app, world.ida)
    assert "no plan yet" in client.get("/assessor/iqa").text
    saved = client.post(
        f"/assessor/iqa/{world.asa.id}/plan",
        data={
            "percentage": "100",
            "new_assessor_decisions": "0",
            "new_assessor_days": "0",
            "new_scenario_decisions": "0",
        },
        follow_redirects=True,
    )
    assert "Sampling plan for Asa Assessor saved." in saved.text
    assert "Then 100% of the remaining decisions" in saved.text
    assert "2 sampled · 0 reviewed · <strong>2 outstanding</strong>" in saved.text
    [entry] = db.session.scalars(
        select(StaffAuditEntry).where(StaffAuditEntry.verb == "iqa.plan_set")
    )
    assert entry.actor_id == world.ida.id and entry.after["percentage"] == 100


def test_a_plan_with_numbers_out_of_range_is_refused_and_saves_nothing(app, world):
    client = _signed_in(app, world.ida)
    response = client.post(
        f"/assessor/iqa/{world.asa.id}/plan",
        data={
            "percentage": "150",
            "new_assessor_decisions": "5",
            "new_assessor_days": "90",
            "new_scenario_decisions": "2",
        },
    )
    assert response.status_code == 422
    assert "The sampling percentage: from 0 to 100." in response.text
    assert db.session.scalar(select(SamplingPlan)) is None
    with pytest.raises(ServiceError, match="from 0 to 100"):
        assessment.set_plan(world.asa, world.ida, percentage=-1, borderline=True, **NO_RISK)


# ---------------------------------------------------------------- reviews


def test_a_review_of_a_sampled_decision_is_recorded_and_shown(app, world):
    [decision] = _clean_decisions(world, 1)
    assessment.set_plan(world.asa, world.ida, percentage=100, borderline=False, **NO_RISK)
    db.session.commit()
    client = _signed_in(app, world.ida)
    page = client.get(f"/assessor/iqa/{world.asa.id}")
    assert "Record review" in page.text
    reviewed = client.post(
        f"/assessor/iqa/{world.asa.id}/decisions/{decision.id}/review",
        data={"agrees": "disagree", "comment": "The complaint was not acknowledged in time."},
        follow_redirects=True,
    )
    assert "Review of Asa Assessor&#39;s decision recorded: you disagree." in reviewed.text
    assert "The complaint was not acknowledged in time." in reviewed.text
    assert "1 sampled · 1 reviewed · <strong>0 outstanding</strong>" in reviewed.text
    [made] = db.session.scalars(select(QualityReview))
    assert (made.reviewer_id, made.agrees) == (world.ida.id, False)
    assert (
        db.session.scalar(
            select(StaffAuditEntry).where(StaffAuditEntry.verb == "assessment.reviewed")
        ).actor_id
        == world.ida.id
    )


def test_nobody_plans_or_reviews_their_own_decisions(app, world):
    [decision] = _clean_decisions(world, 1)
    client = _signed_in(app, world.asa)
    assert client.get(f"/assessor/iqa/{world.asa.id}").status_code == 404
    assert f'href="/assessor/iqa/{world.asa.id}"' not in client.get("/assessor/iqa").text
    refused = client.post(
        f"/assessor/iqa/{world.asa.id}/decisions/{decision.id}/review", data={"agrees": "agree"}
    )
    assert refused.status_code == 404
    with pytest.raises(ServiceError, match="second assessor or an admin"):
        assessment.set_plan(world.asa, world.asa, percentage=10, borderline=True, **NO_RISK)
    with pytest.raises(ServiceError, match="second assessor or an admin"):
        assessment.review(decision, world.asa, True, "")
    assert db.session.scalar(select(QualityReview)) is None


def test_an_assessor_of_another_group_cannot_open_this_assessors_sample(app, world):
    _clean_decisions(world, 1)
    client = _signed_in(app, world.bea)
    assert client.get(f"/assessor/iqa/{world.asa.id}").status_code == 404
    assert _signed_in(app, world.admin).get(f"/assessor/iqa/{world.asa.id}").status_code == 200


# ---------------------------------------------------------------- the EQA reads them


def test_the_eqa_reads_the_plan_sample_and_reviews_of_a_granted_group(app, world, create_user):
    [decision] = _clean_decisions(world, 1)
    assessment.set_plan(world.asa, world.ida, percentage=100, borderline=False, **NO_RISK)
    assessment.review(decision, world.ida, True, "Sound judgement.")
    verifier = create_user(Role.EQA, name="Eve Verifier")
    eqa.grant(verifier, world.group, date.today(), date.today() + timedelta(days=7), by=world.admin)
    db.session.commit()
    client = _signed_in(app, verifier)
    home = client.get("/eqa/").text
    assert "Asa Assessor" in home and "plan set, 100%" in home
    page = client.get(f"/eqa/assessors/{world.asa.id}").text
    assert "Then 100% of the remaining decisions" in page
    assert "Sound judgement." in page and "1 reviewed" in page
    assert "Record review" not in page and "<textarea" not in page
