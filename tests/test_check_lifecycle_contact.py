"""Check type `lifecycle_contact`: the contact each lifecycle stage calls for, from purpose,
initiative, orders and consent, never from words."""

from __future__ import annotations

from datetime import date

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, message, order, person, started
from .trying import outcomes

CHECK = REGISTRY["lifecycle_contact"]
ID = 6
YES = {"email": True, "phone": False, "post": False, "sms": False}


def run(log, stage, orders=(), **fields):
    state = FakeState({"c": person(ID, **fields)}, orders=orders)
    return CHECK(state, [started(), *log], None, {"contacts": ["c"], "stage": stage})


def test_retention_needs_a_check_in_we_start_not_a_newsletter_or_a_reply():
    assert run([message(2, ID, purpose="ask_needs", channel="phone")], "retention").passed
    assert run([message(2, ID, purpose="follow_up")], "retention").passed
    newsletter = run(
        [message(2, ID, purpose="marketing", summary="retention check-in")], "retention"
    )
    assert not newsletter.passed
    assert not run([message(2, ID, purpose="follow_up", initiative="reactive")], "retention").passed


def test_development_needs_an_offer_with_consent_at_that_moment():
    assert run([message(2, ID, consent=YES)], "development").passed
    no_consent = run([message(2, ID, consent={**YES, "email": False})], "development")
    assert not no_consent.passed
    assert "an offer of more, on a channel they agreed to" in no_consent.message
    assert not run([message(2, ID, purpose="follow_up", consent=YES)], "development").passed


def test_acquisition_needs_a_contact_we_start_after_the_first_order():
    first = [order(1, ID, placed_on=date(2026, 6, 5))]
    assert run([message(2, ID, purpose="follow_up")], "acquisition", first).passed
    later_order = [order(1, ID, placed_on=date(2026, 6, 20))]
    assert not run([message(2, ID, purpose="follow_up")], "acquisition", later_order).passed
    assert not run([message(2, ID, purpose="marketing")], "acquisition", first).passed


def test_nothing_done_fails_on_the_real_scenario(app):
    got = outcomes("proactive-retention", [])
    for check in ("reached-out-first", "new-client-welcome", "chapel-offer"):
        assert not got[check].passed
