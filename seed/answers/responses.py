"""One simulated person's answers to a survey: ratings, the recommend score, yes/no answers,
choices and comments, all following their hidden mood.
"""

from __future__ import annotations

import random

from .comments import COMMENTS, _comment
from .segments import _mood

# Options that read as a scale, with how good each sounds (-1 .. 1); longest match wins.
SCALE_WORDS = (
    ("very dissatisfied", -1.0),
    ("very satisfied", 1.0),
    ("dissatisfied", -0.5),
    ("satisfied", 0.5),
    ("neither", 0.0),
    ("strongly disagree", -1.0),
    ("strongly agree", 1.0),
    ("disagree", -0.5),
    ("agree", 0.5),
    ("excellent", 1.0),
    ("very good", 0.8),
    ("very poor", -1.0),
    ("poor", -0.6),
    ("good", 0.5),
    ("average", 0.0),
    ("fair", 0.0),
    ("very difficult", -1.0),
    ("difficult", -0.5),
    ("very easy", 1.0),
    ("easy", 0.5),
    ("always", 1.0),
    ("usually", 0.5),
    ("sometimes", 0.0),
    ("rarely", -0.5),
    ("never", -1.0),
    ("same day", 1.0),
    ("next working day", 0.4),
    ("2-3", -0.3),
    ("longer", -1.0),
    ("bad", -0.7),
    ("ok", 0.0),
)

# yes/no questions where "yes" means something went wrong ("Did you have to chase us?"), unless
# they ask whether it was put right ("Was your problem sorted?").
NEGATIVE_QUESTION_WORDS = (
    "had a problem",
    "have a problem",
    "any problem",
    "have to chase",
    "had to chase",
    "more than once",
    "too long",
    "complain",
    "difficult",
    "go wrong",
    "went wrong",
    "disappoint",
    " late",
    "wrong",
)

PUT_RIGHT_WORDS = ("sorted", "solved", "resolved", "fixed", "put right", "dealt with")
SKIP_NUMBER = 0.02  # people leave a rating out now and then
SKIP_CHOICE = 0.04
SKIP_TEXT = 0.3  # and free-text boxes much more often


def simulate_response(
    rng: random.Random,
    questions: list[dict],
    segment: str | None,
    category: str = "external",
    profile_key: str = "retail",
) -> list[dict]:
    """One simulated person's answers to `questions` (dicts with `kind`, `text`, `options` and
    optionally `position`), in question order: `{"question_position", "number", "text",
    "choices"}`. Numbers: rating_5 1-5, recommend_0_10 0-10, yes_no 1.0/0.0 (None if skipped);
    choices are a subset of the options; text may be "" (skipped)."""
    mood = _mood(rng, segment or "", category)
    answers: list[dict] = [
        {
            "question_position": q.get("position") or index + 1,
            "number": None,
            "text": "",
            "choices": [],
        }
        for index, q in enumerate(questions)
    ]
    felt: list[float] = []  # the numbers given, on the 1-5 scale, to set the comments' tone
    for q, answer in zip(questions, answers, strict=True):
        answer["number"], feeling = _number(rng, q, mood)
        if feeling is not None:
            felt.append(feeling)
    tone_mood = sum(felt) / len(felt) if felt else mood
    source = "internal" if category == "internal" else profile_key
    if source not in COMMENTS:
        source = "retail"
    for q, answer in zip(questions, answers, strict=True):
        kind = q.get("kind")
        if kind in ("single_choice", "multiple_choice"):
            if rng.random() >= SKIP_CHOICE:
                answer["choices"] = _choose(rng, list(q.get("options") or []), kind, mood)
        elif kind == "free_text":
            skip = 0.0 if len(questions) == 1 else SKIP_TEXT
            if rng.random() >= skip:
                answer["text"] = _comment(rng, source, q.get("text", ""), tone_mood)
    return answers


def _number(rng: random.Random, q: dict, mood: float) -> tuple[float | None, float | None]:
    """The number given to a rating, recommend or yes/no question (None when skipped or for
    other kinds), and how it felt on the 1-5 scale (None for a yes/no answer)."""
    kind = q.get("kind")
    if kind == "rating_5":
        if rng.random() >= SKIP_NUMBER:
            number = float(_clip(round(rng.gauss(mood, 0.5)), 1, 5))
            return number, number
    elif kind == "recommend_0_10":
        if rng.random() >= SKIP_NUMBER:
            score = _clip(round(2.5 * (mood - 1) + rng.gauss(0, 1.1)), 0, 10)
            return float(score), 1 + score / 2.5
    elif kind == "yes_no" and rng.random() >= SKIP_NUMBER:
        return (1.0 if rng.random() < _yes_chance(q.get("text", ""), mood) else 0.0), None
    return None, None


def _clip(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _yes_chance(text: str, mood: float) -> float:
    good = min(0.95, max(0.05, 0.1 + 0.8 * (mood - 1) / 4))
    lowered = text.lower()
    if any(word in lowered for word in PUT_RIGHT_WORDS):
        return good
    if any(word in lowered for word in NEGATIVE_QUESTION_WORDS):
        return 1 - good
    return good


def _scale_score(option: str) -> float | None:
    lowered = option.lower()
    best: tuple[int, float] | None = None
    for words, score in SCALE_WORDS:
        if words in lowered and (best is None or len(words) > best[0]):
            best = (len(words), score)
    return best[1] if best else None


def _choose(rng: random.Random, options: list[str], kind: str, mood: float) -> list[str]:
    if not options:
        return []
    scores = [_scale_score(o) for o in options]
    if all(s is not None for s in scores) and len(set(scores)) > 1:
        # A scale: the respondent picks the option that matches how they feel.
        feeling = (mood - 3) / 2 + rng.gauss(0, 0.3)
        nearest = min(range(len(options)), key=lambda i: (abs(scores[i] - feeling), i))
        return [options[nearest]]
    # Otherwise earlier options are a little more popular (as on most real lists).
    weights = [1 / (1 + 0.35 * i) for i in range(len(options))]
    if kind == "single_choice":
        return [rng.choices(options, weights)[0]]
    wanted = min(len(options), rng.choices((1, 2, 3), (0.35, 0.4, 0.25))[0])
    chosen: list[str] = []
    pool, pool_weights = list(options), list(weights)
    for _ in range(wanted):
        pick = rng.choices(range(len(pool)), pool_weights)[0]
        chosen.append(pool.pop(pick))
        pool_weights.pop(pick)
    return [o for o in options if o in chosen]  # in the order the options are listed
