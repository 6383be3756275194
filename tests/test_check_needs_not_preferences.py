"""Check type `needs_not_preferences`: the customer's record judged against their persona
(type and value, the simulated customer's own judgement), never keywords. Real scenarios and
services through tests/trying.py, plus the params a scenario writer can get wrong."""

from __future__ import annotations

from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY
from crm_sandbox.services.customers.persona import Persona

from .trying import outcomes

ASK = """
- {do: ask, contact: davies, topic: other, kind: open, words: "Tell me what the sofa must do."}
- {do: ask, contact: davies, topic: specification, kind: open, words: "Size, colour?"}
- {do: ask, contact: davies, topic: timescale, kind: open, words: "By when?"}
- {do: ask, contact: davies, topic: accessibility, kind: probing, words: "Anything about your mum?"}
- {do: ask, contact: davies, topic: other, kind: probing, words: "How shall we keep in touch?"}
- {do: wait, working_hours: 0.5}
"""
NEEDS = """
- {do: record_need, contact: davies, type: timescale, description: "Has to arrive by 20/02"}
- {do: record_need, contact: davies, type: specification, description: "Sofa must fit 70cm door"}
- {do: record_need, contact: davies, type: accessibility,
   description: "Mum's a wheelchair user, so a firm seat with armrests"}
"""
PREFS = """
- {do: record_preference, contact: davies, type: other, description: "Prefers SMS to phone calls"}
- {do: record_preference, contact: davies, type: specification, description: "Likes gray"}
"""
# what the customer said, which no message may give away
VALUES = ("70", "20 feb", "wheelchair", "grey", "text", "sms", "firm seat")


def both(steps):
    got = outcomes("needs-not-wants", steps)
    return got["needs-recorded"], got["preferences-apart"]


def assert_teaches(outcome):
    words = outcome.message.lower()
    assert not any(value in words for value in VALUES), outcome.message


def test_a_competent_record_in_other_words_passes(app):
    needs, prefs = both(ASK + NEEDS + PREFS)
    assert needs.passed, needs.message
    assert prefs.passed, prefs.message


def test_nothing_recorded_is_not_yet_judged_never_a_pass(app):
    for steps in ("[]", "- {do: advance, working_hours: 6}", ASK):
        needs, prefs = both(steps)
        assert not needs.passed and needs.pending
        assert not prefs.passed and prefs.pending


def test_every_word_in_one_need_stands_for_nothing(app):
    stuffed = """
- {do: record_need, contact: davies, type: specification,
   description: "Delivered by Friday 20 February, fits a 70 cm doorway, firm seat with arms as
     mum uses a wheelchair, grey, texts not calls"}
"""
    needs, prefs = both(ASK + stuffed)
    assert not needs.passed and not needs.pending
    assert "several things at once" in needs.message
    assert not prefs.passed
    assert_teaches(needs)
    assert_teaches(prefs)


def test_the_wrong_numbers_are_not_the_need(app):
    wrong = """
- {do: record_need, contact: davies, type: timescale, description: "Moving in February 2026"}
- {do: record_need, contact: davies, type: specification, description: "Budget up to £700"}
- {do: record_need, contact: davies, type: accessibility,
   description: "Mum's a wheelchair user, so a firm seat with armrests"}
"""
    needs, _ = both(ASK + wrong + PREFS)
    assert not needs.passed
    assert "The record holds 3 needs" in needs.message  # accurate about what is there
    assert_teaches(needs)


def test_the_right_value_under_another_type_is_not_the_need(app):
    typed_wrong = NEEDS.replace("type: specification", "type: budget")
    needs, _ = both(ASK + typed_wrong + PREFS)
    assert not needs.passed
    assert "another type" in needs.message


def test_a_need_never_asked_about_is_found_by_asking_not_told(app):
    two = NEEDS.split("- {do: record_need, contact: davies, type: accessibility")[0]
    needs, _ = both(
        ASK.replace(
            'kind: probing, words: "Anything about your mum?"', 'kind: closed, words: "OK?"'
        )
        + two
        + PREFS
    )
    assert not needs.passed
    assert "open or probing question" in needs.message
    assert_teaches(needs)


def test_recording_preferences_as_needs_fails_the_preferences(app):
    as_needs = PREFS.replace("record_preference", "record_need")
    needs, prefs = both(ASK + NEEDS + as_needs)
    assert needs.passed  # every need is there ...
    assert not prefs.passed  # ... and so are two things she only would like
    assert "would only like" in prefs.message
    assert_teaches(prefs)


PUT_RIGHT = """
- {do: summarise_needs, contact: castle, channel: email,
   words: "Our record: visits before 12 noon only, window mended by Friday 27 March. Right?"}
- {do: wait, working_hours: 1}
"""


def test_a_stale_need_the_customer_corrected_is_put_right_by_the_preference(app):
    fixed = (
        PUT_RIGHT
        + """
- {do: record_preference, contact: castle, type: timescale, description: "Mornings if possible"}
- {do: record_need, contact: castle, type: timescale,
   description: "Mended by 18/3, before hospital"}
"""
    )
    got = outcomes("need-put-right", fixed)
    assert got["morning-is-preference"].passed, got["morning-is-preference"].message
    assert got["date-recorded"].passed, got["date-recorded"].message
    ignored = outcomes(
        "need-put-right",
        PUT_RIGHT
        + "- {do: record_preference, contact: castle, type: other, description: Email please}",
    )
    assert not ignored["morning-is-preference"].passed
    assert not ignored["date-recorded"].passed
    assert "27 march" not in ignored["date-recorded"].message.lower()
    assert "18" not in ignored["date-recorded"].message


def run(persona, **params):
    scenario = SimpleNamespace(
        opening=SimpleNamespace(contacts=[SimpleNamespace(key="grace", persona=persona)])
    )
    state = SimpleNamespace(id_of=lambda kind, key: 7, all=lambda model: [])
    return REGISTRY["needs_not_preferences"](state, [], scenario, {"contact": "grace", **params})


def test_params_that_pick_nothing_are_a_scenario_error():
    persona = Persona.model_validate({"needs": [{"type": "budget", "value": "under £500"}]})
    assert "scenario error" in run(persona, needs=["timescale"]).message
    assert "scenario error" in run(None, needs="all").message
    assert not run(persona, needs="all").passed  # nothing recorded: not yet
