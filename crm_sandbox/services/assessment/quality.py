"""Internal quality assurance: a second assessor (or an admin) samples decisions someone else
made on work they may see and records agreement or disagreement, in the staff audit log; a
sampling plan per assessor picks which decisions must be reviewed (risk categories and a
reproducible percentage of the rest).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ...models import (
    Attempt,
    Decision,
    Judgement,
    QualityReview,
    SamplingPlan,
    User,
    db,
    group_assessors,
)
from ...models.base import utcnow
from ...wording import count_of
from .. import groups
from ..errors import NotFound, ServiceError
from ..staff_audit import group_of_sandbox, record_staff_action
from .judgements import STAFF, _require_staff
from .lookups import _visible_attempts


def _visible_decisions(viewer: User):
    return select(Decision).where(
        Decision.attempt_id.in_(_visible_attempts(viewer).with_only_columns(Attempt.id))
    )


def quality_sample(viewer: User) -> list[Decision]:
    """Decisions this assessor (or admin) may sample for quality assurance: those on work
    they may see that someone else made, newest first."""
    return list(
        db.session.scalars(
            _visible_decisions(viewer)
            .where(Decision.assessor_id != viewer.id)
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        )
    )


def decision_for_reviewer(viewer: User, decision_id: int) -> Decision:
    """A decision on work this person may see; NotFound otherwise."""
    found = db.session.scalar(_visible_decisions(viewer).where(Decision.id == decision_id))
    if found is None:
        raise NotFound("No such decision.")
    return found


def attempt_of(decision: Decision) -> Attempt:
    """The work a decision was made on."""
    return db.session.get(Attempt, decision.attempt_id)


def reviews_of(decision: Decision) -> list[QualityReview]:
    """The quality reviews of a decision, oldest first."""
    return list(
        db.session.scalars(
            select(QualityReview)
            .where(QualityReview.decision_id == decision.id)
            .order_by(QualityReview.created_at, QualityReview.id)
        )
    )


def review(decision: Decision, reviewer: User, agrees: bool, comment: str) -> QualityReview:
    """Record a second assessor's (or an admin's) agreement or disagreement with a decision;
    nobody quality-assures their own decision."""
    _require_staff(reviewer)
    if decision.assessor_id == reviewer.id:
        raise ServiceError(
            "You made this decision: quality assurance needs a second assessor or an admin."
        )
    comment = (comment or "").strip()
    if not agrees and not comment:
        raise ServiceError("Say why you disagree.", "comment")
    made = QualityReview(
        decision_id=decision.id,
        reviewer_id=reviewer.id,
        agrees=agrees,
        comment=comment,
        created_at=utcnow(),
    )
    db.session.add(made)
    db.session.flush()
    attempt = attempt_of(decision)
    record_staff_action(
        "assessment.reviewed",
        "decision",
        decision.id,
        actor=reviewer,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
        after={"agrees": agrees, "comment": comment},
    )
    return made


# ---------------------------------------------------------------- sampling plans
# An IQA (an assessor other than the one planned for, or an admin) sets a plan per assessor.
# The plan, not the reviewer, picks the sample: every decision of a risk category, and a
# percentage of the rest chosen by a hash of the plan's id and the decision's id, so the same
# decisions are picked every time and a reviewer cannot choose the easy ones.

PLAN_LIMITS = {
    "percentage": ("The sampling percentage", 0, 100),
    "new_assessor_decisions": ("First decisions of a new assessor", 0, 50),
    "new_assessor_days": ("Days an assessor counts as new", 0, 730),
    "new_scenario_decisions": ("First decisions on each scenario", 0, 20),
}
NEW_ASSESSOR, NEW_SCENARIO, REFERRAL, MIXED, CHECKS_FAILED, PERCENTAGE = (
    "new assessor",
    "new scenario",
    "referral",
    "mixed judgements",
    "checks not all passed",
    "percentage",
)


@dataclass
class Sampled:
    """One decision of an assessor's with why the plan picks it (no reasons: not sampled)."""

    decision: Decision
    attempt: Attempt
    reasons: list[str] = field(default_factory=list)
    reviews: list[QualityReview] = field(default_factory=list)

    @property
    def sampled(self) -> bool:
        return bool(self.reasons)

    @property
    def reviewed(self) -> bool:
        return bool(self.reviews)


