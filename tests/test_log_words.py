"""Log entries in words: one function the assessor's timeline, the learner's dashboard and the
evidence PDF share (services/log_words.py)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from crm_sandbox.models import Role
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library, library_source
from crm_sandbox.services import action_log, log_words


def entry(verb, after=None, before=None, object_type="interaction", object_id=1, actor="Ann"):
    payload = {"actor": actor, "before": before, "after": after}
    return SimpleNamespace(verb=verb, object_type=object_type, object_id=object_id, payload=payload)


def test_an_inbound_call_reads_with_the_customers_name_and_summary():
    names = log_words.Names(contacts={7: "Jo Bloggs"})
    call = entry(
        "interaction.logged",
        {"contact_id": 7, "channel": "phone", "direction": "inbound", "summary": "Sofa late."},
    )
    assert log_words.describe_entry(call, names) == (
        "Logged an inbound phone call with Jo Bloggs: “Sofa late.”"
    )


def test_an_acknowledgement_names_the_complaint_and_the_channel():
    names = log_words.Names(contacts={7: "Jo Bloggs"}, complaints={3: "C-0012"})
    letter = entry(
        "interaction.logged",
        {
            "contact_id": 7,
            "complaint_id": 3,
            "channel": "email",
            "direction": "outbound",
            "summary": "Dear Jo, sorry.",
            "outcome": "Complaint acknowledged",
        },
    )
    assert log_words.describe_entry(letter, names) == (
        "Sent the acknowledgement of complaint C-0012 to Jo Bloggs by email: “Dear Jo, sorry.”"
    )
    moved = entry("complaint.acknowledged", {"stage": "acknowledged"}, None, "complaint", 3)
    assert log_words.describe_entry(moved, names) == "Acknowledged complaint C-0012"


def test_a_customers_answer_reads_as_theirs_and_a_message_says_what_it_was_for():
    names = log_words.Names(contacts={7: "Jo Bloggs"}, complaints={3: "C-0012"})
    answer = entry(
        "interaction.logged",
        {
            "contact_id": 7,
            "complaint_id": 3,
            "channel": "phone",
            "direction": "inbound",
            "answer_kind": "satisfied",
            "summary": "Yes, I am satisfied.",
        },
        actor="Customer: Jo Bloggs",
    )
    assert log_words.describe_entry(answer, names) == (
        "Jo Bloggs (the customer) confirmed they are satisfied about complaint C-0012, by phone"
        " call: “Yes, I am satisfied.”"
    )
    question = entry(
        "interaction.logged",
        {
            "contact_id": 7,
            "channel": "email",
            "direction": "outbound",
            "purpose": "ask_needs",
            "promise_by": "2026-03-09T17:00:00",
            "summary": "What do you need?",
        },
    )
    assert log_words.describe_entry(question, names) == (
        "Sent Jo Bloggs a message asking about their needs by email, promising the next contact"
        " by Mon 9 Mar 2026, 17:00: “What do you need?”"
    )


def test_money_stays_money_and_values_are_words_not_json():
    resolved = entry(
        "complaint.resolved",
        {"stage": "resolved", "resolution": "£20 refunded", "resolved_at": "2026-04-16T10:00:00"},
        {"stage": "investigating"},
        "complaint",
        3,
    )
    assert log_words.describe_entry(resolved) == "Resolved a complaint: “£20 refunded”"
    details = {c.label: (c.before, c.after) for c in log_words.entry_details(resolved)}
    assert details["Resolved"] == (None, "Thu 16 Apr 2026, 10:00")
    assert details["Stage"] == ("investigating", "resolved")
    assert details["Resolution"] == (None, "£20 refunded")


def test_a_limit_shortens_learner_text_at_a_word_with_an_ellipsis():
    need = entry("need.recorded", {"contact_id": 1, "description": "Needs a firm seat with arms"})
    assert log_words.describe_entry(need, limit=20).endswith(": “Needs a firm seat…”")
    assert "with arms”" in log_words.describe_entry(need)


def test_an_unknown_verb_and_an_erased_payload_still_read_as_words():
    odd = entry("widget.polished", {"note": "Shiny", "extra": {"a": 1}}, object_type="widget")
    assert log_words.describe_entry(odd) == "Widget polished: “Shiny”"
    erased = SimpleNamespace(verb="need.recorded", object_type="need", object_id=4, payload=None)
    assert log_words.describe_entry(erased) == "Recorded a need for a customer"
    assert log_words.actor_of(erased) == "(name erased)"


def test_every_entry_of_every_model_answer_reads_as_words(app, create_user):
    """Every verb the services record, as the scenarios' model answers record them."""
    for index, scenario_id in enumerate(sorted(library())):
        learner = create_user(Role.LEARNER, email=f"words{index}@college.example")
        scenario, source = library_source(scenario_id)
        attempt = engine.start_attempt(learner, scenario, source)
        engine.replay(attempt, scenario.model_answer)
        entries = action_log.entries(attempt.sandbox_id, newest_first=False)
        names = log_words.names_for(attempt.sandbox_id, entries)
        for e in entries:
            words = log_words.describe_entry(e, names)
            assert e.verb not in words and "{" not in words and "_" not in words, words
            assert not re.search(r"(for|with|to|from) a customer\b", words), words  # named


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "yes"),
        (None, "none"),
        (2.0, "2"),
        ("2026-03-05", "Thu 5 Mar 2026"),
        (["a", 1], "a, 1"),
    ],
)
def test_values_as_words(value, words):
    assert log_words.value_words(value) == words


def test_the_values_of_an_entry_name_the_customer_and_spell_out_codes():
    names = log_words.Names(contacts={7: "Jo Bloggs"})
    call = entry(
        "interaction.logged",
        {"contact_id": 7, "channel": "live_chat", "direction": "inbound", "summary": "Hi"},
    )
    details = {c.label: c.after for c in log_words.entry_details(call, names)}
    assert details == {
        "Customer": "Jo Bloggs",
        "Channel": "live chat",
        "Direction": "inbound",
        "Summary": "Hi",
    }


def test_a_value_shaped_like_a_date_that_is_none_is_shown_as_typed():
    assert log_words.when("2026-02-30") == "2026-02-30"
    assert log_words.when("2026-13-01T10:00:00") == "2026-13-01T10:00:00"
    assert log_words.when("2026-04-16") == "Thu 16 Apr 2026"
