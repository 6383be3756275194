"""Check type `interaction_within`: a contact of the kind the task needs, in time; a contact of
another kind is named in the feedback rather than reported as no contact at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.checks import REGISTRY
from crm_sandbox.scenarios.state import LogItem

CHECK = REGISTRY["interaction_within"]
START = datetime(2026, 3, 23, 9, 0)
CUSTOMER = 7


class FakeState:
    now = START + timedelta(hours=2)
    calendar = SimpleNamespace(add=lambda start, amount, unit: start + timedelta(days=amount))

    def id_of(self, kind, key):
        return CUSTOMER if (kind, key) == ("contacts", "customer") else None


def started():
    return LogItem(1, "attempt.started", "attempt", 1, START, {"after": {}})


def call(seq, direction, channel="phone", contact_id=CUSTOMER, hours=1):
    after = {
        "contact_id": contact_id,
        "direction": direction,
        "channel": channel,
        "initiative": "reactive",
    }
    return LogItem(
        seq,
        "interaction.logged",
        "interaction",
        seq,
        START + timedelta(hours=hours),
        {"after": after},
    )


def run(log, **params):
    return CHECK(FakeState(), log, None, {"contact": "customer", **params})


def test_the_inbound_call_the_task_needs_passes():
    result = run([started(), call(2, "inbound")], direction="inbound", channels=["phone"])
    assert result.passed and result.evidence == [2]


def test_an_outbound_call_is_named_when_the_task_needs_the_customers_inbound_call():
    result = run([started(), call(2, "outbound")], direction="inbound", channels=["phone"])
    assert not result.passed
    assert "no contact" not in result.message
    assert result.message.startswith("a proactive outbound call was logged, but this task needs")
    assert "the customer's inbound call logged" in result.message
    assert result.evidence == [2]


def test_an_email_is_named_when_the_task_needs_a_call():
    result = run([started(), call(2, "outbound", "email")], channels=["phone"])
    assert not result.passed
    assert "outbound email was logged" in result.message
    assert "an outbound call to the customer" in result.message


def test_with_no_contact_with_this_customer_it_says_none_was_logged():
    result = run([started(), call(2, "outbound", contact_id=99)], direction="inbound")
    assert not result.passed
    assert result.message.startswith("no contact logged yet")
