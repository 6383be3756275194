"""Feedback: design a survey (or another collection method), send it to a group of contacts,
analyse the answers, record findings linked to their evidence, and turn findings into
improvement actions that are later evaluated (identify need -> ... -> improve).

The package is split by concern: `design` (the draft survey and its questions), `collection`
(sending, responses typed in by hand, closing, the responses arrived so far), `analysis` (the
figures and comment themes) and `improvement` (findings and improvement actions). Callers use
the names re-exported here.
"""

from __future__ import annotations

from .analysis import Analysis, QuestionResult, analyse, theme_of
from .collection import (
    audience_query,
    close_survey,
    email_audience_sizes,
    record_response,
    send_survey,
    surveys,
    visible_responses,
)
from .design import (
    CHOICE_KINDS,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    NUMBER_KINDS,
    add_question,
    create_survey,
)
from .improvement import (
    OUTCOMES,
    actions,
    add_action,
    add_finding,
    complete_action,
    evaluate_action,
    findings,
)

__all__ = [
    "CHOICE_KINDS",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "NUMBER_KINDS",
    "OUTCOMES",
    "Analysis",
    "QuestionResult",
    "actions",
    "add_action",
    "add_finding",
    "add_question",
    "analyse",
    "audience_query",
    "close_survey",
    "complete_action",
    "create_survey",
    "email_audience_sizes",
    "evaluate_action",
    "findings",
    "record_response",
    "send_survey",
    "surveys",
    "theme_of",
    "visible_responses",
]
