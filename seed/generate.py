"""Deterministic seed data: the rows of one sandbox CRM for (profile, seed, size, clock_start).

`generate` returns plain dicts with local ids (1, 2, 3 ... per table); the caller adds
`sandbox_id` and `created_at` and shifts the ids. All history is in sandbox business time,
before `clock_start`, on the organisation's working days and hours (UK bank holidays skipped,
using the same calendar as the app's business clock).
"""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from faker import Faker

from crm_sandbox.services.clock import WorkingCalendar

from .profiles import SUPPLIER_OUTCOMES, Profile, get_profile

SIZES = {
    "small": {"contacts": 50, "interactions": 250},
    "standard": {"contacts": 200, "interactions": 1000},
    "large": {"contacts": 2000, "interactions": 20000},
}
TABLES = ("organisations", "contacts", "contact_needs", "contact_preferences", "interactions")

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

EVENT_WEIGHTS = {  # (inbound query, proactive contact, complaint)
    "new": (0.62, 0.34, 0.04),
    "regular": (0.72, 0.22, 0.06),
    "key_account": (0.62, 0.33, 0.05),
    "at_risk": (0.55, 0.3, 0.15),
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


def generate(
    profile_key: str, seed: int, size: str, clock_start: datetime
) -> dict[str, list[dict]]:
    """Rows for one sandbox, keyed by table name (parents first), with local ids from 1.

    The same arguments always give the same rows; `clock_start` is naive sandbox time and every
    generated moment is before it, except follow-up dates, some of which fall just after it.
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

    def due(self, moment: datetime, within: dict) -> datetime:
        return self.calendar.add(moment, within["amount"], within["unit"])


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
        interactions = self._finish_interactions()
        return {
            "organisations": [self._organisation()],
            "contacts": contacts,
            "contact_needs": needs,
            "contact_preferences": preferences,
            "interactions": interactions,
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
        weights = [INTERACTION_WEIGHT[d.weight_key] for d in self.drafts]
        budgets = [1] * len(self.drafts)
        extra = max(0, target - len(self.drafts))
        for index in self.rng.choices(range(len(self.drafts)), weights, k=extra):
            budgets[index] += 1
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

    def _add(self, draft: _Draft, locked: bool = False, **values) -> dict:
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
        }
        self.events.append(_Event(draft, row, len(self.events), locked))
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
        events = ("inbound", "proactive", "complaint")
        kind = self.rng.choices(events, EVENT_WEIGHTS[segment])[0]
        if kind == "complaint" and budget >= 3:
            return self._complaint(draft)
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

    def _complaint(self, draft: _Draft) -> int:
        """A complaint, its acknowledgement and the stage 1 response, timed against the
        procedure (mostly on time, some late, some still open at the clock start)."""
        stage1, stage2 = self.procedure[0], self.procedure[1]
        moment = self.time.pick(draft.lo, draft.hi)
        values = self._values(draft, moment)
        category, complaint, response = self.rng.choice(
            self.profile.interaction_topics["complaint"]
        )
        channel = self._channel(draft, written_ok=True)
        written = "email" if draft.row["email"] else "letter"
        ack_due = self.time.due(moment, stage1["acknowledge_within"])
        resolve_due = self.time.due(moment, stage1["resolve_within"])
        made = 1
        logged = self._add(
            draft,
            channel=channel,
            direction="inbound",
            summary=complaint.format_map(values),
            occurred_at=moment,
            outcome=f"Logged as a stage 1 complaint: {category}",
            locked=True,
        )
        if self.rng.random() < 0.88:
            ack_at = self.time.between(moment + timedelta(minutes=10), ack_due)
        else:
            ack_at = self.time.between(
                ack_due, self.time.due(ack_due, {"amount": 2, "unit": "working_days"})
            )
        if ack_at is None:
            logged["follow_up_on"] = ack_due.date()
            return made
        ack = self._add(
            draft,
            channel=written,
            direction="outbound",
            summary=f"Acknowledged the complaint ({category.lower()}) and explained the "
            f"stage 1 timescale",
            occurred_at=ack_at,
            outcome=f"Stage 1 response due by {_day_text(resolve_due.date())}",
            follow_up_on=resolve_due.date(),
            locked=True,
        )
        made += 1
        late = self.rng.random() >= 0.8
        earliest = resolve_due if late else ack_at + timedelta(minutes=30)
        latest = (
            self.time.due(resolve_due, {"amount": 3, "unit": "working_days"})
            if late
            else resolve_due
        )
        response_at = self.time.between(max(earliest, ack_at + timedelta(minutes=30)), latest)
        if response_at is None:
            return made
        ack["follow_up_done_sbx"] = response_at
        escalated = self.rng.random() < 0.22
        reply = self._add(
            draft,
            channel=self.rng.choice((written, written, "phone" if draft.row["phone"] else written)),
            direction="outbound",
            summary=f"Stage 1 response: {response.format_map(values)}",
            occurred_at=response_at,
            outcome=(
                f"Customer not satisfied: escalated to {stage2['name']} ({stage2['owner']})"
                if escalated
                else "Resolved at stage 1: customer accepted the response"
            ),
            locked=True,
        )
        if escalated:
            stage2_due = self.time.due(response_at, stage2["resolve_within"])
            reply["follow_up_on"] = stage2_due.date()
            if stage2_due < self.start and self.rng.random() < 0.8:
                reply["follow_up_done_sbx"] = self.time.between(response_at, stage2_due)
        return made + 1

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
            rows.append(event.row)
        return rows


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
