"""Feedback: design a survey (or another collection method), send it to a group of contacts,
analyse the answers, record findings linked to their evidence, and turn findings into
improvement actions that are later evaluated (identify need -> ... -> improve).

The package is split by concern: `design` (the draft survey and its questions), `collection`
(sending, responses typed in by hand, closing, the responses arrived so far), `analysis` (the
figures and comment themes), `figures` (the figures a finding states, computed by the CRM from
the data it cites, with their tolerances) and `improvement` (findings, improvement actions
measured before and after the change, and telling the customers what changed). Callers use
the names re-exported here.
"""

from __future__ import annotations

from .analysis import Analysis, QuestionResult, analyse, analysis_page, theme_of
from .collection import (
    audience_query,
    close_survey,
    email_audience_sizes,
    record_response,
    send_survey,
    survey_page,
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
from .figures import AIMS, FIGURES
from .improvement import (
    OUTCOMES,
    actions,
    add_action,
    add_finding,
    complete_action,
    evaluate_action,
    finding_reads,
    findings,
    improvement_page,
    measure_value,
    plan_choices,
    tell_customers,
    verdict,
)

__all__ = [
    "AIMS",
    "FIGURES",
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
    "analysis_page",
    "audience_query",
    "close_survey",
    "complete_action",
    "create_survey",
    "email_audience_sizes",
    "evaluate_action",
    "finding_reads",
    "findings",
    "improvement_page",
    "measure_value",
    "plan_choices",
    "record_response",
    "send_survey",
    "survey_page",
    "surveys",
    "tell_customers",
    "theme_of",
    "verdict",
    "visible_responses",
]
