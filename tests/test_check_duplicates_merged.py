"""Check type `duplicates_merged`: the duplicate merged into the complete record, not the other
way round, and nothing for an untouched attempt."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, entry, person, started

CHECK = REGISTRY["duplicates_merged"]


def run(log, keep_into=None, dup_into=None):
    state = FakeState(
        {"keep": person(1, merged_into_id=keep_into), "dup": person(2, merged_into_id=dup_into)}
    )
    return CHECK(state, [started(), *log], None, {"keep": "keep", "duplicate": "dup"})


def test_merged_into_the_record_kept_passes_with_the_merge_as_evidence():
    merge = entry(2, "contact.merged", "contact", 1, after={"merged_contact_id": 2})
    result = run([merge], dup_into=1)
    assert result.passed and result.evidence == [2]


def test_the_wrong_way_round_fails_and_says_so():
    merge = entry(2, "contact.merged", "contact", 2, after={"merged_contact_id": 1})
    result = run([merge], keep_into=2)
    assert not result.passed and "wrong way round" in result.message


def test_nothing_merged_fails():
    assert not run([]).passed
