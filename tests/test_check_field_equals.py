"""Check type `field_equals`: the value the record's history calls for, set in this attempt,
compared after normalising."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, edited, person, started

CHECK = REGISTRY["field_equals"]
ID = 3


def run(log, value="at_risk", field="segment", **params):
    state = FakeState({"r": person(ID, **{field: value})})
    return CHECK(
        state,
        [started(), *log],
        None,
        {"key": "r", "field": field, "value": "at_risk", **params},
    )


def test_set_in_this_attempt_passes():
    result = run([edited(2, ID, segment="at_risk")])
    assert result.passed and result.evidence == [2]


def test_already_so_at_the_start_earns_nothing_unless_the_scenario_says_so():
    result = run([])
    assert not result.passed and "has not been changed in this attempt" in result.message
    assert run([], changed_in_attempt=False).passed


def test_a_wrong_value_fails_without_naming_the_expected_one():
    result = run([edited(2, ID, segment="regular")], value="regular")
    assert not result.passed
    assert "at_risk" not in result.message and "at risk" not in result.message


def test_text_is_compared_after_normalising():
    state = FakeState({"r": person(ID, postcode="ba26ah")})
    log = [started(), edited(2, ID, postcode="ba26ah")]
    params = {"key": "r", "field": "postcode", "value": "BA2 6AH"}
    assert CHECK(state, log, None, params).passed


def test_another_records_entry_with_the_same_id_is_not_evidence():
    from .records_fakes import entry

    other = entry(2, "standard.updated", "standard", ID, after={"segment": "at_risk"})
    assert not run([other]).passed
