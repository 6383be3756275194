"""Check type `post_sale_follow_up`: a service follow-up that names the customer's order, sent
after the sale, not as a reply, in time."""

from __future__ import annotations

from datetime import date

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, message, order, person, started
from .trying import outcomes

CHECK = REGISTRY["post_sale_follow_up"]
ID = 8
ORDERS = [order(41, ID, placed_on=date(2026, 6, 5))]


def run(log, orders=ORDERS, **params):
    state = FakeState({"c": person(ID)}, orders=orders)
    return CHECK(state, [started(), *log], None, {"contact": "c", **params})


def follow_up(seq=2, hours=1, **more):
    return message(seq, ID, purpose="follow_up", details={"order_id": 41}, hours=hours, **more)


def test_a_follow_up_naming_the_order_passes():
    result = run([follow_up()])
    assert result.passed and result.evidence == [2]


def test_words_without_the_order_link_fail_and_say_what_is_missing():
    result = run([message(2, ID, purpose="follow_up", summary="Following up your order 41")])
    assert not result.passed and "does not say which of the customer's orders" in result.message


def test_an_offer_a_reply_or_nothing_is_not_a_follow_up():
    assert not run([message(2, ID, purpose="marketing", details={"order_id": 41})]).passed
    assert not run([follow_up(in_reply_to_id=77)]).passed
    nothing = run([])
    assert not nothing.passed and "no follow-up" in nothing.message


def test_too_late_fails():
    assert run([follow_up(hours=20)], within=2).passed
    late = run([follow_up(hours=24 * 5)], within=2)
    assert not late.passed and "later than the time allowed" in late.message


def test_on_the_real_scenario_by_email_without_email_consent_is_still_a_service_message(app):
    steps = """
- do: send
  contact: meanwood
  channel: email
  purpose: follow_up
  order: meanwood_first
  words: "Hello Priya, is everything working after Friday's set-up?"
"""
    got = outcomes("proactive-retention", steps)
    assert got["new-client-follow-up"].passed and got["new-client-welcome"].passed
    assert got["consent-respected"].pending  # a service message: nothing to judge
