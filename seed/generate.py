"""Deterministic seed data: the rows of one sandbox CRM for (profile, seed, size, clock_start).

`generate` returns plain dicts with local ids (1, 2, 3 ... per table); the caller adds
`sandbox_id` and `created_at` and shifts the ids. All history is in sandbox business time,
before `clock_start`, on the organisation's working days and hours (UK bank holidays skipped,
using the same calendar as the app's business clock).

Besides contacts and their interactions: complaints with their stage history, handled against
the organisation's complaints procedure (most closed, some late, some escalated, some still
open), with the interactions about them linked by `complaint_id`; feedback collections (surveys,
comment cards, a suggestion box) with simulated responses (seed.answers); and three agreed
service standards from the customer service charter.
"""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil

from faker import Faker

from crm_sandbox.services.clock import WorkingCalendar

from .answers import response_rate, simulate_response
from .profiles import Profile, get_profile

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
)

HISTORY_DAYS = 183  # interactions cover about six months before the clock starts
PREHISTORY_DAYS = 3 * 365  # long-standing contacts were created up to three years earlier
FUTURE_DAYS = 120  # enough working days ahead for due dates and dates mentioned in text
FOLLOW_UP_RATE = 0.07  # plus complaints and unanswered messages: about 10% in all
UPCOMING_FOLLOW_UPS = {"small": 3, "standard": 5, "large": 15}

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

# Written messages always get a reply; calls, chats and visits are mostly settled there and then.
REPLY_CHANCE = {
    "email": 1.0,
    "letter": 1.0,
    "social": 1.0,
    "phone": 0.3,
    "live_chat": 0.1,
    "meeting": 0.1,
}
REPLY_CHANNEL = {
    "email": "email",
    "letter": "letter",
    "social": "social",
    "phone": "phone",
    "live_chat": "email",
    "meeting": "email",
}
WRITTEN = frozenset({"email", "letter", "social"})
REPLY_DELAY_DAYS = ((0, 1, 2, 3), (0.5, 0.35, 0.1, 0.05))  # some break the charter on purpose

EVENT_WEIGHTS = {  # (inbound query, proactive contact); complaints are planned separately
    "new": (0.65, 0.35),
    "regular": (0.77, 0.23),
    "key_account": (0.65, 0.35),
    "at_risk": (0.65, 0.35),
}
INTERACTION_WEIGHT = {
    "new": 1.2,
    "regular": 3.0,
    "key_account": 6.0,
    "at_risk": 1.5,
    "duplicate": 0.3,
    "colleague": 1.5,
    "department": 2.5,
    "supplier": 1.2,
    "other": 0.4,
}
INTERNAL_CHANNELS = (("email", "phone", "meeting", "live_chat"), (0.5, 0.25, 0.12, 0.13))
SUPPLIER_CHANNELS = (("email", "phone"), (0.6, 0.4))
OTHER_CHANNELS = (("email", "phone", "social", "letter"), (0.45, 0.35, 0.15, 0.05))

SUPPLIER_OUTCOMES = (
    "Noted on the supplier record",
    "Passed to the team that placed the order",
    "Confirmed by email",
    "Waiting for the supplier's reply",
    "Resolved",
)
HOLDING_OUTCOMES = (
    "Told the customer we would reply within our charter time",
    "Checking the details; reply to follow",
    "Said we would call back",
    "Logged and passed to the right team to check",
)
PROACTIVE_OUTCOMES = (
    "Customer thanked us for letting them know",
    "No reply needed",
    "Customer replied to confirm",
    "Customer asked to be reminded nearer the time",
    "Message delivered",
)
FOLLOW_UP_OUTCOMES = (
    "Call back agreed",
    "Customer asked us to check back",
    "Waiting for another team; follow-up booked",
    "Will confirm once the details are checked",
)
SUPPLIER_FOLLOW_UP_OUTCOMES = (
    "Waiting for their reply; follow-up booked",
    "Agreed to check back with them",
)
INTERNAL_FOLLOW_UP_OUTCOMES = (
    "Agreed to check back with {department}",
    "Waiting for {department} to confirm; follow-up booked",
)
INTERNAL_HOLDING = ("Agreed to send it by {date}", "Will do; reply to follow", "Added to our list")
INTERNAL_OUTCOMES = (
    "Done the same day",
    "Done and confirmed by email",
    "Colleague happy with the information",
    "Agreed a deadline of {date}",
    "Added to the team's task list",
)
# Share of each kind of contact whose details someone has checked with them.
ACCURACY_CHECKED = {
    "individual": 0.45,
    "business": 0.45,
    "colleague": 0.5,
    "department": 0.5,
    "supplier": 0.3,
}
SUPPLIER_TITLES = (
    "Account Manager",
    "Sales Manager",
    "Customer Service Manager",
    "Operations Manager",
    "Director",
)
NICKNAMES = {
    "Alexander": "Alex",
    "Andrew": "Andy",
    "Anthony": "Tony",
    "Benjamin": "Ben",
    "Catherine": "Cathy",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Deborah": "Debbie",
    "Elizabeth": "Liz",
    "James": "Jim",
    "Jennifer": "Jenny",
    "Jonathan": "Jon",
    "Joseph": "Joe",
    "Katherine": "Kate",
    "Margaret": "Maggie",
    "Matthew": "Matt",
    "Michael": "Mike",
    "Nicholas": "Nick",
    "Patricia": "Pat",
    "Rebecca": "Becky",
    "Richard": "Rich",
    "Robert": "Rob",
    "Samuel": "Sam",
    "Stephen": "Steve",
    "Susan": "Sue",
    "Thomas": "Tom",
    "Victoria": "Vicky",
    "William": "Will",
}
# Ofcom's drama ranges that the phonenumbers library also accepts as valid (it rejects 0115 496 0
# and 01632 960): never a real line, and kept as it is by the app's validation on an edit.
_DRAMA_NUMBER = re.compile(
    r"^(?:(?:11[346-8]|121|131|141|151|161)4960|1914980|2079460|2890180|2920180|3069990)\d{3}$"
)
_DOMAIN_STOP_WORDS = frozenset({"ltd", "plc", "the", "and", "uk", "group", "co"})

# ---------------------------------------------------------------- complaints

# Who complains: at-risk customers most (often why they are at risk), a few internal customers.
COMPLAINT_WEIGHT = {"new": 0.8, "regular": 1.0, "key_account": 1.5, "at_risk": 2.0}
INTERNAL_COMPLAINT_SHARE = 0.05
OPEN_COMPLAINT_SHARE = 0.15  # still open at the clock start, at different stages
OPEN_STAGES = (
    "received",
    "investigating",
    "waiting_customer",
    "acknowledged",
    "resolved",
    "received",
    "investigating",
)
ESCALATED = (0.17, 0.04)  # shares of complaints escalated once and twice (open ones too)
ACK_LATE = 0.1  # acknowledged after the procedure's deadline (a breach on the history)
RESOLVE_LATE = 0.13  # resolved after it
WAIT_CHANCE = 0.2  # the investigation waits for something from the customer
UNCONFIRMED = 0.1  # closed without the customer confirming they are satisfied (a judgement)
SATISFACTION_ASKED = 0.8  # closed complaints whose customer was asked for a rating
COMPLAINT_INTERACTIONS = 5  # about how many interactions a complaint takes from a budget
SATISFACTION_WEIGHTS = {  # rating 1..5 weights, as the app simulates them
    "on_time": (1, 2, 8, 30, 40),
    "late": (3, 8, 25, 30, 14),
    "unconfirmed": (30, 30, 20, 8, 2),
}
SATISFACTION_COMMENTS = {
    1: (
        "Very disappointed with how this was handled.",
        "I had to chase at every step and it is still not right.",
        "Nobody seemed to care until I complained again.",
    ),
    2: (
        "It took too long and I had to chase.",
        "Sorted in the end, but only after several calls.",
        "The apology felt like a standard letter.",
    ),
    3: (
        "Sorted in the end, but communication could be better.",
        "OK, but it should not have needed a complaint.",
        "A fair outcome, but slow to get there.",
    ),
    4: (
        "Good service, kept me informed.",
        "Happy with the outcome, thank you.",
        "Dealt with fairly and politely.",
    ),
    5: (
        "Excellent, quick and friendly. Thank you.",
        "Really impressed with how this was put right.",
        "Could not have asked for more. Thank you for listening.",
    ),
}
WAIT_REQUESTS = (  # (what we asked the customer for, how they replied)
    ("photos of the problem", "Sent the photos we asked for"),
    ("the dates and times it happened", "Sent the dates and times it happened"),
    ("a copy of the receipt or the reference number", "Sent a copy of the receipt"),
    (
        "a convenient time for a call to go through the details",
        "Called back to go through the details",
    ),
    ("the names of the staff they spoke to", "Sent the names of the staff they spoke to"),
)
INVESTIGATION_NOTES = (
    "Checked the records and the history of contact with the customer",
    "Asked the team involved for their account of what happened",
    "Checked the customer's record and asked the colleagues involved for the details",
    "Reviewed the notes on the record and the previous contacts",
)
UNHAPPY_DETAILS = (
    "they say the problem is still not sorted",
    "they do not accept the explanation given",
    "they want compensation for the time they lost",
    "they want a full refund rather than the offer made",
    "they say nobody has dealt with the cause",
)
REVIEW_OUTCOMES = (
    "Reviewed the complaint and the stage {n} response; upheld it, apologised and paid a "
    "goodwill gesture of {amount}",
    "Reviewed the evidence and partly upheld the complaint; apologised for the delays and "
    "confirmed the actions taken",
    "Reviewed the complaint and upheld it; agreed the next steps with the customer in a meeting",
    "Reviewed the evidence and did not uphold the complaint; explained the reasons in writing, "
    "with the next stage of the procedure",
)
CONFIRMATIONS = (
    "Customer confirmed by phone that they are happy with the outcome",
    "Customer replied by email to say they are satisfied",
    "Customer confirmed they are satisfied when we called to check",
)
NOT_CONFIRMED = (
    "No reply after two calls and an email; closed, as the procedure allows",
    "Customer still unhappy but does not want to take it further; told them about the next "
    "stage of the procedure",
)
_RULE_STOP_WORDS = frozenset({"the", "and", "with", "about", "over", "such", "there", "their"})

