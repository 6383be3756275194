"""Who answers and how they feel: the share of each segment that answers an emailed survey,
and the hidden 1-5 mood a respondent's answers follow.
"""

from __future__ import annotations

import random

RESPONSE_RATES = {"key_account": 0.45, "regular": 0.35, "new": 0.25, "at_risk": 0.12}
INTERNAL_RATE = 0.6
NON_CUSTOMER_RATE = 0.15
UNKNOWN_SEGMENT_RATE = 0.3
# Mean and spread of the hidden 1-5 mood, by segment (and for internal customers).
MOOD = {
    "key_account": (4.3, 0.65),
    "regular": (4.2, 0.7),
    "new": (3.9, 0.8),
    "at_risk": (2.8, 0.85),
    "": (3.95, 0.85),
}

INTERNAL_MOOD = (3.95, 0.7)
NON_CUSTOMER_MOOD = (3.7, 0.8)


def response_rate(segment: str | None, category: str = "external") -> float:
    """Share of a group that answers an emailed survey (key accounts answer most, at-risk
    customers least, colleagues more than customers)."""
    if category == "internal":
        return INTERNAL_RATE
    if category == "non_customer":
        return NON_CUSTOMER_RATE
    return RESPONSE_RATES.get(segment or "", UNKNOWN_SEGMENT_RATE)


def _mood(rng: random.Random, segment: str, category: str) -> float:
    if category == "internal":
        mean, spread = INTERNAL_MOOD
    elif category == "non_customer":
        mean, spread = NON_CUSTOMER_MOOD
    else:
        mean, spread = MOOD.get(segment, MOOD[""])
    return min(5.4, max(0.6, rng.gauss(mean, spread)))
