"""Contacts: departments, colleagues, suppliers, other callers, external customers and
their duplicates; then their final rows, needs and preferences.
"""

from __future__ import annotations

import re

from .common import _ascii, _day_text, _Draft, _numbered, _slug
from .contact_details import NICKNAMES, _domain_for, _misspell

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


def _sort_name(row: dict) -> str:
    # Same rule as crm_sandbox.services.contacts.sort_name_for, so an edit does not move a row.
    person = f"{row['last_name']} {row['first_name']}".strip()
    if row["account_type"] in ("business", "supplier", "department") and row["organisation_name"]:
        return row["organisation_name"].lower()[:240]
    return (person or row["organisation_name"]).lower()[:240]


class _Contacts:
    """Making the contacts (part of the generator)."""

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
                            "pref_type": None,  # the seeded history predates typed records
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
            "need_type": None,  # the seeded history predates typed needs and confirming replies
            "confirmed": confirmed,
            "confirmed_by_id": None,
            "confirmation_method": method,
            "confirmed_sbx": confirmed_at,
            "created_sbx": created,
        }