# ---------------------------------------------------------------- feedback and standards

# The feedback collections each size gets: (design, timing). "open" is the one survey still
# running at the clock start ("sent"); the others are closed.
SURVEY_PLANS = {
    "small": (("customers", "open"), ("comment_cards", "cards")),
    "standard": (
        ("customers", "customers"),
        ("internal", "internal"),
        ("comment_cards", "cards"),
        ("suggestion_box", "suggestions"),
        ("key_accounts", "open"),
    ),
    "large": (
        ("customers", "customers"),
        ("at_risk", "at_risk"),
        ("internal", "internal"),
        ("new_customers", "new_customers"),
        ("contact_experience", "contact_experience"),
        ("comment_cards", "cards"),
        ("suggestion_box", "suggestions"),
        ("key_accounts", "open"),
    ),
}
# Emailed surveys: (calendar days before the clock start it was sent, days it stays open).
SURVEY_TIMING = {
    "customers": (125, 21),
    "at_risk": (95, 21),
    "internal": (70, 14),
    "new_customers": (40, 14),
    "contact_experience": (32, 14),
    "open": (5, 14),
}
# Comment cards and suggestion boxes: (days before the clock start put out, taken in).
COLLECTION_PERIODS = {"cards": (150, 20), "suggestions": (175, 7)}
COLLECTED = {  # responses by size
    "cards": {"small": 50, "standard": 170, "large": 1500},
    "suggestions": {"small": 15, "standard": 80, "large": 550},
}
CARD_RETURN_RATE = 0.3  # share of comment cards handed out that come back filled in
NAMED_CARD = 0.35  # comment cards signed with a name the CRM knows
NAMED_SUGGESTION = 0.15
REPLY_TIMES = (
    "The same day",
    "The next working day",
    "Within 2-3 working days",
    "Longer than that",
)
STANDARDS_AGREED_DAYS = 240  # the charter's standards were agreed about eight months before


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


def _hhmm_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _day_text(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _ascii(text).lower())


def _domain_for(organisation: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(organisation).lower())]
    label = "".join(w for w in words if w not in _DOMAIN_STOP_WORDS)[:40] or "business"
    return f"{label}.co.uk"


