"""Check type `messages_proofread` on the careful-reply scenario, with real services: the
learner's messages to Mr Hughes are spelt in British English (the CRM's own names allowed),
answer what he asked from the CRM's structure (never keywords), and keep the promises they
make; nothing is earned by doing nothing."""

from __future__ import annotations

import pytest

from crm_sandbox.services.writing import spelling

from .trying import outcome

CHECK = "reply-proofread"


def _reply(words, purpose="update", promise=3, complaint=True, channel="email", keep=True):
    step = {
        "do": "send",
        "contact": "hughes",
        "purpose": purpose,
        "channel": channel,
        "reply_to_last": True,
        "words": words,
    }
    if complaint:
        step["complaint"] = "hughes_leak"
    if promise:
        step["promise_in_hours"] = promise
    steps = [{"do": "advance", "working_hours": 1}, step]
    if keep:
        steps += [
            {"do": "advance", "working_hours": 1},
            {
                "do": "send",
                "contact": "hughes",
                "purpose": "update",
                "complaint": "hughes_leak",
                "channel": "email",
                "words": "Dear Mr Hughes, the engineer will visit on Thursday 12 March between "
                "8am and 12pm to repair the leak. Kind regards, Customer Service",
            },
        ]
    return steps


GOOD = (
    "Dear Mr Hughes, I am sorry your washing machine is still leaking. Our Returns and Repairs "
    "team are organising an engineer's visit today and I will email you by 1pm with the time. "
    "I cannot share anything about another customer. Kind regards, Customer Service"
)


def test_a_careful_reply_in_british_english_passes(app):
    result = outcome("careful-reply", _reply(GOOD), CHECK)
    assert result.passed and not result.pending
    assert "Tone and empathy are for your assessor" in result.message


@pytest.mark.parametrize(
    "words",
    [
        # own words, contractions, curly apostrophes, a £ amount, a time, a reference
        "Hello Mr Hughes, I’m so sorry about the leak. I've chased our repairs team: they're "
        "booking the engineer today (job HV-20931) at no charge, not even the £35 call-out. "
        "You'll hear from me before 12:30.",
        "Dear Daniel, thank you for your patience. Harbour & Vine's repairs team has your "
        "complaint and is arranging a visit; I shall write again by lunchtime with the date.",
    ],
)
def test_a_competent_reply_in_other_words_passes(app, words):
    assert outcome("careful-reply", _reply(words), CHECK).passed


def test_a_phone_call_recorded_as_an_update_answers_too(app):
    words = (
        "Rang Mr Hughes: apologised for the leak, explained that an engineer is being booked "
        "today and that I will confirm the visit by email this afternoon."
    )
    assert outcome("careful-reply", _reply(words, channel="phone"), CHECK).passed


def test_nothing_sent_is_not_judged_yet_never_a_pass(app):
    for steps in ([], [{"do": "advance", "working_hours": 7}]):
        result = outcome("careful-reply", steps, CHECK)
        assert not result.passed and result.pending
        assert "no message has been sent to Daniel Hughes yet" in result.message


def test_misspelt_and_american_words_fail_without_listing_them(app):
    words = (
        "Dear Mr Hughes, I apologize, we have recieved your complaint and the repairs center is "
        "definately booking an engineer today. I will email you by 1pm with the time of the visit."
    )
    result = outcome("careful-reply", _reply(words), CHECK)
    assert not result.passed and not result.pending
    assert "4 word(s)" in result.message and "British English dictionary" in result.message
    for word in ("apologize", "recieved", "center", "definately", "apologise", "received"):
        assert word not in result.message and word not in result.feedback


def test_a_few_words_answer_nothing_even_with_the_right_purpose_and_a_promise(app):
    result = outcome("careful-reply", _reply("Noted, will update.", promise=2, keep=False), CHECK)
    assert not result.passed
    assert "asked how their complaint is progressing" in result.message


def test_keywords_without_an_update_or_a_promise_answer_nothing(app):
    words = (
        "Dear Mr Hughes, regarding your complaint progress update: engineer, repair, visit date, "
        "next contact, I will call you back by 1pm. Kind regards"
    )
    result = outcome(
        "careful-reply",
        _reply(words, purpose="follow_up", promise=None, complaint=False, keep=False),
        CHECK,
    )
    assert not result.passed
    assert "asked how their complaint is progressing" in result.message


def test_a_reply_without_a_recorded_next_contact_does_not_answer_when_he_will_hear(app):
    result = outcome("careful-reply", _reply(GOOD, promise=None, keep=False), CHECK)
    assert not result.passed
    assert "asked when they will next hear from you" in result.message


def test_a_broken_promise_fails(app):
    steps = _reply(GOOD, keep=False) + [{"do": "advance", "working_hours": 4}]
    result = outcome("careful-reply", steps, CHECK)
    assert not result.passed and not result.pending
    assert "promised a next contact by" in result.message


def test_the_spelling_dictionary_is_british():
    found = spelling.check(
        "We apologise: the colour was cancelled. We apologize: the color was canceled, "
        "we analyzed it at the center."
    )
    assert found.checked
    assert found.errors == ["apologize", "color", "canceled", "analyzed", "center"]


def test_names_references_amounts_and_addresses_are_not_spelling_errors():
    found = spelling.check(
        "Dear Mrs Okafor, order HV-2291 (£44.94) arrives 12/03 at 10:30; write to "
        "help@harbourandvine.example or www.example.co.uk. CRM, GDPR and ASAP are fine.",
        {"okafor"},
    )
    assert found.errors == []


def test_without_a_dictionary_spelling_is_not_judged(app, monkeypatch):
    monkeypatch.setattr(spelling, "_dictionary", lambda: None)
    assert not spelling.check("anything").checked
    result = outcome("careful-reply", _reply(GOOD), CHECK)
    assert result.pending and not result.passed
    assert "no British English dictionary on this server" in result.message
