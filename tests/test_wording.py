"""Counts read as English ("1 working day", "3 replies"), "a"/"an" fit the word, and shortened
text stops at a word with an ellipsis, on every page that shows them."""

from __future__ import annotations

import pytest

from crm_sandbox.wording import amount_of, article, count_of, shorten


@pytest.mark.parametrize(
    ("count", "noun", "words"),
    [
        (1, "contact", "1 contact"),
        (0, "contact", "0 contacts"),
        (12, "contact", "12 contacts"),
        (1, "reply", "1 reply"),
        (2, "reply", "2 replies"),
        (2, "working day", "2 working days"),
        (3, "match", "3 matches"),
        (None, "response", "0 responses"),
    ],
)
def test_a_count_takes_the_singular_only_for_one(count, noun, words):
    assert count_of(count, noun) == words


def test_a_policy_time_reads_in_the_singular_for_one():
    assert amount_of(1, "working_days") == "1 working day"
    assert amount_of(1.0, "working_hours") == "1 working hour"
    assert amount_of(10, "working_days") == "10 working days"


@pytest.mark.parametrize(
    ("word", "words"),
    [
        ("admin", "an admin"),
        ("assessor", "an assessor"),
        ("tutor", "a tutor"),
        ("learner", "a learner"),
        ("user", "a user"),
        ("hour", "an hour"),
        ("inbound call", "an inbound call"),
    ],
)
def test_the_article_fits_the_sound_of_the_word(word, words):
    assert article(word) == words


def test_shortened_text_stops_at_a_word_with_an_ellipsis():
    text = "The customer rang about the delivery of a replacement sofa cushion"
    short = shorten(text, 40)
    assert short.endswith("…") and len(short) <= 40
    assert text.startswith(short[:-1])
    assert short[:-1].split()[-1] in text.split()  # the last word is whole
    assert shorten("Short note", 40) == "Short note"
    assert shorten(None) == ""


def test_the_organisation_page_says_1_working_day(client, auth, provision):
    sandbox = provision()
    auth.login(sandbox.owner.email)
    page = client.get(f"/s/{sandbox.id}/organisation").data.decode()
    assert "1 working day<" in page
    assert "1 working days" not in page