class _Timeline:
    """Working moments before the clock start, sampled with a seeded random."""

    def __init__(self, profile: Profile, clock_start: datetime, rng: random.Random):
        self.rng = rng
        self.start = clock_start
        self.calendar = WorkingCalendar(
            working_days=tuple(profile.working_days),
            opens=time.fromisoformat(profile.opens_at),
            closes=time.fromisoformat(profile.closes_at),
        )
        self.open = _hhmm_minutes(profile.opens_at)
        self.close = _hhmm_minutes(profile.closes_at)
        today = clock_start.date()
        now = clock_start.hour * 60 + clock_start.minute
        self.days: list[date] = []  # working days with working time left before the clock start
        self.ends: list[int] = []  # per day: the minute the usable working time ends (exclusive)
        self.calendar_days: list[date] = []  # every working day, past and future
        day = today - timedelta(days=PREHISTORY_DAYS)
        while day <= today + timedelta(days=FUTURE_DAYS):
            if self.calendar.is_working_day(day):
                self.calendar_days.append(day)
                end = self.close if day < today else min(self.close, now)
                if day <= today and end > self.open:
                    self.days.append(day)
                    self.ends.append(end)
            day += timedelta(days=1)
        self.position = {d: i for i, d in enumerate(self.calendar_days)}
        self.history_start = bisect_left(self.days, today - timedelta(days=HISTORY_DAYS))
        self.last = len(self.days) - 1

    def at(self, index: int, minute: int) -> datetime:
        day = self.days[index]
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60)

    def index_of(self, moment: datetime) -> int:
        return bisect_left(self.days, moment.date())

    def pick(self, lo: int, hi: int, recent: bool = True) -> datetime:
        """A working moment on a day between indexes lo and hi, later days more likely."""
        x = self.rng.random()
        if recent and self.rng.random() < 0.6:
            x = max(x, self.rng.random())
        span = hi - lo + 1
        index = lo + min(span - 1, int(x * span))
        return self.at(index, self.rng.randrange(self.open, self.ends[index]))

    def between(self, earliest: datetime, latest: datetime) -> datetime | None:
        """A working moment in [earliest, latest), never at or after the clock start."""
        latest = min(latest, self.start)
        if latest <= earliest:
            return None
        lo = bisect_left(self.days, earliest.date())
        hi = bisect_right(self.days, latest.date()) - 1
        first_minute = earliest.hour * 60 + earliest.minute + (1 if earliest.second else 0)
        last_minute = latest.hour * 60 + latest.minute
        while lo <= hi:
            index = self.rng.randint(lo, hi)
            low = first_minute if self.days[index] == earliest.date() else self.open
            high = last_minute if self.days[index] == latest.date() else self.ends[index]
            low, high = max(low, self.open), min(high, self.ends[index])
            if low < high:
                return self.at(index, self.rng.randrange(low, high))
            # Only the first and last day can be empty; drop whichever was tried.
            if index == lo:
                lo += 1
            elif index == hi:
                hi -= 1
            else:
                return None
        return None

    def later(self, moment: datetime, days: int) -> datetime | None:
        """A moment `days` working days after `moment` (same day: at least 10 minutes later)."""
        if days == 0:
            end_of_day = datetime.combine(moment.date(), time(self.close // 60, self.close % 60))
            same_day = self.between(moment + timedelta(minutes=10), end_of_day)
            if same_day is not None:
                return same_day
            days = 1
        index = self.index_of(moment) + days
        if index > self.last:
            return None
        return self.at(index, self.rng.randrange(self.open, self.ends[index]))

    def during(self, day: date) -> datetime | None:
        """A working moment on `day` before the clock start."""
        return self.between(datetime.combine(day, time.min), datetime.combine(day, time.max))

    def working_days_after(self, day: date, count: int) -> date:
        index = self.position.get(day)
        if index is None:  # not a working day: count from the last working day before it
            index = bisect_left(self.calendar_days, day) - 1
        return self.calendar_days[min(index + count, len(self.calendar_days) - 1)]


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


class _Generator:
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

    # ----------------------------------------------------------------- orchestration

    def run(self) -> dict[str, list]:
        self._make_contacts()
        self._make_interactions()
        self._add_follow_ups()
        contacts = self._finish_contacts()
        needs, preferences = self._needs_and_preferences()
        complaints, complaint_events = self._finish_complaints()
        interactions = self._finish_interactions()
        surveys, questions, responses, answers = self._feedback(contacts)
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
            "service_standards": self._standards(),
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

    # ----------------------------------------------------------------- contacts

    def _make_contacts(self) -> None:
        total = self.spec["contacts"]
        departments = self.profile.departments
        internal = max(round(total * 0.10), len(departments) + 2)
        non_customers = max(3, round(total * 0.08))
        others = max(1, round(non_customers * 0.2))
        duplicates = 2 if total < 100 else 3
        external = total - internal - non_customers - duplicates
        businesses = round(external * self.profile.business_share)
        kinds = ["individual"] * (external - businesses) + ["business"] * businesses
        self.rng.shuffle(kinds)

        for department in departments:
            self._department(department)
        colleagues = internal - len(departments)
        for n in range(colleagues):
            head = departments[n] if n < len(departments) else None
            self._colleague(head)
        for n in range(non_customers - others):
            self._supplier(self.profile.supplier_kinds[n % len(self.profile.supplier_kinds)])
        for n in range(others):
            self._other(self.profile.other_contacts[n % len(self.profile.other_contacts)])
        externals = [self._external(kind) for kind in kinds]
        self._mark_gaps(externals)
        originals = [
            d for d in externals if d.kind == "individual" and not d.gap and d.segment != "new"
        ]
        for n, original in enumerate(self.rng.sample(originals, duplicates)):
            self._duplicate(original, n)

    def _new_draft(self, kind: str, **values) -> _Draft:
        row = {
            "id": 0,
            "category": "external",
            "account_type": "individual",
            "first_name": "",
            "last_name": "",
            "organisation_name": "",
            "job_title": "",
            "department": "",
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "segment": None,
            "lifecycle_stage": None,
            "consent_email": False,
            "consent_phone": False,
            "consent_post": False,
            "consent_sms": False,
            "notes": "",
            "sort_name": "",
            "accuracy_checked_at": None,
            "merged_into_id": None,
            "created_sbx": None,
        }
        row.update(values)
        draft = _Draft(row=row, kind=kind, order=len(self.drafts))
        draft.lo, draft.hi = self.time.history_start, self.time.last
        self.drafts.append(draft)
        return draft

    def _department(self, department: dict) -> None:
        name = department["name"]
        self._new_draft(
            "department",
            category="internal",
            account_type="department",
            organisation_name=name,
            department=name,
            email=self._email_at(re.sub(r"[^a-z0-9]+", ".", _ascii(name).lower()).strip(".")),
            phone=self._office_phone(),
            address=self.profile.address,
            postcode=self.profile.postcode,
            consent_email=True,
            consent_phone=True,
            notes=f"Shared inbox and phone line for {name}. Head of department: "
            f"{department['head']}.",
        )

    def _colleague(self, head: dict | None) -> None:
        if head is not None:
            first, _, last = head["head"].partition(" ")
            department = head["name"]
            title = self.profile.colleague_job_titles[department][0]
        else:
            first, last = self.fake.first_name(), self.fake.last_name()
            department = self.rng.choice(self.department_names)
            title = self.rng.choice(self.profile.colleague_job_titles[department][1:])
        self._new_draft(
            "colleague",
            category="internal",
            account_type="colleague",
            first_name=first,
            last_name=last,
            job_title=title,
            department=department,
            email=self._email_at(f"{_slug(first)}.{_slug(last)}"),
            phone=self._office_phone(),
            address=self.profile.address,
            postcode=self.profile.postcode,
            consent_email=True,
            consent_phone=True,
        )

    def _supplier(self, kind: tuple[str, str]) -> None:
        description, trade = kind
        first, last = self.fake.first_name(), self.fake.last_name()
        organisation = f"{self.fake.last_name()} {trade} {self.rng.choice(('Ltd', 'Ltd', 'Group'))}"
        town = self.rng.choice(self.towns)
        draft = self._new_draft(
            "supplier",
            category="non_customer",
            account_type="supplier",
            first_name=first,
            last_name=last,
            organisation_name=organisation,
            job_title=self.rng.choice(SUPPLIER_TITLES),
            email=self._person_email(first, last, _domain_for(organisation), business=True),
            phone=self._phone(),
            address=self._street() + f", {town}",
            postcode=self.fake.postcode(),
            consent_email=True,
            consent_phone=True,
            notes=description,
        )
        draft.town = town

    def _other(self, entry: dict) -> None:
        first, last = self.fake.first_name(), self.fake.last_name()
        town = self.rng.choice(self.towns)
        organisation = entry["organisation"].format(town=town, last_name=self.fake.last_name())
        draft = self._new_draft(
            "other",
            category="non_customer",
            account_type="other",
            first_name=first,
            last_name=last,
            organisation_name=organisation,
            job_title=entry["job_title"],
            email=self._person_email(first, last, self.fake.free_email_domain()),
            phone=self._phone(),
            notes=entry["note"],
        )
        draft.other, draft.town = entry, town
        draft.lo = self.rng.randint(self.time.history_start, self.time.last)

    def _external(self, kind: str) -> _Draft:
        p = self.profile
        first, last = self.fake.first_name(), self.fake.last_name()
        town = self.rng.choice(self.towns)
        values = {
            "first_name": first,
            "last_name": last,
            "address": f"{self._street()}, {town}",
            "postcode": self.fake.postcode(),
            "phone": self._phone(),
        }
        segment_weights = dict(p.segment_weights)
        if kind == "business":
            pattern, titles = self.rng.choice(p.business_kinds)
            organisation = pattern.format(last_name=self.fake.last_name(), town=town)
            values.update(
                account_type="business",
                organisation_name=organisation,
                job_title=self.rng.choice(titles),
                email=self._person_email(first, last, _domain_for(organisation), business=True),
            )
            segment_weights["key_account"] *= 3  # most key accounts are businesses
        else:
            values["email"] = self._person_email(first, last, self.fake.free_email_domain())
        segment = self.rng.choices(list(segment_weights), list(segment_weights.values()))[0]
        values.update(segment=segment, lifecycle_stage=self._lifecycle(segment))
        values.update(self._consents())
        if segment != "new" and self.rng.random() < 0.25:
            notes = p.business_notes if kind == "business" else p.contact_notes
            values["notes"] = self.rng.choice(notes)
        draft = self._new_draft(kind, **values)
        draft.town = town
        span = self.time.last - self.time.history_start
        if segment == "new":
            low = self.time.history_start + int(span * 0.65)
            draft.lo = self.rng.randint(low, self.time.last - 1)
        elif segment == "at_risk":
            draft.hi = self.time.history_start + int(span * 0.45)
        return draft

    def _lifecycle(self, segment: str) -> str:
        if segment == "new":
            return "acquisition"
        if segment == "key_account":
            return "development" if self.rng.random() < 0.8 else "retention"
        if segment == "regular":
            return "retention" if self.rng.random() < 0.85 else "development"
        return "retention"

    def _consents(self) -> dict:
        if self.rng.random() < 0.07:  # opted out of everything
            return {}
        return {
            "consent_email": self.rng.random() < 0.85,
            "consent_phone": self.rng.random() < 0.45,
            "consent_post": self.rng.random() < 0.35,
            "consent_sms": self.rng.random() < 0.3,
        }

    def _mark_gaps(self, externals: list[_Draft]) -> None:
        count = max(3, round(len(externals) * 0.04))
        for n, draft in enumerate(self.rng.sample(externals, count)):
            draft.gap = True
            if n % 3 != 1:
                draft.row.update(phone="", consent_phone=False, consent_sms=False)
            if n % 3 != 0:
                draft.row["postcode"] = ""

    def _duplicate(self, original: _Draft, variant: int) -> None:
        """A second record for the same person, as a busy colleague might have made it."""
        row = original.row
        first, last = row["first_name"], row["last_name"]
        email, phone, postcode = row["email"], row["phone"], row["postcode"]
        if variant % 3 == 0:  # a different (older) email address
            email = self._person_email(first, last, self.fake.free_email_domain())
        elif variant % 3 == 1:  # surname misspelt, no phone taken
            last = _misspell(last, self.rng)
            phone = ""
        else:  # short first name, postcode typed without its space
            first = NICKNAMES.get(first, first)
            if first == row["first_name"]:
                last = _misspell(last, self.rng)
            postcode = postcode.replace(" ", "")
            email = self._person_email(first, last, email.partition("@")[2])
        draft = self._new_draft(
            "duplicate",
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            address=row["address"],
            postcode=postcode,
            segment="new",
            lifecycle_stage="acquisition",
            consent_email=True,
        )
        draft.town = original.town
        span = self.time.last - self.time.history_start
        draft.lo = self.rng.randint(self.time.history_start + int(span * 0.5), self.time.last - 1)

    # ----------------------------------------------------------------- contact details

    def _street(self) -> str:
        return self.fake.street_address().replace("\n", ", ")

    def _phone(self) -> str:
        # Faker writes numbers in many styles; keep the Ofcom drama ones and store them in the
        # national format the app's validation would give them.
        for _ in range(50):
            digits = re.sub(r"\D", "", self.fake.phone_number())
            if digits.startswith("44"):
                digits = digits[2:]
            national = digits.lstrip("0")
            if _DRAMA_NUMBER.match(national):
                if national[:2] in ("20", "28", "29"):
                    return f"0{national[:2]} {national[2:6]} {national[6:]}"
                return f"0{national[:3]} {national[3:6]} {national[6:]}"
        return self._office_phone()

    def _office_phone(self) -> str:
        return f"{self.profile.phone_prefix}{self.rng.randrange(1000):03d}"

    def _unique(self, local: str, domain: str) -> str:
        local = local.strip("._") or "contact"
        candidate, n = f"{local}@{domain}", 2
        while candidate.lower() in self.used_emails:
            candidate, n = f"{local}{n}@{domain}", n + 1
        self.used_emails.add(candidate.lower())
        return candidate

    def _email_at(self, local: str) -> str:
        return self._unique(local, self.profile.email_domain)

    def _person_email(self, first: str, last: str, domain: str, business: bool = False) -> str:
        f, s = _slug(first) or "x", _slug(last) or "contact"
        if business:
            patterns = (f"{f}.{s}", f"{f}.{s}", f"{f[0]}{s}", f"{f}")
        else:
            patterns = (
                f"{f}.{s}",
                f"{f}{s}",
                f"{f[0]}{s}",
                f"{f}.{s}{self.rng.randint(1, 99)}",
                f"{s}.{f}",
                f"{f}_{s}",
            )
        return self._unique(self.rng.choice(patterns), domain)

    # ----------------------------------------------------------------- interactions

    def _make_interactions(self) -> None:
        target = self.spec["interactions"]
        plans = self._plan_complaints()
        weights = [INTERACTION_WEIGHT[d.weight_key] for d in self.drafts]
        budgets = [1] * len(self.drafts)
        extra = max(0, target - len(self.drafts))
        for index in self.rng.choices(range(len(self.drafts)), weights, k=extra):
            budgets[index] += 1
        position = {draft: n for n, draft in enumerate(self.drafts)}
        for plan in plans:  # a complaint's interactions come out of its contact's budget
            n = position[plan.draft]
            budgets[n] = max(1, budgets[n] - COMPLAINT_INTERACTIONS)
        for draft, budget in zip(self.drafts, budgets, strict=True):
            handler = {
                "colleague": self._internal_events,
                "department": self._internal_events,
                "supplier": self._supplier_events,
                "other": self._other_events,
            }.get(draft.kind, self._customer_events)
            remaining = budget
            first = True
            while remaining > 0:
                made = handler(draft, remaining, first)
                remaining -= made
                first = False
        for plan in plans:  # after the contacts' first contact with us
            _Story(self, plan).tell()

    def _add(
        self, draft: _Draft, locked: bool = False, complaint: _Complaint | None = None, **values
    ) -> dict:
        row = {
            "id": 0,
            "contact_id": 0,
            "channel": values["channel"],
            "direction": values["direction"],
            "initiative": values.get("initiative", "reactive"),
            "summary": values["summary"],
            "outcome": values.get("outcome", ""),
            "recorded_by": self.rng.choice(self.profile.team),
            "occurred_at": values["occurred_at"],
            "follow_up_on": values.get("follow_up_on"),
            "follow_up_done_sbx": values.get("follow_up_done_sbx"),
            "supersedes_id": None,
            "complaint_id": None,
        }
        self.events.append(_Event(draft, row, len(self.events), locked, complaint))
        draft.times.append(row["occurred_at"])
        return row

    def _values(self, draft: _Draft, moment: datetime) -> _Values:
        return _Values(self, draft, moment)

    def _value(self, name: str, draft: _Draft, moment: datetime) -> str:
        p = self.profile
        if name == "item":
            return self.rng.choice(p.products_or_services)
        if name == "ref":
            return f"{p.reference_prefix}-{self.rng.randint(100000, 999999)}"
        if name == "amount":
            pounds, pence = self.rng.randint(5, 240), self.rng.choice((0, 0, 50, 99))
            return f"£{pounds}.{pence:02d}" if pence else f"£{pounds}"
        if name == "date":
            return _day_text(self.time.working_days_after(moment.date(), self.rng.randint(2, 15)))
        if name == "department":
            if draft.kind in ("colleague", "department"):
                return draft.row["department"]
            return self.rng.choice(self.department_names)
        if name in ("first_name", "last_name"):
            return draft.row[name]
        if name == "town":
            return draft.town or self.rng.choice(self.towns)
        raise KeyError(name)

    def _channel(self, draft: _Draft, written_ok: bool) -> str:
        weights = dict(self.profile.channel_weights)
        if not draft.row["phone"]:
            weights.pop("phone", None)
        if not written_ok:
            for channel in WRITTEN:
                weights.pop(channel, None)
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _customer_events(self, draft: _Draft, budget: int, first: bool) -> int:
        segment = "new" if draft.kind == "duplicate" else draft.segment
        if first and segment == "new":
            # A new customer's record starts with them getting in touch; the rest comes later.
            made = self._inbound(draft, budget, self.time.pick(draft.lo, draft.lo))
            draft.lo += 1
            return made
        kind = self.rng.choices(("inbound", "proactive"), EVENT_WEIGHTS[segment])[0]
        if kind == "proactive":
            channel = self._proactive_channel(draft)
            if channel is not None:
                return self._proactive(draft, channel)
        return self._inbound(draft, budget)

    def _inbound(self, draft: _Draft, budget: int, moment: datetime | None = None) -> int:
        moment = moment or self.time.pick(draft.lo, draft.hi)
        channel = self._channel(draft, written_ok=budget >= 2)
        values = self._values(draft, moment)
        ask, answer = self.rng.choice(self.profile.interaction_topics["inbound"])
        inbound = self._add(
            draft,
            channel=channel,
            direction="inbound",
            summary=ask.format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(self.profile.outcomes).format_map(values),
        )
        if budget < 2 or self.rng.random() >= REPLY_CHANCE[channel]:
            return 1
        delay = self.rng.choices(*REPLY_DELAY_DAYS)[0]
        reply_at = self.time.later(moment, delay)
        if reply_at is None:
            # The reply would fall after the clock start: the learner finds it waiting.
            inbound["outcome"] = "Awaiting reply"
            inbound["follow_up_on"] = self.time.working_days_after(moment.date(), 1)
            return 1
        inbound["outcome"] = self.rng.choice(HOLDING_OUTCOMES).format_map(values)
        self._add(
            draft,
            channel=REPLY_CHANNEL[channel],
            direction="outbound",
            summary=answer.format_map(values),
            occurred_at=reply_at,
            outcome=self.rng.choice(self.profile.outcomes).format_map(values),
        )
        return 2

    def _proactive_channel(self, draft: _Draft) -> str | None:
        # Proactive contact only on channels the customer consented to (or a planned meeting).
        row = draft.row
        options = {}
        if row["consent_email"] and row["email"]:
            options["email"] = 0.6
        if row["consent_phone"] and row["phone"]:
            options["phone"] = 0.3
        if row["consent_post"] and row["address"] and row["postcode"]:
            options["letter"] = 0.1
        if row["account_type"] == "business" or row["segment"] == "key_account":
            options["meeting"] = 0.15
        if not options:
            return None
        return self.rng.choices(list(options), list(options.values()))[0]

    def _proactive(self, draft: _Draft, channel: str) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        outcomes = PROACTIVE_OUTCOMES + (("Left a voicemail",) if channel == "phone" else ())
        self._add(
            draft,
            channel=channel,
            direction="outbound",
            initiative="proactive",
            summary=self.rng.choice(
                self.profile.interaction_topics["outbound_proactive"]
            ).format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(outcomes),
        )
        return 1

    def _internal_events(self, draft: _Draft, budget: int, first: bool) -> int:
        department = draft.row["department"]
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        channel = self.rng.choices(*INTERNAL_CHANNELS)[0]
        if self.rng.random() >= 0.7:
            self._add(
                draft,
                channel=channel,
                direction="outbound",
                initiative="proactive",
                summary=self.rng.choice(self.profile.internal_outbound[department]).format_map(
                    values
                ),
                occurred_at=moment,
                outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
            )
            return 1
        request, answer = self.rng.choice(self.profile.internal_requests[department])
        inbound = self._add(
            draft,
            channel=channel,
            direction="inbound",
            summary=request.format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
        )
        if budget < 2 or self.rng.random() >= 0.7:
            return 1
        reply_at = self.time.later(moment, self.rng.choice((0, 0, 1, 2)))
        if reply_at is None:
            inbound["outcome"] = "Awaiting reply"
            inbound["follow_up_on"] = self.time.working_days_after(moment.date(), 1)
            return 1
        inbound["outcome"] = self.rng.choice(INTERNAL_HOLDING).format_map(values)
        self._add(
            draft,
            channel="email" if channel == "live_chat" else channel,
            direction="outbound",
            summary=answer.format_map(values),
            occurred_at=reply_at,
            outcome=self.rng.choice(INTERNAL_OUTCOMES).format_map(values),
        )
        return 2

    def _supplier_events(self, draft: _Draft, budget: int, first: bool) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        inbound = self.rng.random() < 0.5
        topics = self.profile.interaction_topics[
            "supplier_inbound" if inbound else "supplier_outbound"
        ]
        self._add(
            draft,
            channel=self.rng.choices(*SUPPLIER_CHANNELS)[0],
            direction="inbound" if inbound else "outbound",
            initiative="reactive" if inbound else "proactive",
            summary=self.rng.choice(topics).format_map(values),
            occurred_at=moment,
            outcome=self.rng.choice(SUPPLIER_OUTCOMES).format_map(values),
        )
        return 1

    def _other_events(self, draft: _Draft, budget: int, first: bool) -> int:
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        self._add(
            draft,
            channel=self.rng.choices(*OTHER_CHANNELS)[0],
            direction="inbound",
            summary=self.rng.choice(draft.other["topics"]).format_map(values),
            occurred_at=moment,
            outcome=draft.other["outcome"],
        )
        return 1

    def _add_follow_ups(self) -> None:
        today = self.start.date()
        for event in self.events:
            row = event.row
            if event.locked or row["follow_up_on"] is not None:
                continue
            if self.rng.random() >= FOLLOW_UP_RATE:
                continue
            day = self.time.working_days_after(
                row["occurred_at"].date(), self.rng.choice((1, 2, 3, 5, 10))
            )
            row["follow_up_on"] = day
            if event.draft.kind in ("colleague", "department"):
                row["outcome"] = self.rng.choice(INTERNAL_FOLLOW_UP_OUTCOMES).format(
                    department=event.draft.row["department"]
                )
            elif event.draft.kind in ("supplier", "other"):
                row["outcome"] = self.rng.choice(SUPPLIER_FOLLOW_UP_OUTCOMES)
            else:
                row["outcome"] = self.rng.choice(FOLLOW_UP_OUTCOMES)
            if day < today and self.rng.random() < 0.85:
                row["follow_up_done_sbx"] = self.time.during(day)
        # Make sure the learner opens the CRM to a few follow-ups due in the next two weeks.
        horizon = today + timedelta(days=14)
        upcoming = sum(
            1
            for e in self.events
            if e.row["follow_up_on"] is not None
            and today <= e.row["follow_up_on"] <= horizon
            and e.row["follow_up_done_sbx"] is None
        )
        wanted = UPCOMING_FOLLOW_UPS[self.size]
        if upcoming >= wanted:
            return
        recent = sorted(
            (
                e
                for e in self.events
                if e.row["follow_up_on"] is None
                and not e.locked
                and e.draft.kind in ("individual", "business")
            ),
            key=lambda e: (e.row["occurred_at"], e.order),
            reverse=True,
        )
        choices = [d for d in self.time.calendar_days if today <= d <= horizon]
        for event in recent[: wanted - upcoming]:
            event.row["follow_up_on"] = self.rng.choice(choices)
            event.row["outcome"] = self.rng.choice(FOLLOW_UP_OUTCOMES)

    # ----------------------------------------------------------------- complaints

    def _plan_complaints(self) -> list[_ComplaintPlan]:
        """Who complains (external customers mostly, at-risk ones most often, a few internal
        customers), how many times each complaint is escalated and which are still open."""
        total = self.spec["complaints"]
        departments = {s["department"] for s in self.profile.internal_complaints}
        internals = [
            d
            for d in self.drafts
            if d.kind in ("colleague", "department") and d.row["department"] in departments
        ]
        internal_count = min(len(internals), max(1, round(total * INTERNAL_COMPLAINT_SHARE)))
        room = self._room_needed(0)
        externals = [
            d for d in self.drafts if d.kind in ("individual", "business") and d.hi - d.lo >= room
        ]
        weights = [COMPLAINT_WEIGHT[d.segment] for d in externals]
        chosen = _weighted_sample(self.rng, externals, weights, total - internal_count)
        chosen += self.rng.sample(internals, internal_count)
        self.rng.shuffle(chosen)
        open_count = round(total * OPEN_COMPLAINT_SHARE)
        plans = []
        for draft in chosen:
            variant = sum(1 for plan in plans if plan.stop)
            if variant < open_count and draft.hi == self.time.last:
                stop = OPEN_STAGES[variant % len(OPEN_STAGES)]
                plans.append(_ComplaintPlan(draft, 1 if variant % 6 == 5 else 0, stop, variant))
            else:
                plans.append(_ComplaintPlan(draft, 0, None))
        # Escalate the complaints of contacts whose history leaves room to see it through.
        for times, share in ((2, ESCALATED[1]), (1, ESCALATED[0])):
            wanted = round(total * share)
            room = self._room_needed(times)
            for plan in plans:
                if wanted <= 0:
                    break
                if (
                    plan.stop is None
                    and not plan.escalations
                    and plan.draft.hi - plan.draft.lo >= room
                ):
                    plan.escalations = times
                    wanted -= 1
        return plans

    def _level_days(self, level: int) -> tuple[float, float]:
        """A level's acknowledgement and resolution times, in working days."""
        hours = self.time.calendar.day_length.total_seconds() / 3600
        days = []
        for rule in (self.procedure[level]["acknowledge_within"],) + (
            self.procedure[level]["resolve_within"],
        ):
            if rule is None:
                days.append(5.0)
            elif rule["unit"] == "working_hours":
                days.append(rule["amount"] / hours)
            else:
                days.append(float(rule["amount"]))
        return days[0], days[1]

    def _room_needed(self, escalations: int) -> int:
        """Working days a complaint escalated this many times needs to reach closed, with room
        for late steps, waiting for the customer and confirming the outcome."""
        needed = 8
        for level in range(escalations + 1):
            ack, resolve = self._level_days(level)
            needed += ceil(ack) + ceil(resolve) + 8
        return needed

    # ----------------------------------------------------------------- finishing

    def _finish_contacts(self) -> list[dict]:
        for draft in self.drafts:
            row = draft.row
            if draft.kind in ("duplicate", "other") or row["segment"] == "new":
                # Recorded when they first got in touch.
                row["created_sbx"] = min(draft.times)
            else:
                row["created_sbx"] = self.time.pick(0, self.time.history_start - 1, recent=False)
            chance = ACCURACY_CHECKED.get(draft.kind, 0.0)
            if not draft.gap and self.rng.random() < chance:
                row["accuracy_checked_at"] = self.time.between(row["created_sbx"], self.start)
            row["sort_name"] = _sort_name(row)
        ordered = sorted(self.drafts, key=lambda d: (d.row["created_sbx"], d.order))
        for number, draft in enumerate(ordered, start=1):
            draft.id = draft.row["id"] = number
        return [d.row for d in ordered]

    def _needs_and_preferences(self) -> tuple[list[dict], list[dict]]:
        p = self.profile
        needs, preferences = [], []
        for draft in sorted(self.drafts, key=lambda d: d.id):
            if draft.kind not in ("individual", "business"):
                continue
            if self.rng.random() < 0.4:
                pool = p.needs
                if draft.kind == "business" and self.rng.random() < 0.7:
                    pool = p.business_needs
                for template in self.rng.sample(pool, 1 if self.rng.random() < 0.7 else 2):
                    needs.append(self._need(draft, template))
            if self.rng.random() < 0.3:
                count = 1 if self.rng.random() < 0.8 else 2
                for template in self.rng.sample(p.preferences, count):
                    created = self.rng.choice(draft.times)
                    preferences.append(
                        {
                            "id": 0,
                            "contact_id": draft.id,
                            "description": template.format_map(self._values(draft, created)),
                            "created_sbx": created,
                        }
                    )
        return _numbered(needs), _numbered(preferences)

    def _need(self, draft: _Draft, template: str) -> dict:
        created = self.rng.choice(draft.times)
        values = self._values(draft, created)
        values["date"] = _day_text(
            self.time.working_days_after(created.date(), self.rng.randint(5, 25))
        )
        confirmed = self.rng.random() < 0.75
        method = confirmed_at = None
        if confirmed:
            method = self.rng.choice(("asked_back", "summarised", "in_writing"))
            confirmed_at = created
            if method == "in_writing":
                confirmed_at = self.time.later(created, self.rng.randint(1, 3))
                if confirmed_at is None:  # the letter has not come back yet
                    method, confirmed_at = "summarised", created
        return {
            "id": 0,
            "contact_id": draft.id,
            "description": template.format_map(values),
            "confirmed": confirmed,
            "confirmation_method": method,
            "confirmed_sbx": confirmed_at,
            "created_sbx": created,
        }

    def _finish_interactions(self) -> list[dict]:
        ordered = sorted(self.events, key=lambda e: (e.row["occurred_at"], e.order))
        rows = []
        for number, event in enumerate(ordered, start=1):
            event.row["id"] = number
            event.row["contact_id"] = event.draft.id
            if event.complaint is not None:
                event.row["complaint_id"] = event.complaint.row["id"]
            rows.append(event.row)
        return rows

    def _finish_complaints(self) -> tuple[list[dict], list[dict]]:
        """Ids and references in the order complaints were received; events in time order."""
        ordered = sorted(self.complaints, key=lambda c: (c.row["received_at"], c.order))
        rows, events = [], []
        for number, complaint in enumerate(ordered, start=1):
            row = complaint.row
            row["id"] = number
            row["reference"] = f"C-{number:04d}"
            row["contact_id"] = complaint.draft.id
            for seq, event in enumerate(complaint.events):
                event["complaint_id"] = number
                events.append((event["at"], number, seq, event))
            rows.append(row)
        events.sort(key=lambda item: item[:3])
        for number, item in enumerate(events, start=1):
            item[3]["id"] = number
        return rows, [item[3] for item in events]

    # ----------------------------------------------------------------- feedback

    def _feedback(self, contacts: list[dict]) -> tuple[list, list, list, list]:
        """Surveys, comment cards and a suggestion box, with their questions and the simulated
        responses (answered the way seed.answers models customers)."""
        designs = _survey_designs(self.profile.feedback)
        externals = sorted(
            (c for c in contacts if c["category"] == "external"),
            key=lambda c: (c["created_sbx"], c["id"]),
        )
        surveys = []
        for order, (key, timing) in enumerate(SURVEY_PLANS[self.size]):
            design = designs[key]
            if timing in COLLECTION_PERIODS:
                survey, people = self._collection(design, timing, externals)
            else:
                survey, people = self._emailed_survey(design, timing, contacts)
            questions = [
                {"kind": kind, "text": text, "options": list(options), "position": n}
                for n, (kind, text, options) in enumerate(design["questions"], start=1)
            ]
            surveys.append((survey, questions, people, order))
        surveys.sort(key=lambda item: (item[0]["created_sbx"], item[3]))
        survey_rows, question_rows, answered = [], [], []
        for number, (survey, questions, people, _) in enumerate(surveys, start=1):
            survey["id"] = number
            survey_rows.append(survey)
            ids = {}
            for question in questions:
                row = {
                    "id": len(question_rows) + 1,
                    "survey_id": number,
                    "position": question["position"],
                    "kind": question["kind"],
                    "text": question["text"],
                    "options": list(question["options"]),
                }
                question_rows.append(row)
                ids[question["position"]] = row["id"]
            category = survey["audience"]["category"]
            for seq, (at, contact, segment) in enumerate(people):
                answers = simulate_response(
                    self.rng, questions, segment, category, self.profile.key
                )
                response = {
                    "id": 0,
                    "survey_id": number,
                    "contact_id": contact["id"] if contact else None,
                    "segment": (contact["segment"] or "") if contact else "",
                    "responded_at": at,
                }
                answered.append((at, number, seq, response, answers, ids))
        answered.sort(key=lambda item: item[:3])
        response_rows, answer_rows = [], []
        for number, (_, _, _, response, answers, ids) in enumerate(answered, start=1):
            response["id"] = number
            response_rows.append(response)
            for answer in answers:
                answer_rows.append(
                    {
                        "id": len(answer_rows) + 1,
                        "response_id": number,
                        "question_id": ids[answer["question_position"]],
                        "number": answer["number"],
                        "text": answer["text"],
                        "choices": list(answer["choices"]),
                    }
                )
        return survey_rows, question_rows, response_rows, answer_rows

    def _morning_of(self, day: date, days_earlier: int = 0) -> datetime:
        """A morning moment on the first working day from `day` (less `days_earlier` working
        days), before the clock start."""
        index = min(bisect_left(self.time.days, day), self.time.last) - days_earlier
        index = max(0, index)
        end = min(self.time.ends[index], self.time.open + 180)
        return self.time.at(index, self.rng.randrange(self.time.open, end))

    def _survey_row(self, design: dict, title: str, sent: datetime, closes: date) -> dict:
        return {
            "id": 0,
            "title": title,
            "method": design["method"],
            "purpose": design["purpose"],
            "status": "sent" if closes >= self.start.date() else "closed",
            "audience": dict(design["audience"]),
            "recipients": 0,
            "sent_at": sent,
            "closes_on": closes,
            "created_sbx": self._morning_of(sent.date(), self.rng.randint(1, 4)),
        }

    def _emailed_survey(self, design: dict, timing: str, contacts: list[dict]):
        """A survey emailed to everyone in its audience who consented to email; each answers
        with their segment's response rate, over the first half of the time it is open."""
        days_before, days_open = SURVEY_TIMING[timing]
        sent = self._morning_of(self.start.date() - timedelta(days=days_before))
        closes = (sent + timedelta(days=days_open)).date()
        title = f"{design['title']} ({MONTHS[sent.month - 1]} {sent.year})"
        survey = self._survey_row(design, title, sent, closes)
        category, segment = design["audience"]["category"], design["audience"]["segment"]
        recipients = [
            c
            for c in contacts
            if c["category"] == category
            and (not segment or c["segment"] == segment)
            and c["consent_email"]
            and c["created_sbx"] < sent
        ]
        survey["recipients"] = len(recipients)
        calendar = self.time.calendar
        window = int(days_open * calendar.day_length.total_seconds() / 60 / 2)
        people = []
        for contact in recipients:
            if self.rng.random() >= response_rate(contact["segment"], contact["category"]):
                continue
            at = calendar.add_working_time(sent, timedelta(minutes=self.rng.randint(30, window)))
            if survey["status"] == "closed" and at >= self.start:
                continue
            people.append((at, contact, contact["segment"] or ""))
        return survey, people

    def _collection(self, design: dict, timing: str, externals: list[dict]):
        """Comment cards or a suggestion box: filled in over a period, mostly anonymously; a
        named one is linked to the customer's record."""
        start_days, end_days = COLLECTION_PERIODS[timing]
        sent = self._morning_of(self.start.date() - timedelta(days=start_days))
        closes = (self.start - timedelta(days=end_days)).date()
        survey = self._survey_row(design, design["title"], sent, closes)
        count = COLLECTED[timing][self.size]
        named = NAMED_CARD if timing == "cards" else NAMED_SUGGESTION
        joined = [c["created_sbx"] for c in externals]
        end = datetime.combine(closes, time.max)
        people = []
        for _ in range(count):
            at = self.time.between(sent, end)
            if at is None:
                continue
            known = bisect_left(joined, at)
            if known and self.rng.random() < named:
                contact = externals[self.rng.randrange(known)]
                people.append((at, contact, contact["segment"] or ""))
            else:  # anonymous: answers like a customer picked at random, segment not recorded
                people.append((at, None, self.rng.choice(externals)["segment"] or ""))
        if timing == "cards":
            survey["recipients"] = ceil(len(people) / CARD_RETURN_RATE / 10) * 10
        else:
            survey["recipients"] = len(people)
        return survey, people

    # ----------------------------------------------------------------- service standards

    def _standards(self) -> list[dict]:
        """Three agreed standards from the customer service charter, agreed months before the
        history starts; no measurements or findings yet (that is the learner's work)."""
        p = self.profile
        agreed = self.time.working_days_after(
            self.start.date() - timedelta(days=STANDARDS_AGREED_DAYS), 0
        )
        drafted = self.time.working_days_after(agreed - timedelta(days=14), 0)
        created = datetime.combine(drafted, time.fromisoformat(p.opens_at)) + timedelta(hours=1)
        ack = self.procedure[0]["acknowledge_within"]
        reply = {"amount": p.email_reply_within[0], "unit": p.email_reply_within[1]}
        charter = "All customers (customer service charter)"
        common = {
            "agreed_with_contact_id": None,
            "agreed_on": agreed,
            "status": "agreed",
            "created_sbx": created,
        }
        return [
            {
                "id": 1,
                "title": f"Acknowledge complaints within {_within_text(ack)}",
                "description": "Every complaint is acknowledged to the customer within "
                f"{_within_text(ack)} of being received, as the customer service charter and the "
                "complaints procedure promise. Measured from when the complaint is logged to "
                "when the acknowledgement is sent.",
                "measure": "complaint_ack_time",
                "threshold": float(ack["amount"]),
                "threshold_unit": ack["unit"],
                "target_percent": 95.0,
                "period": "month",
                "agreed_with": charter,
                **common,
            },
            {
                "id": 2,
                "title": f"Reply to emails, letters and messages within {_within_text(reply)}",
                "description": "The first reply to a customer's written enquiry (email, letter "
                f"or social media message) is sent within {_within_text(reply)}. Calls, live "
                "chats and meetings are answered there and then, so they are not counted.",
                "measure": "first_response_time",
                "threshold": float(reply["amount"]),
                "threshold_unit": reply["unit"],
                "target_percent": 90.0,
                "period": "month",
                "agreed_with": charter,
                **common,
            },
            {
                "id": 3,
                "title": "Complaint satisfaction of at least 4.0 out of 5",
                "description": "Customers whose complaint has been closed are asked to rate how "
                "it was handled, from 1 to 5. The average rating over each quarter is at least "
                "4.0.",
                "measure": "satisfaction_score",
                "threshold": 4.0,
                "threshold_unit": "score",
                "target_percent": None,
                "period": "quarter",
                "agreed_with": f"{self.procedure[2]['owner']} (internal target)",
                **common,
            },
        ]


class _Story:
    """One complaint from the moment it was received: the complaint row, its stage history and
    the interactions with the customer about it, timed against the organisation's procedure in
    working time. Steps are mostly on time, some late (recorded as a breach on the event). A
    complaint planned as open stops at its planned stage; any complaint stops where the clock
    start (or, for a customer who went quiet, their last contact with us) cuts it off."""

    def __init__(self, generator: _Generator, plan: _ComplaintPlan):
        self.g = generator
        self.plan = plan
        self.draft = plan.draft
        self.rng = generator.rng
        self.time = generator.time
        self.calendar = generator.time.calendar
        self.levels = generator.procedure
        self.internal = self.draft.kind in ("colleague", "department")
        self.written = "email" if self.draft.row["email"] else "letter"
        self.spoken = "phone" if self.draft.row["phone"] else self.written
        self.actor = self.rng.choice(generator.profile.team)
        if self.draft.hi >= self.time.last:
            self.deadline = generator.start
        else:  # a customer who went quiet: the story ends by their last contact with us
            end = self.time.ends[self.draft.hi]
            self.deadline = datetime.combine(
                self.time.days[self.draft.hi], time(end // 60, end % 60)
            )
        self.t = generator.start

    # ------------------------------------------------------------ telling

    def tell(self) -> None:
        received = self._received_at()
        self.values = self.g._values(self.draft, received)
        self._choose_topic()
        first = self.levels[0]
        self.row = {
            "id": 0,
            "reference": "",
            "contact_id": 0,
            "channel": self.channel,
            "category": self.category,
            "description": self.description,
            "severity": self._severity(),
            "owner": first["owner"],
            "stage": "received",
            "level": first["key"],
            "received_at": received,
            "level_started_at": received,
            "acknowledged_at": None,
            "resolved_at": None,
            "closed_at": None,
            "ack_due_at": None,
            "resolve_due_at": None,
            "waiting_since": None,
            "escalation_reason": "",
            "resolution": "",
            "root_cause": "",
            "lessons_learned": "",
            "customer_confirmed": None,
            "confirmation_note": "",
            "satisfaction_requested_at": None,
            "satisfaction_rating": None,
            "satisfaction_comment": "",
            "satisfaction_at": None,
        }
        self.complaint = _Complaint(self.draft, self.row, len(self.g.complaints))
        self.g.complaints.append(self.complaint)
        self._event("received", received, "received", self.description[:300], first["key"])
        self._say(
            channel=self.channel,
            direction="inbound",
            summary=self.summary,
            occurred_at=received,
            outcome=f"Logged as a stage 1 complaint: {self.category}",
        )
        self.t = received
        level = 0
        while self._level(level):
            level += 1

    def _level(self, level: int) -> bool:
        """Take the complaint through one level of the procedure. True: it was escalated to the
        next level; False: it stopped here (closed, or open at the clock start)."""
        row, policy = self.row, self.levels[level]
        start = row["level_started_at"]
        row["ack_due_at"] = self._due(start, policy["acknowledge_within"])
        row["resolve_due_at"] = self._due(start, policy["resolve_within"])
        final = level >= self.plan.escalations
        stop = self.plan.stop if final else None
        rule, when = (None, None) if final else self.rules[level]
        stage = policy["name"].split(":")[0]
        if stop == "received":
            return False

        ack_due = row["ack_due_at"] or self._after(start, 1)
        at = None
        if self.rng.random() >= ACK_LATE:
            at = self._step(self.t + timedelta(minutes=10), ack_due)
        if at is None:
            at = self._step(
                max(ack_due, self.t) + timedelta(minutes=1),
                self._after(max(ack_due, self.t), self.rng.choice((1, 2))),
            )
        if at is None:
            return False
        resolve_due = row["resolve_due_at"] or self._after(at, 5)
        due_text = _day_text(resolve_due.date())
        acknowledgement = self._say(
            channel=self.written,
            direction="outbound",
            summary=(
                f"Acknowledged the complaint ({self.category.lower()}) and explained the "
                f"{stage.lower()} timescale"
                if level == 0
                else f"Acknowledged the escalated complaint ({self.category.lower()}) and "
                f"explained the {stage.lower()} timescale"
            ),
            occurred_at=at,
            outcome=f"{stage} response due by {due_text}",
            follow_up_on=max(resolve_due.date(), at.date()),
        )
        self._event(
            "acknowledge",
            at,
            "acknowledged",
            f"Acknowledged by {self.written}; explained that the {stage.lower()} response is "
            f"due by {due_text}",
            breach=_late(at, row["ack_due_at"], "acknowledged"),
        )
        row["acknowledged_at"] = self.t = at
        if stop == "acknowledged":
            return False
        if when == "acknowledged":
            return self._escalate(level, rule, early=True)

        at = self._step(self.t + timedelta(minutes=5), self._after(self.t, 4, "working_hours"))
        if at is None:
            return False
        note = self.rng.choice(INVESTIGATION_NOTES).format_map(self.values)
        self._event("investigate", at, "investigating", note)
        self.t = at
        if stop == "investigating":
            return False
        if when == "investigating":
            return self._escalate(level, rule, early=True)
        if (stop == "waiting_customer" or self.rng.random() < WAIT_CHANCE) and not self._wait(stop):
            return False

        at = self._resolve_time()
        if at is None:
            return False
        if self.calendar.working_time_between(self.t, at) > 4 * self.calendar.day_length:
            update_at = self._step(self._after(self.t, 2), at - timedelta(hours=1))
            if update_at is not None:
                self._say(
                    channel=self.written,
                    direction="outbound",
                    summary="Sent an update on the complaint: the investigation is still going "
                    f"on and the {stage.lower()} response is due by "
                    f"{_day_text(row['resolve_due_at'].date())}",
                    occurred_at=update_at,
                    outcome="Complaint update sent",
                )
        if "date" not in self.values:
            self.values["date"] = _day_text(
                self.time.working_days_after(at.date(), self.rng.randint(2, 8))
            )
        if level == 0:
            resolution = self.response.format_map(self.values)
        else:
            template = self.rng.choice(REVIEW_OUTCOMES).replace("{n}", str(level))
            resolution = template.format_map(self.values)
        self._say(
            channel=self.rng.choice((self.written, self.written, self.spoken)),
            direction="outbound",
            summary=f"{stage} response: {resolution}",
            occurred_at=at,
            outcome="Outcome sent; asked the customer to confirm they are satisfied",
        )
        self._event(
            "resolve",
            at,
            "resolved",
            resolution[:300],
            breach=_late(at, row["resolve_due_at"], "resolved"),
        )
        row["resolved_at"] = self.t = at
        row["resolution"] = resolution
        acknowledgement["follow_up_done_sbx"] = at
        if stop == "resolved":
            return False
        if not final:
            return self._escalate(level, rule, early=False)
        self._close()
        return False

    def _resolve_time(self) -> datetime | None:
        due = self.row["resolve_due_at"]
        earliest = self.t + timedelta(minutes=30)
        if due is None:
            return self._step(earliest, self._after(self.t, 5))
        at = None
        if self.rng.random() >= RESOLVE_LATE:
            at = self._step(earliest, due)
        if at is None:  # late on purpose, or the investigation ran past the due time
            late_from = max(earliest, due + timedelta(minutes=1))
            at = self._step(late_from, self._after(late_from, self.rng.randint(1, 4)))
        return at

    def _wait(self, stop: str | None) -> bool:
        """Ask the customer for something; the clock pauses until they reply, and the
        resolution due time moves back by the working time paused (as the app does)."""
        at = self._step(self.t + timedelta(minutes=30), self._after(self.t, 2))
        if at is None:
            return False
        asked, replied = self.rng.choice(WAIT_REQUESTS)
        self._say(
            channel=self.written,
            direction="outbound",
            summary=f"Asked for {asked} to investigate the complaint",
            occurred_at=at,
            outcome="Waiting for the customer's reply; complaint on hold",
        )
        self._event("wait_for_customer", at, "waiting_customer", f"Asked the customer for {asked}")
        self.row["waiting_since"] = self.t = at
        if stop == "waiting_customer":
            return False
        at = self._step(self.t + timedelta(hours=1), self._after(self.t, self.rng.randint(1, 3)))
        if at is None:
            return False
        paused = self.calendar.working_time_between(self.row["waiting_since"], at)
        if paused > timedelta(0) and self.row["resolve_due_at"] is not None:
            self.row["resolve_due_at"] = self.calendar.add_working_time(
                self.row["resolve_due_at"], paused
            )
        self.row["waiting_since"] = None
        self._say(
            channel=self.spoken if replied.startswith("Called") else self.written,
            direction="inbound",
            summary=replied,
            occurred_at=at,
            outcome="Added to the complaint; investigation resumed",
        )
        hours = paused.total_seconds() / 3600
        self._event(
            "customer_replied",
            at,
            "investigating",
            f"Customer replied; clock resumed after {hours:g} working hours on hold",
        )
        self.t = at
        return True

    def _escalate(self, level: int, rule: int, early: bool) -> bool:
        if early:  # the procedure sends this kind of complaint up straight away
            at = self._step(self.t + timedelta(minutes=10), self._after(self.t, 1))
        else:  # the customer is not satisfied with the response
            at = self._step(self.t + timedelta(hours=1), self._after(self.t, 3))
        if at is None:
            return False
        nxt = self.levels[level + 1]
        reason, detail = self._reason(level, rule)
        stage = self.levels[level]["name"].split(":")[0]
        if early:
            self._say(
                channel=self.written,
                direction="outbound",
                summary=f"Told the customer the complaint has been passed to the {nxt['owner']}: "
                f"{reason[0].lower()}{reason[1:]}",
                occurred_at=at,
                outcome=f"Escalated to {nxt['name']}",
            )
        else:
            self._say(
                channel=self.rng.choice((self.written, self.spoken)),
                direction="inbound",
                summary=f"Replied that they are not satisfied with the {stage.lower()} response: "
                f"{detail}",
                occurred_at=at,
                outcome=f"Escalated to {nxt['name']} ({nxt['owner']})",
            )
        self.row.update(
            level_started_at=at,
            acknowledged_at=None,
            resolved_at=None,
            waiting_since=None,
            escalation_reason=reason,
            owner=nxt["owner"],
            resolution="",
        )
        self._event("escalate", at, "received", reason, nxt["key"])
        self.t = at
        return True

    def _close(self) -> None:
        confirmed = self.rng.random() >= UNCONFIRMED
        if confirmed:
            at = self._step(
                self.t + timedelta(hours=1), self._after(self.t, self.rng.randint(1, 3))
            )
        else:  # chased for a reply first, then closed as the procedure allows
            at = self._step(self._after(self.t, 5), self._after(self.t, 10))
        if at is None:
            return
        root_cause, lesson = self.rng.choice(self.causes)
        note = self.rng.choice(CONFIRMATIONS if confirmed else NOT_CONFIRMED)
        self.row.update(
            closed_at=at,
            customer_confirmed=confirmed,
            confirmation_note=note,
            root_cause=root_cause,
            lessons_learned=lesson,
        )
        self._say(
            channel=self.spoken if confirmed else self.written,
            direction="outbound",
            summary="Checked that the customer is happy with the outcome of the complaint"
            if confirmed
            else "Followed up the outcome of the complaint to check the customer is satisfied",
            occurred_at=at,
            outcome="Customer confirmed they are satisfied; complaint closed"
            if confirmed
            else "No confirmation from the customer; complaint closed (judgement recorded)",
        )
        self._event("close", at, "closed", note, judgement=not confirmed)
        if self.rng.random() >= SATISFACTION_ASKED:
            return
        if not confirmed:
            weights = SATISFACTION_WEIGHTS["unconfirmed"]
        elif any(e["breach"] for e in self.complaint.events):
            weights = SATISFACTION_WEIGHTS["late"]
        else:
            weights = SATISFACTION_WEIGHTS["on_time"]
        rating = self.rng.choices((1, 2, 3, 4, 5), weights)[0]
        comment = self.rng.choice(SATISFACTION_COMMENTS[rating])
        self.row.update(
            satisfaction_requested_at=at,
            satisfaction_rating=rating,
            satisfaction_comment="" if self.rng.random() < 0.2 else comment,
            # The rating comes back a few working hours later (perhaps after the clock start,
            # when it appears as sandbox time passes, as in the app).
            satisfaction_at=self.calendar.add(at, self.rng.choice((4, 8, 12, 16)), "working_hours"),
        )

    # ------------------------------------------------------------ choosing

    def _received_at(self) -> datetime:
        plan, draft, timeline = self.plan, self.draft, self.time
        if plan.stop is None:
            while plan.escalations and self.g._room_needed(plan.escalations) > draft.hi - draft.lo:
                plan.escalations -= 1
            latest = max(draft.lo, draft.hi - self.g._room_needed(plan.escalations))
            moment = timeline.pick(draft.lo, latest)
        else:
            # An open complaint: received recently enough to be at its stage now, some of them
            # long enough ago to be overdue.
            before = 0.0
            for level in range(plan.escalations):
                ack, resolve = self.g._level_days(level)
                before += ack + resolve + 2
            ack, resolve = (ceil(d) for d in self.g._level_days(plan.escalations))
            low, high = {
                "received": (0, 0) if plan.variant % 2 == 0 else (ack + 1, ack + 2),
                "acknowledged": (0, ack + 1),
                "investigating": (ack + 1, max(ack + 1, ceil(resolve * 1.5))),
                "waiting_customer": (ack + 1, max(ack + 1, resolve)),
                "resolved": (2, resolve + 2),
            }[plan.stop]
            ago = self.rng.randint(low, high) + ceil(before)
            index = max(draft.lo, timeline.last - ago)
            moment = timeline.at(index, self.rng.randrange(timeline.open, timeline.ends[index]))
        # Per level: which of the procedure's escalate_when rules sends the complaint up, and
        # from which stage (None: after the response, when the customer is not satisfied).
        # The first level's rule depends on the category (see _choose_topic).
        self.rules: list[tuple[int, str | None]] = [(0, None)] * plan.escalations
        return moment

    def _choose_topic(self) -> None:
        p = self.g.profile
        if self.internal:
            story = self.rng.choice(
                [
                    s
                    for s in p.internal_complaints
                    if s["department"] == self.draft.row["department"]
                ]
            )
            self.category = story["category"]
            self.description = story["description"].format_map(self.values)
            self.summary = self.description
            self.response = story["response"]
            self.causes = ((story["root_cause"], story["lesson"]),)
            self.channel = self.rng.choices(*INTERNAL_CHANNELS)[0]
        else:
            category, complaint, response = self.rng.choice(p.interaction_topics["complaint"])
            self.category = category
            self.summary = complaint.format_map(self.values)
            row = self.draft.row
            who = f"{row['first_name']} {row['last_name']}"
            if row["account_type"] == "business":
                who += f" ({row['organisation_name']})"
            opening = self.summary
            if opening.startswith("Complained "):
                opening = f"{who} complained {opening[len('Complained ') :]}"
            details = self.rng.sample(p.complaint_details[category], self.rng.choice((1, 1, 2)))
            self.description = " ".join([opening.rstrip(".") + ".", *details])
            self.response = response
            self.causes = p.complaint_causes[category]
            self.channel = self.g._channel(self.draft, written_ok=True)
        if self.plan.escalations:
            self.rules[0] = self._first_rule()

    def _first_rule(self) -> tuple[int, str | None]:
        rules = self.g.profile.complaints_procedure["escalate_when"]
        words = _words(self.category)
        if len(rules) > 1 and words & _words(rules[1]):
            return 1, "acknowledged"  # about a member of staff: reviewed higher up at once
        if len(rules) > 3 and words & _words(rules[3]):
            return 3, "acknowledged"  # a risk to someone: passed up straight away
        if len(rules) > 2 and self.rng.random() < 0.3:
            return 2, "investigating"  # asks for more compensation than the front line can give
        return 0, None

    def _reason(self, level: int, rule: int) -> tuple[str, str]:
        rules = self.g.profile.complaints_procedure["escalate_when"]
        text = re.sub(r"\s*\(.*?\)", "", rules[rule]).strip()
        if rule == 0:
            text = text.replace("stage 1", f"stage {level + 1}")
            detail = self.rng.choice(UNHAPPY_DETAILS)
        elif rule == 1:
            detail = "they want the way they were treated looked into"
        elif rule == 2:
            found = re.search(r"£(\d+)", text)
            limit = int(found.group(1)) if found else 100
            detail = f"they are asking for £{limit + 10 * self.rng.randint(2, 30)}"
        else:
            detail = "passed on straight away, as the procedure requires"
        return f"{text[0].upper()}{text[1:]}: {detail}", detail

    def _severity(self) -> str:
        if self.plan.escalations and self.rules[0][0] in (1, 3):
            return "high"
        severity = self.rng.choices(("low", "medium", "high"), (0.3, 0.5, 0.2))[0]
        if self.plan.escalations and severity == "low":
            return "medium"
        return severity

    # ------------------------------------------------------------ helpers

    def _step(self, earliest: datetime, latest: datetime) -> datetime | None:
        return self.time.between(earliest, min(latest, self.deadline))

    def _after(self, moment: datetime, amount: float, unit: str = "working_days") -> datetime:
        return self.calendar.add(moment, amount, unit)

    def _due(self, start: datetime, rule: dict | None) -> datetime | None:
        return None if rule is None else self.calendar.add(start, rule["amount"], rule["unit"])

    def _say(self, **values) -> dict:
        row = self.g._add(self.draft, locked=True, complaint=self.complaint, **values)
        row["recorded_by"] = self.actor
        return row

    def _event(
        self,
        action: str,
        at: datetime,
        to_stage: str,
        note: str = "",
        to_level: str | None = None,
        breach: str = "",
        judgement: bool = False,
    ) -> None:
        first = action == "received"
        self.complaint.events.append(
            {
                "id": 0,
                "complaint_id": 0,
                "at": at,
                "action": action,
                "from_stage": None if first else self.row["stage"],
                "to_stage": to_stage,
                "from_level": None if first else self.row["level"],
                "to_level": to_level or self.row["level"],
                "note": note,
                "judgement": judgement,
                "breach": breach,
                "actor": self.actor,
            }
        )
        self.row["stage"] = to_stage
        self.row["level"] = to_level or self.row["level"]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k items without replacement, each more likely the heavier it is (Efraimidis-Spirakis)."""
    keyed = sorted(((rng.random() ** (1 / w), n) for n, w in enumerate(weights)), reverse=True)
    return [items[n] for _, n in keyed[: max(0, k)]]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4} - _RULE_STOP_WORDS


def _late(done: datetime, due: datetime | None, what: str) -> str:
    """The breach text the app records when a step is done after its due time."""
    if due is not None and done > due:
        return f"{what} after the procedure's deadline ({due:%a %d %b %H:%M})"
    return ""


def _within_text(rule: dict) -> str:
    unit = "day" if rule["unit"] == "working_days" else "hour"
    return f"{rule['amount']} working {unit}{'' if rule['amount'] == 1 else 's'}"


def _survey_designs(fb: dict) -> dict[str, dict]:
    """The feedback collections a sandbox can start with, in the profile's words: title,
    method, purpose, audience and questions as (kind, text, options)."""
    team, service = fb["team"], fb["service"]
    everyone = {"category": "external", "segment": ""}
    return {
        "customers": {
            "title": "Customer satisfaction survey",
            "method": "survey",
            "purpose": f"Find out how satisfied customers are with {service}, what matters most "
            "to them and what we should improve first.",
            "audience": everyone,
            "questions": (
                ("rating_5", f"Overall, how satisfied are you with {service}?", ()),
                ("rating_5", "How helpful were our staff the last time you contacted us?", ()),
                (
                    "yes_no",
                    "Was your question or problem sorted the first time you contacted us?",
                    (),
                ),
                ("single_choice", "How did you last contact us?", fb["contact_options"]),
                (
                    "multiple_choice",
                    "What matters most to you? (Choose up to three.)",
                    fb["factors"],
                ),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("free_text", "What one thing could we do better?", ()),
            ),
        },
        "key_accounts": {
            "title": "Key account review",
            "method": "survey",
            "purpose": "Ask our key accounts how well their account is looked after and which "
            "extra services would make working with us easier.",
            "audience": {"category": "external", "segment": "key_account"},
            "questions": (
                (
                    "rating_5",
                    "How satisfied are you with the way your account is looked after?",
                    (),
                ),
                ("recommend_0_10", "How likely are you to recommend us to others?", ()),
                (
                    "multiple_choice",
                    "Which of these would make working with us easier?",
                    fb["key_offers"],
                ),
                ("yes_no", "Do you know who to contact about your account?", ()),
                ("free_text", "Is there anything else you would like to tell us?", ()),
            ),
        },
        "internal": {
            "title": f"Internal customer survey: support from {team}",
            "method": "survey",
            "purpose": f"Ask the departments that rely on {team} how well we support them, to "
            "agree internal service standards with them.",
            "audience": {"category": "internal", "segment": ""},
            "questions": (
                (
                    "rating_5",
                    f"How satisfied is your department with the support it gets from {team}?",
                    (),
                ),
                ("single_choice", "How quickly do we usually reply to your requests?", REPLY_TIMES),
                ("yes_no", "Do we give you all the information you need the first time?", ()),
                (
                    "multiple_choice",
                    "Which of these would help your department most?",
                    (
                        "Fewer mistakes in the details we pass on",
                        "Faster replies",
                        f"A named contact in {team}",
                        "A monthly summary of customer feedback",
                        "Shared access to the notes in the CRM",
                    ),
                ),
                ("free_text", f"What one thing could {team} do better for your department?", ()),
            ),
        },
        "new_customers": {
            "title": "Welcome survey for new customers",
            "method": "survey",
            "purpose": "Find out how easy new customers found it to get started with us and how "
            "they heard about us.",
            "audience": {"category": "external", "segment": "new"},
            "questions": (
                ("rating_5", fb["welcome"], ()),
                (
                    "single_choice",
                    "How did you hear about us?",
                    (
                        "Recommended by someone",
                        "Search engine",
                        "Social media",
                        "Saw us locally",
                        "Advert or leaflet",
                        "Other",
                    ),
                ),
                ("yes_no", "Did we explain everything you needed to know?", ()),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("free_text", "What could we have done better when you first got in touch?", ()),
            ),
        },
        "at_risk": {
            "title": "We would like to hear from you",
            "method": "survey",
            "purpose": "Ask customers who have used us less in recent months why, and what "
            "would bring them back.",
            "audience": {"category": "external", "segment": "at_risk"},
            "questions": (
                (
                    "single_choice",
                    "What is the main reason you have used us less recently?",
                    fb["lapsed_reasons"],
                ),
                ("rating_5", "How satisfied were you with your last contact with us?", ()),
                (
                    "recommend_0_10",
                    "How likely are you to recommend us to a friend or colleague?",
                    (),
                ),
                ("yes_no", "Would you like us to contact you about the changes we have made?", ()),
                ("free_text", "What would make you come back to us?", ()),
            ),
        },
        "contact_experience": {
            "title": "Your recent contact with us",
            "method": "survey",
            "purpose": "Check how well we handled customers' recent enquiries, against the "
            "promises in our customer service charter.",
            "audience": everyone,
            "questions": (
                ("rating_5", "How satisfied were you with how we dealt with your enquiry?", ()),
                ("rating_5", "How easy was it to get in touch with us?", ()),
                ("yes_no", "Did we do what we said we would, when we said we would?", ()),
                ("single_choice", "How long did it take to get a full answer?", REPLY_TIMES),
                (
                    "free_text",
                    "Is there anything else you would like to tell us about your experience?",
                    (),
                ),
            ),
        },
        "comment_cards": {
            "title": fb["card"]["title"],
            "method": "comment_card",
            "purpose": fb["card"]["purpose"],
            "audience": everyone,
            "questions": (
                ("rating_5", fb["card"]["question"], ()),
                ("free_text", "Your comments", ()),
            ),
        },
        "suggestion_box": {
            "title": fb["suggestion"]["title"],
            "method": "suggestion_box",
            "purpose": fb["suggestion"]["purpose"],
            "audience": everyone,
            "questions": (("free_text", "Your suggestion: how could we improve?", ()),),
        },
    }


def _copy(value: dict | None) -> dict | None:
    return dict(value) if value is not None else None


def _numbered(rows: list[dict]) -> list[dict]:
    """Ids in the order the records were created (then by contact), as a live CRM would."""
    rows.sort(key=lambda r: (r["created_sbx"], r["contact_id"]))
    for number, row in enumerate(rows, start=1):
        row["id"] = number
    return rows


def _sort_name(row: dict) -> str:
    # Same rule as crm_sandbox.services.contacts.sort_name_for, so an edit does not move a row.
    person = f"{row['last_name']} {row['first_name']}".strip()
    if row["account_type"] in ("business", "supplier", "department") and row["organisation_name"]:
        return row["organisation_name"].lower()[:240]
    return (person or row["organisation_name"]).lower()[:240]


def _misspell(name: str, rng: random.Random) -> str:
    """The name with two neighbouring letters swapped (or one doubled), as a typo would."""
    if len(name) >= 4:
        i = rng.randrange(1, len(name) - 2)
        if name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    i = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return name[: i + 1] + name[i] + name[i + 1 :]
