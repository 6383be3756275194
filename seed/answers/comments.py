"""Free-text comments: the banks by profile, how often each theme comes up, and the tone a
respondent's mood and the question's wording give a comment.
"""

from __future__ import annotations

import random

from .banks.housing import _HOUSING
from .banks.internal import _INTERNAL
from .banks.it_services import _IT_SERVICES
from .banks.leisure import _LEISURE
from .banks.retail import _RETAIL

COMMENTS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "retail": _RETAIL,
    "leisure": _LEISURE,
    "housing": _HOUSING,
    "it_services": _IT_SERVICES,
    "internal": _INTERNAL,
}

# How often each theme comes up, per tone: (positive weight, negative weight). The weak spots of
# each organisation come up most in negative comments, so the analysis has something to find.
THEME_WEIGHTS: dict[str, dict[str, tuple[float, float]]] = {
    "retail": {
        "delivery": (1.5, 3.0),
        "staff": (3.0, 0.8),
        "quality": (2.0, 1.2),
        "price": (1.0, 1.0),
        "website": (1.0, 1.5),
        "communication": (1.0, 2.0),
        "range": (1.5, 0.8),
    },
    "leisure": {
        "facilities": (1.5, 2.0),
        "cleanliness": (1.0, 2.5),
        "classes": (2.5, 1.5),
        "staff": (3.0, 0.8),
        "price": (1.0, 1.2),
        "website": (1.0, 1.5),
        "waiting time": (0.8, 1.2),
    },
    "housing": {
        "repairs": (1.5, 3.0),
        "communication": (1.5, 2.5),
        "staff": (3.0, 1.0),
        "neighbourhood": (1.0, 1.5),
        "price": (0.7, 1.0),
        "waiting time": (1.0, 2.0),
    },
    "it_services": {
        "waiting time": (1.5, 2.5),
        "repairs": (2.0, 2.0),
        "staff": (3.0, 0.8),
        "communication": (1.2, 2.0),
        "price": (0.8, 1.0),
        "website": (0.8, 0.8),
    },
    "internal": {
        "communication": (2.0, 2.5),
        "waiting time": (1.5, 2.0),
        "accuracy": (1.0, 2.0),
        "staff": (2.0, 0.8),
    },
}

ENDINGS = {
    "positive": ("", "", "", " Thank you!", " Keep it up.", " Would recommend."),
    "negative": ("", "", "", " Please sort this out.", " Very disappointing.", " Not good enough."),
    "suggestion": ("", "", "", " Just an idea.", " Thanks."),
}

SUGGESTION_WORDS = ("better", "improve", "suggest", "change", "what would make", "idea", "wish")
PRAISE_WORDS = ("like most", "like best", "liked", "enjoy", "did well", "best thing")


def comment(rng: random.Random, profile_key: str, tone: str, theme: str | None = None) -> str:
    """A comment from the bank of `profile_key` (or "internal") in a tone ("positive",
    "negative" or "suggestion"), on `theme` or on one picked by the profile's theme weights."""
    source = profile_key if profile_key in COMMENTS else "retail"
    if theme is None:
        theme = _theme(rng, source, tone)
    return rng.choice(COMMENTS[source][theme][tone]) + rng.choice(ENDINGS[tone])


def _tone(rng: random.Random, question: str, mood: float) -> str:
    lowered = question.lower()
    if mood >= 3.7:
        tone = "positive"
    elif mood <= 2.7:
        tone = "negative"
    else:
        tone = "positive" if rng.random() < mood - 2.7 else "negative"
    if any(word in lowered for word in SUGGESTION_WORDS):
        if tone == "positive" or rng.random() < 0.5:
            return "suggestion"
        return "negative"
    if any(word in lowered for word in PRAISE_WORDS) and mood >= 3:
        return "positive"
    return tone


def _theme(rng: random.Random, source: str, tone: str) -> str:
    weights = THEME_WEIGHTS[source]
    column = 1 if tone == "negative" else 0
    themes = list(weights)
    return rng.choices(themes, [weights[t][column] for t in themes])[0]


def _comment(rng: random.Random, source: str, question: str, mood: float) -> str:
    tone = _tone(rng, question, mood)
    bank = COMMENTS[source]
    theme = _theme(rng, source, tone)
    text = rng.choice(bank[theme][tone])
    if tone != "suggestion" and rng.random() < 0.15:
        # Some people mention two things.
        other = _theme(rng, source, tone)
        if other != theme:
            text = f"{text} {rng.choice(bank[other][tone])}"
    return text + rng.choice(ENDINGS[tone])
