"""Check type `feedback_analysed`: a finding counts when responses stand behind the data it
cites and the figure it states is the CRM's within its tolerance; its words never decide."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests.feedback_fakes import FakeState, entry, finding
from tests.trying import outcomes

CHECK = REGISTRY["feedback_analysed"]


def run(findings, log=None, **params):
    log = (
        log
        if log is not None
        else [entry(i + 1, "finding.recorded", f.id) for i, f in enumerate(findings)]
    )
    return CHECK(FakeState(findings), log, None, params)


def test_findings_with_the_crms_figures_pass_and_rounding_within_tolerance_counts():
    result = run(
        [finding(1, figure=3.3, computed=3.33), finding(2, figure=2, computed=2.0)], min_findings=2
    )
    assert result.passed and result.evidence == [1, 2]


def test_a_made_up_figure_does_not_count_and_the_message_keeps_the_crms_figure_to_itself():
    result = run([finding(1, figure=2.8, computed=3.0)])
    assert not result.passed and not result.pending
    assert "not the CRM's" in result.message
    assert "3.0" not in result.message and "2.8" not in result.message


def test_a_finding_with_no_responses_behind_it_does_not_count():
    result = run([finding(1, measure="responses", figure=0, computed=0.0, based_on=0)])
    assert not result.passed and "rests on no responses" in result.message


def test_a_finding_that_states_no_figure_does_not_count_unless_the_scenario_allows_it():
    bare = finding(1, measure="", figure=None)
    assert not run([bare]).passed
    assert run([bare], with_figure=False).passed


def test_a_finding_recorded_before_the_attempt_or_about_another_segment_does_not_count():
    assert not run([finding(1)], log=[]).passed
    result = run([finding(1, segment="regular")], segment="new")
    assert not result.passed and "about that segment" in result.message
    assert run([finding(1, segment="new")], segment="new").passed


def test_nothing_done_is_a_fail_that_says_so():
    result = run([])
    assert not result.passed and "no finding" in result.message


def test_in_a_real_attempt_own_words_pass_and_keywords_without_figures_fail(app):
    collect = """
- do: create_survey
  key: cards
  title: "Cards"
  method: comment_card
  questions:
    - {kind: rating_5, text: "How was it?"}
    - {kind: free_text, text: "Tell us more"}
- do: record_response
  survey: cards
  contact: ahmed
  answers: [2, "The changing rooms were dirty."]
- do: record_response
  survey: cards
  contact: nowak
  answers: [3, "Nobody explained the classes."]
"""
    own_words = (
        collect
        + """
- do: finding
  key: f
  survey: cards
  question: 1
  segment: new
  text: "Our newest members are not enjoying their visits much."
  measure: average
  figure: 2.5
"""
    )
    stuffed = (
        collect
        + """
- do: finding
  key: f
  survey: cards
  segment: new
  text: "New members average 2.5 out of 5: analysis, figure, segment, finding, evidence."
"""
    )
    assert outcomes("listening-to-customers", own_words)["finding-for-new-members"].passed
    assert not outcomes("listening-to-customers", stuffed)["finding-for-new-members"].passed
