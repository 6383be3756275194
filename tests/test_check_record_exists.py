"""Check type `record_exists`: records made in this attempt, matched on structured fields only
(a `where` on free text would be a keyword check, so the scenario loader refuses it)."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from tests.trying import outcomes

CHECK = REGISTRY["record_exists"]


def _problems(params):
    from crm_sandbox.scenarios.loader import library_source

    scenario, _ = library_source("listening-to-customers")
    return CHECK.validate_params(params, scenario)


def test_where_on_a_free_text_field_is_refused_and_structured_fields_are_allowed():
    refused = _problems({"kind": "finding", "where": {"text": "new members"}})
    assert refused and "not a structured field" in refused[0]
    assert _problems({"kind": "interaction", "where": {"summary": "sorry"}})
    assert not _problems({"kind": "survey", "where": {"method": "comment_card"}})
    assert not _problems({"kind": "finding", "where": {"segment": "new"}})


def test_records_the_sandbox_already_held_earn_nothing():
    assert _problems({"kind": "contact", "created_in_attempt": False})
    assert _problems({"kind": "contact", "min": 0})


def test_a_record_of_the_kind_made_in_the_attempt_passes_and_another_kind_does_not(app):
    cards = """
- do: create_survey
  key: c
  title: "Cards"
  method: comment_card
  questions: [{kind: rating_5, text: "Visit?"}]
"""
    interviews = cards.replace("comment_card", "interview")
    assert outcomes("listening-to-customers", cards)["cards-collection"].passed
    other = outcomes("listening-to-customers", interviews)["cards-collection"]
    assert not other.passed and "0 of the 1 feedback collection" in other.message
    assert not outcomes("listening-to-customers", [])["cards-collection"].passed
