"""Whether a standard can be measured as written: what each kind of measure needs (a time
allowed and a share of cases, a score, a number and its unit, and for a measure the CRM cannot
compute, the method by which it is taken), and the vague words that describe a feeling
instead of a measure.

Judged on structure: the CRM computes the time, follow-up and satisfaction measures from its
own records, so they need their numbers; a manual measure needs its number, its unit and a
method ("how it is measured") of at least MIN_METHOD_WORDS words. Vague words never make a
standard measurable; in a method they make it unmeasurable ("we check the service is good"
says nothing about what is counted)."""

from __future__ import annotations

import re

from ...models.standards import Measure, ServiceStandard

TIME_MEASURES = (Measure.ACK_TIME, Measure.RESOLUTION_TIME, Measure.FIRST_RESPONSE)
TIME_UNITS = ("working_hours", "working_days")
VAGUE_WORDS = (
    "good",
    "excellent",
    "great",
    "quick",
    "quickly",
    "fast",
    "friendly",
    "prompt",
    "promptly",
    "asap",
    "as soon as possible",
    "best",
    "high quality",
    "happy",
    "nice",
    "helpful",
    "efficient",
    "polite",
)
# A method names who counts what, from which records, how often: a few words at least.
MIN_METHOD_WORDS = 4


def measurability_problems(s: ServiceStandard) -> list[str]:
    """Why a standard cannot be measured as written (empty when it can)."""
    problems = _missing_parts(s)
    words = vague_words(f"{s.title} {s.description}")
    if words and problems:
        problems.append(
            "words like "
            + ", ".join(f"'{w}'" for w in words)
            + " describe a feeling, not a measure: say what is counted and the target"
        )
    return problems


def _missing_parts(s: ServiceStandard) -> list[str]:
    """What the standard's kind of measure needs and the standard does not give."""
    problems = []
    measure = Measure(s.measure)
    if measure in TIME_MEASURES:
        if s.threshold is None or s.threshold <= 0:
            problems.append("say the time allowed (e.g. within 1 working day)")
        if s.threshold_unit not in TIME_UNITS:
            problems.append("give the time in working hours or working days")
        if s.target_percent is None:
            problems.append("say what share of cases must meet it (e.g. 95%)")
    elif measure == Measure.FOLLOW_UPS_ON_TIME:
        if s.target_percent is None:
            problems.append("say what share of follow-ups must be done by their date (e.g. 90%)")
    elif measure == Measure.SATISFACTION:
        if s.threshold is None:
            problems.append("give the average score to reach (e.g. at least 4.0 out of 5)")
    elif measure == Measure.MANUAL:
        if s.threshold is None:
            problems.append("give the number to reach")
        if not s.threshold_unit:
            problems.append("give the unit the number is in (e.g. calls answered, %)")
        problems.extend(method_problems(s.method or ""))
    return problems


def method_problems(method: str) -> list[str]:
    """Why a manual measure's method does not say how it is measured (empty when it does)."""
    words = re.findall(r"[\w%£'-]+", method)
    if len(words) < MIN_METHOD_WORDS:
        return [
            "say how it is measured (who counts what, from which records, how often): the CRM "
            "cannot compute a manual measure"
        ]
    vague = vague_words(method)
    if vague:
        return [
            "the method uses "
            + ", ".join(f"'{w}'" for w in vague)
            + ": say what is counted, not how it should feel"
        ]
    return []


def vague_words(text: str) -> list[str]:
    """The vague words ('good', 'quickly', ...) that appear in the text as whole words."""
    lowered = text.lower()
    return [w for w in VAGUE_WORDS if re.search(rf"\b{re.escape(w)}\b", lowered)]


def is_measurable(s: ServiceStandard) -> bool:
    """Whether the standard can be measured as written (and so can be agreed)."""
    return not measurability_problems(s)
