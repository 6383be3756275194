"""Check type `proactive_follow_ups`: contact we started (a follow-up date alone is not contact),
of the purposes asked for, and after a complaint closed when the task says so."""

from __future__ import annotations

from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, entry, message, person, started

CHECK = REGISTRY["proactive_follow_ups"]
ID = 4


def run(log, **params):
    state = FakeState({"c": person(ID)}, {"k": SimpleNamespace(id=9)})
    return CHECK(state, [started(), *log], None, {"contacts": ["c"], **params})


def test_a_contact_we_started_passes_whatever_words_it_has():
    result = run([message(2, ID, purpose="follow_up", summary="hi")])
    assert result.passed and result.evidence == [2]


def test_a_reply_or_a_diary_date_alone_is_not_reaching_out():
    reply = message(2, ID, purpose="follow_up", initiative="reactive")
    assert not run([reply]).passed
    note = message(2, ID, direction="inbound", initiative="reactive", follow_up_on="2026-06-12")
    result = run([note])
    assert not result.passed and "follow-up date alone" in result.message


def test_purposes_narrow_what_counts():
    follow = message(2, ID, purpose="follow_up")
    assert not run([follow], purposes=["marketing"]).passed
    assert run([message(2, ID, purpose="marketing")], purposes=["marketing"]).passed


def test_after_the_complaint_closed_only_later_contact_counts():
    early = message(2, ID, purpose="follow_up")
    pending = run([early], after_complaint_closed="k")
    assert pending.pending and not pending.passed
    closed = entry(3, "complaint.closed", "complaint", 9, hours=2)
    assert not run([early, closed], after_complaint_closed="k").passed
    later = message(4, ID, purpose="follow_up", hours=3)
    assert run([early, closed, later], after_complaint_closed="k").passed
    # a follow-up on the complaint's own thread after the close counts, not a reply to them
    on_thread = message(4, ID, purpose="follow_up", initiative="reactive", complaint_id=9, hours=3)
    assert run([closed, on_thread], after_complaint_closed="k").passed
    theirs = message(4, ID, direction="inbound", initiative="reactive", hours=3)
    answer = message(
        5, ID, purpose="update", initiative="reactive", complaint_id=9, in_reply_to_id=104, hours=4
    )
    assert not run([closed, theirs, answer], after_complaint_closed="k").passed
