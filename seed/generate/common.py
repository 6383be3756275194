"""Shared by every part of the generator: the sizes and tables, the records being built
(drafts of contacts, events, complaint plans) and small text helpers.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the generator imports this module
    from . import _Generator


SIZES = {
    "small": {"contacts": 50, "interactions": 250, "complaints": 10},
    "standard": {"contacts": 200, "interactions": 1000, "complaints": 40},
    "large": {"contacts": 2000, "interactions": 20000, "complaints": 300},
}
TABLES = (  # parents before children
    "organisations",
    "contacts",
    "contact_needs",
    "contact_preferences",
    "complaints",
    "complaint_events",
    "sandbox_counters",
    "interactions",
    "surveys",
    "survey_questions",
    "survey_responses",
    "survey_answers",
    "service_standards",
    "orders",
)
HISTORY_DAYS = 183  # interactions cover about six months before the clock starts
PREHISTORY_DAYS = 3 * 365  # long-standing contacts were created up to three years earlier
FUTURE_DAYS = 120  # enough working days ahead for due dates and dates mentioned in text
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Channels of contact with colleagues and departments (the history and complaints use them).
INTERNAL_CHANNELS = (("email", "phone", "meeting", "live_chat"), (0.5, 0.25, 0.12, 0.13))


def _hhmm_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _day_text(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _ascii(text).lower())


@dataclass(eq=False)
class _Draft:
    """A contact being built, with what the generator needs to know about it."""

    row: dict
    kind: str  # individual, business, duplicate, colleague, department, supplier, other
    order: int
    lo: int = 0
    hi: int = 0
    town: str = ""
    gap: bool = False
    other: dict | None = None
    times: list[datetime] = field(default_factory=list)
    id: int = 0

    @property
    def segment(self) -> str | None:
        return self.row["segment"]

    @property
    def weight_key(self) -> str:
        if self.kind in ("individual", "business"):
            return self.row["segment"]
        return self.kind


class _Values(dict):
    """Placeholder values for one event, drawn only when a template first asks for them and then
    shared by every interaction in the event, so a question and its answer name the same order."""

    def __init__(self, generator: _Generator, draft: _Draft, moment: datetime):
        super().__init__()
        self.generator, self.draft, self.moment = generator, draft, moment

    def __missing__(self, name: str) -> str:
        value = self.generator._value(name, self.draft, self.moment)
        self[name] = value
        return value


@dataclass(eq=False)
class _Event:
    """An interaction being built; contact ids are known only after contacts are sorted."""

    draft: _Draft
    row: dict
    order: int
    locked: bool = False  # part of a complaint: its outcome and follow-up must stay as set
    complaint: _Complaint | None = None  # the complaint it is a communication about


@dataclass(eq=False)
class _ComplaintPlan:
    """Who complains, how far the complaint goes and whether it is still open."""

    draft: _Draft
    escalations: int
    stop: str | None  # the stage an open complaint has reached; None: it runs to closed
    variant: int = 0


@dataclass(eq=False)
class _Complaint:
    draft: _Draft
    row: dict
    order: int
    events: list[dict] = field(default_factory=list)


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, each more likely the heavier it is (Efraimidis-Spirakis)."""
    keyed = sorted(((rng.random() ** (1 / w), n) for n, w in enumerate(weights)), reverse=True)
    return [items[n] for _, n in keyed[: max(0, k)]]


def _copy(value: dict | None) -> dict | None:
    return dict(value) if value is not None else None


def _numbered(rows: list[dict]) -> list[dict]:
    """Ids in the order the records were created (then by contact), as a live CRM would."""
    rows.sort(key=lambda r: (r["created_sbx"], r["contact_id"]))
    for number, row in enumerate(rows, start=1):
        row["id"] = number
    return rows
