"""Assessment of submitted work: the assessor's queue, judgements per criterion, the overall
decision (met, or returned to the learner), internal quality assurance, and the learner's view
of feedback and of progress towards their qualification's criteria.

Judgements, decisions and quality reviews are only ever added, never edited: the latest
judgement per criterion counts, and the earlier ones stay as the signed history.

The package is split by concern: `lookups` (who sees which work: the queue and finding one
piece of work), `judgements` (judging each criterion and deciding), `quality` (quality
reviews and their sample) and `learner_view` (feedback and progress). Callers use the names
re-exported here.
"""

from __future__ import annotations

from .judgements import (
    DECISION_LABELS,
    STAFF,
    CheckEvidence,
    CriterionView,
    criteria_view,
    current_judgements,
    decide,
    decisions_of,
    judge,
    judgements_of,
)
from .learner_view import (
    MET,
    NOT_STARTED,
    PROGRESS_LABELS,
    WORKING_TOWARDS,
    BodyProgress,
    CriterionProgress,
    Feedback,
    criteria_progress,
    feedback_for,
)
from .lookups import (
    ASSESSABLE,
    attempt_for_assessor,
    days_waiting,
    group_of,
    queue,
    queue_scenarios,
    title_of,
    visible_attempts_of,
)
from .quality import (
    PLAN_LIMITS,
    Sampled,
    assessor_for_iqa,
    assessors_for,
    attempt_of,
    decision_for_reviewer,
    plan_of,
    plan_rules,
    quality_sample,
    review,
    reviews_of,
    sample_for,
    set_plan,
)

__all__ = [
    "ASSESSABLE",
    "PLAN_LIMITS",
    "Sampled",
    "assessor_for_iqa",
    "assessors_for",
    "plan_of",
    "plan_rules",
    "sample_for",
    "set_plan",
    "DECISION_LABELS",
    "MET",
    "NOT_STARTED",
    "PROGRESS_LABELS",
    "STAFF",
    "WORKING_TOWARDS",
    "BodyProgress",
    "CheckEvidence",
    "CriterionProgress",
    "CriterionView",
    "Feedback",
    "attempt_for_assessor",
    "attempt_of",
    "criteria_progress",
    "criteria_view",
    "current_judgements",
    "days_waiting",
    "decide",
    "decision_for_reviewer",
    "decisions_of",
    "feedback_for",
    "group_of",
    "judge",
    "judgements_of",
    "quality_sample",
    "queue",
    "queue_scenarios",
    "review",
    "reviews_of",
    "title_of",
    "visible_attempts_of",
]
