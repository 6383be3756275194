"""The one judgement of whether a record says what the customer said
(`services/customers/matching.py`), shared by the simulated customer and the needs checks:
quantities with their units, dates and times normalised, a small vocabulary, polarity, and a
record that says several things at once standing for none. Pure functions: fast."""

from __future__ import annotations

import pytest

from crm_sandbox.services.customers import matching
from crm_sandbox.services.customers.persona import Persona

DOOR = "a sofa that fits through a 70 cm doorway"
DATE = "delivered by Friday 20 February"
SEAT = "a firm seat with arms, as mum uses a wheelchair"
TEXTS = "texts, not calls"


@pytest.mark.parametrize(
    ("recorded", "persona", "same"),
    [
        # numbers are quantities with their units, never digits inside other numbers
        ("Sofa must fit 70cm door", DOOR, True),
        ("Must go through a 700 mm doorway", DOOR, True),
        ("Budget up to £700", DOOR, False),
        ("Sofa fits a 700 cm door", DOOR, False),
        # dates are dates: 2026 is a year, not the 20th
        ("Moving in February 2026", DATE, False),
        ("Delivered by 20th Feb", DATE, True),
        ("Delivery no later than 20/02/2026", DATE, True),
        ("Delivered by 2026-02-20", DATE, True),
        ("Delivered by 21 February", DATE, False),
        # a small vocabulary and polarity, not substrings
        ("Prefers SMS to phone calls", TEXTS, True),
        ("A text rather than a phone call.", TEXTS, True),
        ("Contact by text", TEXTS, True),
        ("Prefers calls, not texts", TEXTS, False),
        ("Mum's a wheelchair user: firm seating with armrests", SEAT, True),
        ("Grey sofa", SEAT, False),
        # times: 12 noon, midday, 12pm and 12:00 are one time; a morning is before it
        ("Prefers a morning visit", "a morning visit, before 12 noon if possible", True),
        ("Visit by 12pm if possible", "a morning visit, before 12 noon if possible", True),
        ("Afternoon visits", "a morning visit, before 12 noon if possible", False),
        ("The list by midday Tue 3/3", "the list by 12 noon on Tuesday 3 March", True),
        ("The list by 5pm Tue 3/3", "the list by 12 noon on Tuesday 3 March", False),
    ],
)
def test_a_value_is_read_as_structure(recorded, persona, same):
    assert matching.same_value(recorded, persona) is same


def test_under_its_own_type_the_quantity_decides():
    # "needed by" shares no word with "delivered", but under timing the date says it
    assert not matching.same_value("Needed by 20 Feb", DATE)
    assert matching.same_value("Needed by 20 Feb", DATE, typed_alike=True)
    assert not matching.same_value("Needed by 27 Feb", DATE, typed_alike=True)


def test_an_example_or_a_reason_in_the_customers_words_is_not_required():
    value = (
        "every fault logged with the exact location, like 'men's changing room, shower 3', "
        "and the time it was reported, so I can fix it first time"
    )
    assert matching.same_value("Faults logged with the exact location and time.", value)
    assert not matching.same_value("Fix faults first time.", value)


PERSONA = Persona.model_validate(
    {
        "needs": [
            {"type": "timescale", "value": DATE},
            {"type": "specification", "value": DOOR},
            {"type": "accessibility", "value": SEAT, "hidden": True},
        ],
        "preferences": [
            {"type": "specification", "value": "grey, ideally"},
            {"type": "other", "value": TEXTS},
        ],
    }
)


def test_a_need_is_stated_by_type_and_value():
    assert matching.need_stated(PERSONA, "specification", "Fits a 70cm door") == 1
    assert matching.need_stated(PERSONA, "timescale", "Fits a 70cm door") is None
    assert matching.need_stated(PERSONA, None, "Fits a 70cm door") == 1  # older, untyped
    assert matching.need_stated(PERSONA, "specification", "Grey") is None
    assert matching.preference_stated(PERSONA, "Likes gray") == 0


def test_a_record_with_everything_the_customer_said_stands_for_nothing():
    stuffed = "by 20 February, 70 cm doorway, firm seat with arms for mum's wheelchair, grey, texts"
    assert matching.several(PERSONA, stuffed)
    assert matching.need_stated(PERSONA, "specification", stuffed) is None
    assert matching.preference_stated(PERSONA, stuffed) is None
