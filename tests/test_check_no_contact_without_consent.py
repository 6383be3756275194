"""Check type `no_contact_without_consent`: consent at the moment of contact, by purpose, on
every channel; not judged until a contact that needs consent was made."""

from __future__ import annotations

from crm_sandbox.checks import REGISTRY

from .records_fakes import FakeState, consent_changed, message, person, started
from .trying import outcomes

CHECK = REGISTRY["no_contact_without_consent"]
ID = 7
ALL_NO = {"email": False, "phone": False, "post": False, "sms": False}


def run(log, **consents):
    state = FakeState({"c": person(ID, **{f"consent_{k}": v for k, v in consents.items()})})
    return CHECK(state, [started(), *log], None, {"contacts": ["c"]})


def test_nothing_sent_is_not_yet_judged_never_a_pass():
    result = run([])
    assert not result.passed and result.pending


def test_a_marketing_email_with_email_consent_at_that_moment_passes():
    result = run([message(2, ID, consent={**ALL_NO, "email": True})], email=True)
    assert result.passed and result.evidence == [2]


def test_consent_recorded_afterwards_does_not_cure_the_contact():
    # as logged with the message
    logged = run(
        [
            message(2, ID, consent=ALL_NO),
            consent_changed(3, ID, ALL_NO, {**ALL_NO, "email": True}),
        ],
        email=True,
    )
    assert not logged.passed and logged.evidence == [2]
    # an older entry without the consent on it: rebuilt from the change logged after it
    rebuilt = run(
        [message(2, ID), consent_changed(3, ID, ALL_NO, {**ALL_NO, "email": True})], email=True
    )
    assert not rebuilt.passed and not rebuilt.pending


def test_consent_withdrawn_after_the_contact_does_not_make_it_wrong():
    result = run([message(2, ID), consent_changed(3, ID, {**ALL_NO, "email": True}, ALL_NO)])
    assert result.passed


def test_every_channel_is_judged_and_meetings_need_none():
    assert not run([message(2, ID, channel="letter")], email=True).passed  # post consent
    assert run([message(2, ID, channel="letter")], post=True).passed
    # no consent the CRM can record: never covered
    assert not run([message(2, ID, channel="social")], email=True, phone=True).passed
    assert not run([message(2, ID, channel="live_chat")], email=True).passed
    assert run([message(2, ID, channel="meeting")]).pending


def test_service_messages_and_replies_need_no_marketing_consent():
    # a reply in a conversation the customer started
    assert run([message(2, ID, purpose="follow_up", initiative="reactive")]).pending
    # a follow-up we start about their order, or about their complaint
    assert run([message(2, ID, purpose="follow_up", details={"order_id": 4})]).pending
    assert run([message(2, ID, purpose="update", complaint_id=3)]).pending
    # but a marketing message is judged even as a reply
    assert not run([message(2, ID, initiative="reactive")]).passed


def test_a_proactive_contact_that_is_not_service_needs_consent_whatever_its_label():
    ask = message(2, ID, channel="phone", purpose="ask_needs")
    assert not run([ask]).passed
    assert run([ask], phone=True).passed
    labelled = message(2, ID, purpose="follow_up", summary="service follow-up, consent given")
    assert not run([labelled]).passed


def test_answering_the_customers_own_request_in_a_new_conversation_is_service():
    from datetime import timedelta
    from types import SimpleNamespace

    from .records_fakes import START

    request = SimpleNamespace(
        id=50,
        contact_id=ID,
        occurred_at=START - timedelta(hours=16),
        direction="inbound",
        answer_kind="event",
    )
    ours = message(2, ID, purpose="follow_up")
    ours_row = SimpleNamespace(
        id=ours.object_id,
        contact_id=ID,
        occurred_at=ours.sandbox_time,
        direction="outbound",
        answer_kind=None,
    )
    state = FakeState({"c": person(ID)}, interactions=[request, ours_row])
    assert CHECK(state, [started(), ours], None, {"contacts": ["c"]}).pending
    # once answered, a second note we start is a proactive contact again
    again = message(3, ID, purpose="follow_up", hours=2)
    again_row = SimpleNamespace(
        id=again.object_id,
        contact_id=ID,
        occurred_at=again.sandbox_time,
        direction="outbound",
        answer_kind=None,
    )
    state = FakeState({"c": person(ID)}, interactions=[request, ours_row, again_row])
    assert not CHECK(state, [started(), ours, again], None, {"contacts": ["c"]}).passed
    # an offer is judged even when it answers them
    offer = message(2, ID)
    state = FakeState({"c": person(ID)}, interactions=[request])
    assert not CHECK(state, [started(), offer], None, {"contacts": ["c"]}).passed


def test_internal_customers_and_other_customers_are_not_judged():
    colleague = FakeState({"c": person(ID, category="internal")})
    result = CHECK(colleague, [started(), message(2, ID, purpose="internal_request")], None, {})
    assert result.pending
    assert run([message(2, 99)]).pending  # not one of the customers the check names


def test_the_message_names_the_customer_and_channel_not_a_rule_to_copy():
    result = run([message(2, ID, channel="letter")])
    assert "Customer 7 (letter" in result.message
    assert "consent" in result.message and "true" not in result.message.lower()


def test_on_a_real_scenario_untouched_and_time_only_earn_nothing(app):
    for steps in ([], [{"do": "advance", "working_hours": 3}]):
        result = outcomes("accurate-records", steps)["no-offer-without-consent"]
        assert not result.passed and result.pending
