"""How simulated customers answer feedback questions: shared by the seed generator and the live
app (which simulates the answers to a survey a learner designed and sent).

Pure functions of a seeded `random.Random`: the same rng state gives the same answers.

- `simulate_response(rng, questions, segment, category, profile_key)`: one answer per question.
- `response_rate(segment, category)`: the share of a group that answers an emailed survey.
- The comment banks below are written to the app's themes (crm_sandbox.services.feedback_themes,
  theme -> keywords, which the app groups free-text comments by): every comment contains a
  keyword of its own theme.

Each respondent has a hidden satisfaction "mood" (1-5) drawn from a distribution that depends on
their segment: key accounts and regular customers are happiest, new customers a little less,
at-risk customers clearly unhappy. Ratings, the 0-10 recommend score, yes/no answers, choices on
scale-like options and the tone of free-text comments all follow that mood, so one person's
answers agree with each other.

The package is split by concern: `segments` (response rates and the hidden mood), `comments`
(the comment banks, one module per profile under `banks`, and the tone and theme of a
comment) and `responses` (one person's answers). Callers use the names re-exported here.
"""

from __future__ import annotations

from .comments import COMMENTS, ENDINGS, PRAISE_WORDS, SUGGESTION_WORDS, THEME_WEIGHTS, comment
from .responses import (
    NEGATIVE_QUESTION_WORDS,
    PUT_RIGHT_WORDS,
    SCALE_WORDS,
    SKIP_CHOICE,
    SKIP_NUMBER,
    SKIP_TEXT,
    simulate_response,
)
from .segments import (
    INTERNAL_MOOD,
    INTERNAL_RATE,
    MOOD,
    NON_CUSTOMER_MOOD,
    NON_CUSTOMER_RATE,
    RESPONSE_RATES,
    UNKNOWN_SEGMENT_RATE,
    response_rate,
)

__all__ = [
    "COMMENTS",
    "ENDINGS",
    "INTERNAL_MOOD",
    "INTERNAL_RATE",
    "MOOD",
    "NEGATIVE_QUESTION_WORDS",
    "NON_CUSTOMER_MOOD",
    "NON_CUSTOMER_RATE",
    "PRAISE_WORDS",
    "PUT_RIGHT_WORDS",
    "RESPONSE_RATES",
    "SCALE_WORDS",
    "SKIP_CHOICE",
    "SKIP_NUMBER",
    "SKIP_TEXT",
    "SUGGESTION_WORDS",
    "THEME_WEIGHTS",
    "UNKNOWN_SEGMENT_RATE",
    "comment",
    "response_rate",
    "simulate_response",
]
