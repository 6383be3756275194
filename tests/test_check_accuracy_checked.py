"""Check type `accuracy_checked`: corrected values compared after normalising, and the record
marked as checked after it was put right."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY
from crm_sandbox.services import validation

from .records_fakes import FakeState, edited, entry, person, started
from .trying import outcomes

CHECK = REGISTRY["accuracy_checked"]
ID = 5
EXPECT = {"m": {"postcode": "LS18 5PA", "phone": "0113 496 0417"}}


def run(log, params=None, **fields):
    state = FakeState({"m": person(ID, display_name="Owen Marsh", **fields)})
    return CHECK(state, [started(), *log], None, params or {"contacts": ["m"], "expect": EXPECT})


def mark(seq, hours=2):
    return entry(seq, "contact.accuracy_checked", "contact", ID, hours=hours)


def test_the_normalisers_treat_typing_variants_as_one_value():
    assert validation.uk_postcode("ls185pa") == "LS18 5PA"
    assert validation.comparable("postcode", "LS185PA") == validation.comparable(
        "postcode", " ls18 5pa "
    )
    assert validation.phone_key("+44 (0)113 496 0417") == validation.phone_key("01134960417")
    assert validation.comparable("email", "Owen.Marsh@Example.NET ") == "owen.marsh@example.net"
    assert validation.comparable("last_name", "  MARSH ") == "marsh"


def test_corrected_in_other_typing_and_then_checked_passes():
    log = [edited(2, ID, postcode="ls185pa", phone="+441134960417"), mark(3)]
    result = run(log, postcode="ls185pa", phone="+44 113 496 0417")
    assert result.passed and result.evidence == [3]


def test_a_ticked_box_without_the_correction_fails_without_giving_the_value():
    result = run([mark(2)], postcode="LS6 1AA", phone="0113 496 0233")
    assert not result.passed
    assert "postcode and phone do not yet match what the customer told us" in result.message
    assert "LS18" not in result.message and "0417" not in result.message


def test_a_wrong_digit_fails():
    log = [edited(2, ID, postcode="LS18 5PA", phone="0113 496 0471"), mark(3)]
    assert not run(log, postcode="LS18 5PA", phone="0113 496 0471").passed


def test_checked_before_it_was_corrected_fails():
    log = [mark(2, hours=1), edited(3, ID, hours=2, postcode="LS18 5PA", phone="01134960417")]
    result = run(log, postcode="LS18 5PA", phone="0113 496 0417")
    assert not result.passed and "before the record was put right" in result.message


def test_not_marked_in_this_attempt_fails():
    result = run([edited(2, ID, postcode="LS18 5PA")], postcode="LS18 5PA", phone="01134960417")
    assert not result.passed and "has not been marked as checked" in result.message


def test_after_merge_needs_the_merge_before_the_mark():
    params = {"contacts": ["m"], "after_merge": True}
    merged = entry(2, "contact.merged", "contact", ID, after={"merged_contact_id": 9})
    assert run([merged, mark(3)], params).passed
    assert not run([mark(2)], params).passed  # nothing merged
    later = entry(3, "contact.merged", "contact", ID, hours=3, after={"merged_contact_id": 9})
    assert not run([mark(2), later], params).passed  # checked, then merged


def test_on_the_real_scenario_a_lower_case_postcode_and_plus_44_pass(app):
    steps = """
- do: update_contact
  contact: marsh
  fields: {address: "41 Station Rd, Horsforth", postcode: "ls185pa", phone: "+44 113 496 0417"}
- do: mark_accurate
  contact: marsh
- do: update_contact
  contact: rowley
  fields: {phone: "01134960781", address: "", postcode: ""}
- do: mark_accurate
  contact: rowley
"""
    got = outcomes("accurate-records", steps)
    assert got["marsh-corrected"].passed and got["staff-record-corrected"].passed
