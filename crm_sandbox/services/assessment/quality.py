"""Internal quality assurance: a second assessor (or an admin) samples decisions someone else
made on work they may see and records agreement or disagreement, in the staff audit log.
"""

from __future__ import annotations

from sqlalchemy import select

from ...models import Attempt, Decision, QualityReview, User, db
from ...models.base import utcnow
from ..errors import NotFound, ServiceError
from ..staff_audit import group_of_sandbox, record_staff_action
from .judgements import _require_staff
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