def plan_rules(plan: SamplingPlan) -> list[str]:
    """The plan in words, as the page shows it."""
    rules = []
    if plan.new_assessor_decisions or plan.new_assessor_days:
        rules.append(
            f"New assessor: their first {count_of(plan.new_assessor_decisions, 'decision')}, "
            f"and every decision made within {count_of(plan.new_assessor_days, 'day')} of "
            "their account being made."
        )
    if plan.new_scenario_decisions:
        rules.append(
            f"New scenario: their first {count_of(plan.new_scenario_decisions, 'decision')} "
            "on each scenario."
        )
    if plan.borderline:
        rules.append(
            "Borderline: every referral (not yet met); every met decision where a criterion "
            "was judged not yet met earlier in the same round (mixed judgements); and every "
            "decision on work that did not pass all of its checks when handed in."
        )
    rules.append(
        f"Then {plan.percentage}% of the remaining decisions (rounded up), picked by a "
        "fingerprint of the plan and the decision: the same ones every time."
    )
    return rules


def plan_of(assessor: User) -> SamplingPlan | None:
    """The assessor's sampling plan, if one is set."""
    return db.session.scalar(select(SamplingPlan).where(SamplingPlan.assessor_id == assessor.id))


def assessors_for(viewer: User) -> list[User]:
    """The assessors whose decisions this IQA (or EQA) may quality-assure: those assessing
    the groups they see or who decided work they see; never themselves."""
    deciders = _visible_decisions(viewer).with_only_columns(Decision.assessor_id)
    in_groups = select(group_assessors.c.user_id).where(
        group_assessors.c.group_id.in_(groups.staff_group_ids(viewer))
    )
    return list(
        db.session.scalars(
            select(User)
            .where(
                or_(User.id.in_(deciders), User.id.in_(in_groups)),
                User.role.in_([r.value for r in STAFF]),
                User.id != viewer.id,
            )
            .order_by(User.name, User.id)
        )
    )


def assessor_for_iqa(viewer: User, assessor_id: int) -> User:
    """One assessor this person may quality-assure; NotFound for anyone else."""
    for assessor in assessors_for(viewer):
        if assessor.id == assessor_id:
            return assessor
    raise NotFound("No such assessor.")


def _limited(values: dict) -> dict:
    checked = {}
    for name, (label, low, high) in PLAN_LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ServiceError(f"{label}: give a whole number from {low} to {high}.", name)
        checked[name] = value
    return checked


def set_plan(assessor: User, by: User, *, borderline: bool, **numbers: int) -> SamplingPlan:
    """Set (or change) the sampling plan for an assessor. The IQA is an assessor other than
    the one planned for, or an admin; `numbers` are PLAN_LIMITS's fields."""
    _require_staff(by)
    if by.id == assessor.id:
        raise ServiceError("Your own decisions are sampled by a second assessor or an admin.")
    values = _limited(numbers) | {"borderline": bool(borderline)}
    plan = plan_of(assessor)
    before = None
    if plan is None:
        plan = SamplingPlan(assessor_id=assessor.id)
        db.session.add(plan)
    else:
        before = {name: getattr(plan, name) for name in values}
    for name, value in values.items():
        setattr(plan, name, value)
    plan.set_by_id = by.id
    plan.updated_at = utcnow()
    db.session.flush()
    record_staff_action(
        "iqa.plan_set", "sampling_plan", plan.id, actor=by, before=before, after=values
    )
    return plan


def _fingerprint(plan: SamplingPlan, decision: Decision) -> str:
    return hashlib.sha256(f"sampling-plan:{plan.id}:decision:{decision.id}".encode()).hexdigest()


def _mixed(decision: Decision, judgements: list[Judgement], since) -> bool:
    """A met decision where some criterion was judged not yet met in the same round (after
    the attempt's previous decision, up to this one): the assessor changed their mind."""
    if decision.outcome != "met":
        return False
    return any(
        j.attempt_id == decision.attempt_id
        and j.decision == "not_yet_met"
        and (since is None or j.created_at > since)
        and j.created_at <= decision.created_at
        for j in judgements
    )


