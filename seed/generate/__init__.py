"""Deterministic seed data: the rows of one sandbox CRM for (profile, seed, size, clock_start).

`generate` returns plain dicts with local ids (1, 2, 3 ... per table); the caller adds
`sandbox_id` and `created_at` and shifts the ids. All history is in sandbox business time,
before `clock_start`, on the organisation's working days and hours (UK bank holidays skipped,
using the same calendar as the app's business clock).

Besides contacts and their interactions: complaints with their stage history, handled against
the organisation's complaints procedure (most closed, some late, some escalated, some still
open), with the interactions about them linked by `complaint_id`; feedback collections (surveys,
comment cards, a suggestion box) with simulated responses (seed.answers); and three agreed
service standards from the customer service charter; and each external customer's orders,
bookings or renewals (repeat business), with the customers who left after poor service.
"""

from __future__ import annotations

import random
from datetime import datetime

from faker import Faker

from ..profiles import Profile, get_profile
from .common import SIZES, TABLES, _Complaint, _copy, _Draft, _Event
from .complaints import _ComplaintPlanning
from .contact_details import _ContactDetails
from .contacts import _Contacts
from .feedback import _Feedback
from .follow_ups import _FollowUps
from .interactions import _Interactions
from .orders import _Orders
from .standards import _Standards
from .timeline import _Timeline


def generate(
    profile_key: str, seed: int, size: str, clock_start: datetime
) -> dict[str, list[dict]]:
    """Rows for one sandbox, keyed by table name (parents first), with local ids from 1.

    The same arguments always give the same rows; `clock_start` is naive sandbox time and every
    generated moment is before it, except: follow-up dates, some of which fall just after it;
    the survey still open ("sent"), whose closing date and some of whose responses come after
    it; and a complaint satisfaction rating requested just before it, which may arrive
    (`satisfaction_at`) a few working hours after it, as in the app.
    """
    profile = get_profile(profile_key)
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of: {', '.join(SIZES)}")
    if not isinstance(clock_start, datetime) or clock_start.tzinfo is not None:
        raise ValueError("clock_start must be a naive datetime (sandbox business time)")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError("seed must be an integer")
    return _Generator(profile, seed, size, clock_start).run()


class _Generator(
    _Contacts,
    _ContactDetails,
    _Interactions,
    _FollowUps,
    _ComplaintPlanning,
    _Feedback,
    _Standards,
    _Orders,
):
    """One sandbox's rows, built in one pass with one seeded random and one seeded Faker.
    Each part lives in its own module; the order of the calls in `run` (and so of every
    random draw) is what makes a seed give the same sandbox."""

    def __init__(self, profile: Profile, seed: int, size: str, clock_start: datetime):
        self.profile = profile
        self.size = size
        self.spec = SIZES[size]
        self.start = clock_start
        self.rng = random.Random(seed)  # noqa: S311 - reproducible practice data, not secrets
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.time = _Timeline(profile, clock_start, self.rng)
        self.used_emails: set[str] = set()
        self.drafts: list[_Draft] = []
        self.events: list[_Event] = []
        self.complaints: list[_Complaint] = []
        self.department_names = [d["name"] for d in profile.departments]
        self.procedure = profile.complaints_procedure["levels"]
        # Customers cluster in a couple of dozen towns, as a regional business's would.
        self.towns = [self.fake.city() for _ in range(24)]

    def run(self) -> dict[str, list]:
        self._make_contacts()
        self._make_interactions()
        self._add_follow_ups()
        contacts = self._finish_contacts()
        needs, preferences = self._needs_and_preferences()
        complaints, complaint_events = self._finish_complaints()
        interactions = self._finish_interactions()
        surveys, questions, responses, answers = self._feedback(contacts)
        standards = self._standards()
        orders = self._orders(contacts)  # last: it changes no row drawn before it
        return {
            "organisations": [self._organisation()],
            "contacts": contacts,
            "contact_needs": needs,
            "contact_preferences": preferences,
            "complaints": complaints,
            "complaint_events": complaint_events,
            # The next complaint logged in the app continues the numbering.
            "sandbox_counters": [{"id": 1, "name": "complaint", "value": len(complaints)}],
            "interactions": interactions,
            "surveys": surveys,
            "survey_questions": questions,
            "survey_responses": responses,
            "survey_answers": answers,
            "service_standards": standards,
            "orders": orders,
        }

    def _organisation(self) -> dict:
        p = self.profile
        return {
            "id": 1,
            "name": p.name,
            "sector": p.sector,
            "description": p.description,
            "learner_role": p.learner_role,
            "working_days": list(p.working_days),
            "opens_at": p.opens_at,
            "closes_at": p.closes_at,
            "departments": [dict(d) for d in p.departments],
            "policies": dict(p.policies),
            "complaints_procedure": {
                "levels": [
                    {
                        **level,
                        "acknowledge_within": _copy(level["acknowledge_within"]),
                        "resolve_within": _copy(level["resolve_within"]),
                    }
                    for level in self.procedure
                ],
                "escalate_when": list(p.complaints_procedure["escalate_when"]),
                "categories": list(p.complaints_procedure["categories"]),
            },
        }


__all__ = ["SIZES", "TABLES", "generate"]
