"""The simulated answers model shared by the seed generator and the live app (seed.answers).

Pure tests: no database, only the model's functions with seeded randoms.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from crm_sandbox.services.feedback_themes import THEMES
from seed.answers import (
    COMMENTS,
    ENDINGS,
    THEME_WEIGHTS,
    comment,
    response_rate,
    simulate_response,
)
from seed.profiles import PROFILES

QUESTIONS = [
    {"kind": "rating_5", "text": "Overall, how satisfied are you?", "options": []},
    {"kind": "recommend_0_10", "text": "How likely are you to recommend us?", "options": []},
    {"kind": "yes_no", "text": "Was your problem sorted the first time?", "options": []},
    {
        "kind": "single_choice",
        "text": "How did you contact us?",
        "options": ["Phone", "Email", "Live chat"],
    },
    {
        "kind": "multiple_choice",
        "text": "What matters most?",
        "options": ["Price", "Quality", "Delivery", "Staff"],
    },
    {"kind": "free_text", "text": "Anything else you would like to tell us?", "options": []},
]


def many(segment: str, category: str = "external", profile: str = "retail", n: int = 3000):
    rng = random.Random(f"{segment}:{category}:{profile}")
    return [simulate_response(rng, QUESTIONS, segment, category, profile) for _ in range(n)]


def numbers(responses: list[list[dict]], position: int) -> list[float]:
    return [r[position - 1]["number"] for r in responses if r[position - 1]["number"] is not None]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def bare(text: str) -> str:
    """A comment without the ending the model may add."""
    for ending in sorted({e for endings in ENDINGS.values() for e in endings if e}, key=len):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def test_the_same_rng_state_gives_the_same_answers():
    one = [simulate_response(random.Random(7), QUESTIONS, "regular", "external", "leisure")]
    two = [simulate_response(random.Random(7), QUESTIONS, "regular", "external", "leisure")]
    assert one == two
    assert many("new", n=50) == many("new", n=50)


def test_one_answer_per_question_of_the_right_shape():
    questions = [dict(q, position=n * 10) for n, q in enumerate(QUESTIONS, start=1)]
    rng = random.Random(3)
    for _ in range(300):
        answers = simulate_response(rng, questions, "at_risk", "external", "housing")
        assert [a["question_position"] for a in answers] == [q["position"] for q in questions]
        for q, a in zip(questions, answers, strict=True):
            assert set(a) == {"question_position", "number", "text", "choices"}
            if q["kind"] == "rating_5":
                assert a["number"] is None or a["number"] in {1.0, 2.0, 3.0, 4.0, 5.0}
            elif q["kind"] == "recommend_0_10":
                assert a["number"] is None or a["number"] in {float(n) for n in range(11)}
            elif q["kind"] == "yes_no":
                assert a["number"] in (None, 0.0, 1.0)
            else:
                assert a["number"] is None
            if q["kind"] in ("single_choice", "multiple_choice"):
                assert set(a["choices"]) <= set(q["options"])
                assert len(a["choices"]) <= (1 if q["kind"] == "single_choice" else 3)
            else:
                assert a["choices"] == []
            if q["kind"] != "free_text":
                assert a["text"] == ""
    # Positions default to the question order when the caller gives none.
    answers = simulate_response(random.Random(1), QUESTIONS, "new")
    assert [a["question_position"] for a in answers] == list(range(1, len(QUESTIONS) + 1))
    assert simulate_response(random.Random(1), [], "new") == []


def test_ratings_depend_on_the_segment():
    means = {segment: mean(numbers(many(segment), 1)) for segment in RATES_BY_SEGMENT}
    assert 4.1 <= means["key_account"] <= 4.35
    assert 4.0 <= means["regular"] <= 4.3
    assert 3.65 <= means["new"] <= 3.95
    assert 2.55 <= means["at_risk"] <= 3.05
    assert means["key_account"] > means["at_risk"] + 1.0
    assert means["key_account"] >= means["regular"] > means["new"] > means["at_risk"]


def test_at_risk_customers_are_mostly_detractors_and_key_accounts_promoters():
    def shares(segment):
        scores = numbers(many(segment), 2)
        promoters = sum(1 for s in scores if s >= 9) / len(scores)
        detractors = sum(1 for s in scores if s <= 6) / len(scores)
        return promoters, detractors

    key_promoters, key_detractors = shares("key_account")
    risk_promoters, risk_detractors = shares("at_risk")
    assert key_promoters > key_detractors
    assert risk_detractors > 0.6 > risk_promoters
    assert risk_detractors > 2 * key_detractors


def test_yes_no_answers_follow_the_mood_and_the_questions_wording():
    good = [{"kind": "yes_no", "text": "Were our staff helpful?", "options": []}]
    bad = [{"kind": "yes_no", "text": "Did you have to chase us for an answer?", "options": []}]
    rng = random.Random(5)

    def yes(questions, segment):
        answers = [simulate_response(rng, questions, segment)[0]["number"] for _ in range(2000)]
        given = [a for a in answers if a is not None]
        return sum(given) / len(given)

    assert yes(good, "key_account") > yes(good, "at_risk") + 0.2
    assert yes(bad, "key_account") < yes(bad, "at_risk") - 0.2
    sorted_ = [{"kind": "yes_no", "text": "Was your problem sorted the first time?", "options": []}]
    assert yes(sorted_, "regular") > 0.6


def test_scale_like_options_are_chosen_by_how_the_person_feels():
    scale = ["Very satisfied", "Satisfied", "Neither", "Dissatisfied", "Very dissatisfied"]
    questions = [{"kind": "single_choice", "text": "How satisfied are you?", "options": scale}]
    rng = random.Random(11)

    def happy_share(segment):
        picks = Counter(
            tuple(simulate_response(rng, questions, segment)[0]["choices"]) for _ in range(2000)
        )
        return (picks[("Very satisfied",)] + picks[("Satisfied",)]) / sum(picks.values())

    assert happy_share("key_account") > 0.7
    assert happy_share("at_risk") < 0.4


def test_response_rates_by_segment_and_category():
    assert {
        segment: response_rate(segment, "external") for segment in RATES_BY_SEGMENT
    } == RATES_BY_SEGMENT
    assert response_rate("", "internal") == response_rate(None, "internal") == 0.6
    assert 0 < response_rate("", "non_customer") < response_rate("at_risk", "external") + 0.1
    assert 0.2 <= response_rate("", "external") <= 0.4


RATES_BY_SEGMENT = {"key_account": 0.45, "regular": 0.35, "new": 0.25, "at_risk": 0.12}


@pytest.mark.parametrize("source", sorted(COMMENTS))
def test_every_comment_in_the_banks_names_its_own_theme(source):
    assert set(COMMENTS[source]) == set(THEME_WEIGHTS[source]) <= set(THEMES)
    for theme, tones in COMMENTS[source].items():
        assert set(tones) == {"positive", "negative", "suggestion"}
        for tone, texts in tones.items():
            assert len(texts) >= 2, (source, theme, tone)
            for text in texts:
                assert any(word in text.lower() for word in THEMES[theme]), text
                assert "{" not in text and len(text) < 300


def test_theme_keywords_are_lower_case_and_every_profile_has_a_bank():
    assert set(PROFILES) < set(COMMENTS)
    for words in THEMES.values():
        assert words and all(w == w.lower() and w.strip() for w in words)


def test_comments_follow_the_tone_of_the_ratings_the_same_person_gave():
    positive = {t for tones in COMMENTS["retail"].values() for t in tones["positive"]}
    negative = {t for tones in COMMENTS["retail"].values() for t in tones["negative"]}
    questions = [QUESTIONS[0], QUESTIONS[-1]]
    rng = random.Random(2)
    seen = Counter()
    for segment in ("key_account", "at_risk") * 1500:
        rating, text = simulate_response(rng, questions, segment, "external", "retail")
        if not text["text"] or rating["number"] is None:
            continue
        first = bare(text["text"])
        tone = "positive" if any(first.startswith(p) for p in positive) else "negative"
        assert tone != "negative" or any(first.startswith(n) for n in negative), first
        seen[rating["number"], tone] += 1
    assert seen[5.0, "negative"] == 0 and seen[1.0, "positive"] == 0
    assert seen[5.0, "positive"] > 100 and seen[1.0, "negative"] > 20


def test_improvement_questions_get_suggestions_and_people_skip_free_text():
    questions = [{"kind": "free_text", "text": "What could we do better?", "options": []}] * 2
    suggestions = {t for tones in COMMENTS["leisure"].values() for t in tones["suggestion"]}
    rng = random.Random(4)
    texts = [
        a["text"]
        for _ in range(1000)
        for a in simulate_response(rng, questions, "regular", "external", "leisure")
    ]
    given = [t for t in texts if t]
    assert 0.15 < 1 - len(given) / len(texts) < 0.45
    assert sum(1 for t in given if bare(t) in suggestions) > 0.6 * len(given)
    # A single-question form (a suggestion box) is never left empty.
    single = [{"kind": "free_text", "text": "Your suggestion", "options": []}]
    assert all(simulate_response(rng, single, "")[0]["text"] for _ in range(200))


def test_internal_customers_comment_on_internal_service():
    internal = {t for tones in COMMENTS["internal"].values() for ts in tones.values() for t in ts}
    rng = random.Random(9)
    texts = [
        simulate_response(rng, [QUESTIONS[-1]], "", "internal", "it_services")[0]["text"]
        for _ in range(500)
    ]
    given = [t for t in texts if t]
    assert given
    for text in given:
        assert any(text.startswith(t) for t in internal), text


def test_generated_comments_match_the_theme_vocabulary():
    for source in PROFILES:
        responses = many("", "external", source, n=1500)
        texts = [r[-1]["text"].lower() for r in responses if r[-1]["text"]]
        matched = sum(1 for t in texts if any(w in t for ws in THEMES.values() for w in ws))
        assert matched >= 0.95 * len(texts)
    rng = random.Random(1)
    assert any(
        w in comment(rng, "housing", "negative", "repairs").lower() for w in THEMES["repairs"]
    )
    assert comment(random.Random(1), "unknown", "positive")  # falls back to a known bank