def _risk_reasons(plan, decision, attempt, judgements, counts, since) -> list[str]:
    """Why this decision is a risk (the caller counts decisions in order: `counts` holds the
    assessor's decisions so far in all, and per scenario; `since` is when the attempt's
    previous decision was made, if any)."""
    reasons = []
    assessor = decision.assessor
    young = (decision.created_at - assessor.created_at).days < plan.new_assessor_days
    if counts["all"] < plan.new_assessor_decisions or young:
        reasons.append(NEW_ASSESSOR)
    if counts.get(attempt.scenario_id, 0) < plan.new_scenario_decisions:
        reasons.append(NEW_SCENARIO)
    if plan.borderline:
        if decision.outcome == "not_yet_met":
            reasons.append(REFERRAL)
        if _mixed(decision, judgements, since):
            reasons.append(MIXED)
        if _checks_passed(attempt) is not None and _checks_passed(attempt) < 1:
            reasons.append(CHECKS_FAILED)
    return reasons


def _checks_passed(attempt: Attempt) -> float | None:
    """The share of the checks passed at the last check: the score, or, when hints cost
    something, the score before hints (a hint never fails a check)."""
    results = attempt.latest_results or {}
    if results.get("hint_cost") and isinstance(results.get("score_before_hints"), int | float):
        return results["score_before_hints"]
    return attempt.latest_score


def _decisions_of(assessor: User) -> list[tuple[Decision, Attempt]]:
    rows = db.session.execute(
        select(Decision, Attempt)
        .join(Attempt, Attempt.id == Decision.attempt_id)
        .where(Decision.assessor_id == assessor.id)
        .order_by(Decision.created_at, Decision.id)
    )
    return [(decision, attempt) for decision, attempt in rows]


def _previous_decision_times(attempt_ids) -> dict[int, object]:
    """For each decision on these attempts, when the attempt's decision before it was made."""
    found: dict[int, object] = {}
    last: dict[int, object] = {}
    for decision in db.session.scalars(
        select(Decision)
        .where(Decision.attempt_id.in_(attempt_ids))
        .order_by(Decision.created_at, Decision.id)
    ):
        if decision.attempt_id in last:
            found[decision.id] = last[decision.attempt_id]
        last[decision.attempt_id] = decision.created_at
    return found


def sample_for(viewer: User, assessor: User) -> list[Sampled]:
    """The assessor's decisions this person may see, oldest first, each with why the plan
    picks it (none: not sampled) and its reviews. The plan works on all the assessor's
    decisions, so every viewer sees the same picks; no plan, no sample."""
    plan = plan_of(assessor)
    pairs = _decisions_of(assessor)
    judgements = list(
        db.session.scalars(
            select(Judgement)
            .where(Judgement.attempt_id.in_({a.id for _, a in pairs}))
            .order_by(Judgement.created_at, Judgement.id)
        )
    )
    rows = [Sampled(d, a) for d, a in pairs]
    if plan is not None:
        earlier = _previous_decision_times({a.id for _, a in pairs})
        counts: dict[str, int] = {"all": 0}
        for row in rows:
            since = earlier.get(row.decision.id)
            row.reasons = _risk_reasons(plan, row.decision, row.attempt, judgements, counts, since)
            counts["all"] += 1
            counts[row.attempt.scenario_id] = counts.get(row.attempt.scenario_id, 0) + 1
        rest = sorted(
            (r for r in rows if not r.reasons), key=lambda r: _fingerprint(plan, r.decision)
        )
        for row in rest[: math.ceil(len(rest) * plan.percentage / 100)]:
            row.reasons.append(PERCENTAGE)
    visible = set(db.session.scalars(_visible_decisions(viewer).with_only_columns(Decision.id)))
    shown = [r for r in rows if r.decision.id in visible]
    reviews = db.session.scalars(
        select(QualityReview)
        .where(QualityReview.decision_id.in_([r.decision.id for r in shown]))
        .order_by(QualityReview.created_at, QualityReview.id)
    )
    by_decision: dict[int, list[QualityReview]] = {}
    for made in reviews:
        by_decision.setdefault(made.decision_id, []).append(made)
    for row in shown:
        row.reviews = by_decision.get(row.decision.id, [])
    return shown
