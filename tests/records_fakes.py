"""Hand-made sandboxes and logs for the record-keeping check types' unit tests (accuracy,
classification, consent, proactive and lifecycle contact): fast, no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from crm_sandbox.scenarios.state import LogItem

START = datetime(2026, 6, 9, 9, 0)


def person(id, **fields):  # noqa: A002 - the record's own word
    base = {
        "id": id,
        "category": "external",
        "display_name": f"Customer {id}",
        "consent_email": False,
        "consent_phone": False,
        "consent_post": False,
        "consent_sms": False,
        "merged_into_id": None,
        "lifecycle_stage": None,
        "segment": None,
    }
    return SimpleNamespace(**{**base, **fields})


class FakeState:
    """What a check reads: named contacts (key -> record), complaints, orders."""

    def __init__(self, contacts=None, complaints=None, orders=(), interactions=()):
        self.contacts = contacts or {}
        self.interactions = list(interactions)
        self.complaints = complaints or {}
        self.orders = list(orders)
        self.now = START + timedelta(days=1)
        self.calendar = SimpleNamespace(
            add=lambda start, amount, unit: start + timedelta(days=amount)
        )

    def get(self, kind, key):
        return {"contacts": self.contacts, "complaints": self.complaints}[kind].get(key)

    def id_of(self, kind, key):
        found = self.get(kind, key)
        return found.id if found is not None else None

    def contact_ids(self, keys):
        return {self.contacts[k].id: k for k in keys if k in self.contacts}

    def all(self, model, *conditions, order_by=None):
        if model.__name__ == "Contact":
            return list(self.contacts.values())
        if model.__name__ == "Interaction":
            return list(self.interactions)
        if model.__name__ == "Order":
            return list(self.orders)  # tests give each customer's orders only
        return []


def order(id, contact_id, placed_on=date(2026, 6, 5)):  # noqa: A002
    return SimpleNamespace(id=id, contact_id=contact_id, placed_on=placed_on)


def started():
    return LogItem(1, "scenario.started", "attempt", 1, START, {"after": {}})


def message(
    seq,
    contact_id,
    *,
    channel="email",
    purpose="marketing",
    direction="outbound",
    initiative="proactive",
    hours=1,
    consent=None,
    **more,
):
    after = {
        "contact_id": contact_id,
        "direction": direction,
        "channel": channel,
        "purpose": purpose if direction == "outbound" else None,
        "initiative": initiative,
        **more,
    }
    if consent is not None:
        after["consent"] = consent
    return LogItem(
        seq,
        "interaction.logged",
        "interaction",
        100 + seq,
        START + timedelta(hours=hours),
        {"after": after},
    )


def consent_changed(seq, contact_id, before, after, hours=2):
    return LogItem(
        seq,
        "contact.consent_changed",
        "contact",
        contact_id,
        START + timedelta(hours=hours),
        {"before": before, "after": after},
    )


def edited(seq, contact_id, verb="contact.updated", hours=1, **fields):
    before = {k: None for k in fields}
    return LogItem(
        seq,
        verb,
        "contact",
        contact_id,
        START + timedelta(hours=hours),
        {"before": before, "after": fields},
    )


def entry(seq, verb, object_type, object_id, hours=1, before=None, after=None):
    return LogItem(
        seq,
        verb,
        object_type,
        object_id,
        START + timedelta(hours=hours),
        {"before": before or {}, "after": after or {}},
    )
