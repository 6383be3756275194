"""Check type `feedback_collected`: feedback gathered by enough methods, with customers'
answers actually received (a collection set up or sent that nobody answered gathers nothing)."""

from __future__ import annotations

from tests.trying import outcomes

CARDS = """
- do: create_survey
  key: cards
  title: "Cards at reception"
  method: comment_card
  questions:
    - {kind: rating_5, text: "Your visit, 1 to 5?"}
    - {kind: free_text, text: "Anything to tell us?"}
- do: record_response
  survey: cards
  contact: ahmed
  answers: [2, "The showers were broken."]
"""
SURVEY = """
- do: create_survey
  key: joiners
  title: "New members"
  method: survey
  questions:
    - {kind: rating_5, text: "How easy was joining?"}
    - {kind: free_text, text: "What would help?"}
- do: send_survey
  survey: joiners
  category: external
  segment: new
  days_open: 5
"""
LATER = """
- do: advance
  next_working_day: true
- do: advance
  next_working_day: true
- do: advance
  next_working_day: true
"""


def test_two_methods_with_answers_in_pass_and_empty_collections_do_not(app):
    both = outcomes("listening-to-customers", SURVEY + CARDS + LATER)
    assert both["two-methods"].passed
    assert "2 methods" in both["two-methods"].message
    # sent, but nobody has answered yet: one method has answers, the other does not
    too_soon = outcomes("listening-to-customers", SURVEY + CARDS)["two-methods"]
    assert not too_soon.passed and "1 method" in too_soon.message


def test_collections_set_up_and_never_used_fail_and_say_what_the_crm_holds(app):
    set_up = CARDS.split("- do: record_response")[0] + SURVEY.split("- do: send_survey")[0]
    result = outcomes("listening-to-customers", set_up + LATER)["two-methods"]
    assert not result.passed and not result.pending
    assert "2 collections set up, but none has received answers yet" in result.message


def test_doing_nothing_fails(app):
    result = outcomes("listening-to-customers", LATER)["two-methods"]
    assert not result.passed and "no feedback collection" in result.message
