"""Check type `contacts_classified`: each record's type as the scenario expects, classified in
this attempt; everything the same type is caught."""

from __future__ import annotations

from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, edited, person, started
from .trying import outcomes

CHECK = REGISTRY["contacts_classified"]
SCENARIO = SimpleNamespace(
    opening=SimpleNamespace(
        contacts=[
            SimpleNamespace(key="a", expected_category="internal"),
            SimpleNamespace(key="b", expected_category="internal"),
        ]
    )
)


def run(log, a="internal", b="internal"):
    state = FakeState({"a": person(1, category=a), "b": person(2, category=b)})
    return CHECK(state, [started(), *log], SCENARIO, {"contacts": ["a", "b"]})


def test_classified_right_in_this_attempt_passes():
    log = [edited(2, 1, "contact.classified", category="internal")]
    log.append(edited(3, 2, "contact.classified", category="internal"))
    assert run(log).passed


def test_records_that_started_right_earn_nothing_on_their_own():
    result = run([])
    assert not result.passed and result.pending


def test_a_wrong_type_fails_naming_the_record_not_the_answer():
    log = [edited(2, 1, "contact.classified", category="external")]
    result = run(log, a="external")
    assert not result.passed
    assert "Customer 1" in result.message and "internal" not in result.message


def test_classifying_everything_the_same_is_caught_on_the_real_scenario(app):
    steps = [
        {"do": "classify", "contact": key, "category": "external"}
        for key in (
            "ellison",
            "income_team",
            "school",
            "hassan",
            "cleaners",
            "journalist",
            "applicant",
        )
    ]
    got = outcomes("who-are-our-customers", steps)
    assert got["external-classified"].passed
    assert not got["internal-classified"].passed
    assert not got["non-customers-classified"].passed
