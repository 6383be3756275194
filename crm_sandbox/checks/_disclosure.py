"""What a message discloses about someone other than the person it is sent to: another
customer's or a colleague's personal details from the CRM (their email address or phone
number; their address or postcode with their name), special-category information on their
record (health, disability, religion ...) with their name, and another customer's complaint.
Numbers and addresses are normalised before comparing (a postcode typed without its space, a
phone number with +44 or spaces). Shared by the `no_disclosure` check and the writing report.

This reads free text, so it can only ever find a fault: a message that discloses nothing has
earned nothing by its words (the check passes on messages sent, judged and clean).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select

from ..models import Complaint, Contact, Need, Preference, db

# Words that mark special-category personal data (UK GDPR article 9: health, disability,
# religion or belief, ethnic origin, sex life or orientation, trade union membership,
# political opinions, genetics and biometrics) where they appear on a person's record.
SPECIAL_TERMS = (
    "health|illness|ill|unwell|disabled|disability|disabilities|wheelchair|blind|"
    "partially sighted|sight|deaf|hearing aid|hearing loss|mobility|diabetes|diabetic|cancer|"
    "chemotherapy|epilepsy|epileptic|dementia|alzheimer|stroke|heart condition|asthma|"
    "arthritis|autism|autistic|dyslexia|dyslexic|adhd|mental health|depression|anxiety|"
    "stress|bipolar|pregnant|pregnancy|maternity|miscarriage|hospital|surgery|operation|"
    "medication|medical|diagnosis|diagnosed|therapy|carer|hiv|religion|religious|church|"
    "mosque|synagogue|temple|muslim|christian|jewish|hindu|sikh|ethnic|ethnicity|race|"
    "sexuality|gay|lesbian|bisexual|transgender|trade union|union member|political|genetic|"
    "biometric"
)
_SPECIAL = re.compile(rf"\b({SPECIAL_TERMS})\b", re.IGNORECASE)
_TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{7,}\d")
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_COMPLAINT = re.compile(r"\bcomplain(t|ts|ed|ing|s)?\b", re.IGNORECASE)

KIND_WORDS = {
    "email": "their email address",
    "phone": "their phone number",
    "address": "their address",
    "postcode": "their postcode",
    "special": "health or other special-category information about them",
    "complaint": "their complaint",
}


def phone_key(value: str) -> str:
    """A phone number as digits, +44 and 0044 read as a leading 0 and a "(0)" dropped (so
    "07700 900123", "+44 (0)7700 900123" and "07700900123" are one number)."""
    digits = re.sub(r"\D", "", (value or "").replace("(0)", ""))
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def postcode_key(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def plain(text: str) -> str:
    """Lower case, accents and punctuation folded to spaces, single-spaced."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


@dataclass
class Person:
    id: int
    name: str
    first: str
    last: str
    internal: bool
    email: str
    phone: str
    postcode: str
    address: str  # the first line, plain
    special: set[str] = field(default_factory=set)  # special-category words on the record
    complained: bool = False


@dataclass
class Disclosure:
    """One person a message says something about that the recipient should not get."""

    person_id: int
    name: str
    kinds: list[str]

    @property
    def words(self) -> str:
        return " and ".join(KIND_WORDS[k] for k in self.kinds)


class People:
    """Every contact of a sandbox as the disclosure search needs them, read once (a few
    column queries, not ORM objects: a large sandbox has thousands)."""

    def __init__(self, sandbox_id: int, staff: set[str] = frozenset()):
        self.staff = set(staff)  # surnames of the organisation's own people (plain)
        self.people: dict[int, Person] = {}
        self.by_email: dict[str, set[int]] = {}
        self.by_phone: dict[str, set[int]] = {}
        self.by_surname: dict[str, set[int]] = {}
        rows = db.session.execute(
            select(
                Contact.id,
                Contact.first_name,
                Contact.last_name,
                Contact.organisation_name,
                Contact.category,
                Contact.email,
                Contact.phone,
                Contact.postcode,
                Contact.address,
                Contact.notes,
                Contact.merged_into_id,
            ).where(Contact.sandbox_id == sandbox_id)
        )
        self.merged: dict[int, int] = {}
        for row in rows:
            if row.merged_into_id is not None:
                self.merged[row.id] = row.merged_into_id
            first_line = re.split(r"[,\n]", row.address or "")[0]
            person = Person(
                row.id,
                f"{row.first_name} {row.last_name}".strip() or row.organisation_name,
                plain(row.first_name).strip(),
                plain(row.last_name).strip(),
                row.category == "internal",
                (row.email or "").strip().lower(),
                phone_key(row.phone),
                postcode_key(row.postcode),
                plain(first_line).strip() if len(first_line.strip()) >= 6 else "",
            )
            person.special.update(t.lower() for t in _SPECIAL.findall(row.notes or ""))
            self.people[row.id] = person
            if person.email:
                self.by_email.setdefault(person.email, set()).add(row.id)
            if len(person.phone) >= 9:
                self.by_phone.setdefault(person.phone, set()).add(row.id)
            if person.last:
                self.by_surname.setdefault(person.last, set()).add(row.id)
        for model, column in ((Need, Need.description), (Preference, Preference.description)):
            for contact_id, text in db.session.execute(
                select(model.contact_id, column).where(model.sandbox_id == sandbox_id)
            ):
                if contact_id in self.people:
                    self.people[contact_id].special.update(
                        t.lower() for t in _SPECIAL.findall(text or "")
                    )
        for contact_id, text in db.session.execute(
            select(Complaint.contact_id, Complaint.description).where(
                Complaint.sandbox_id == sandbox_id
            )
        ):
            if contact_id in self.people:
                self.people[contact_id].complained = True
                self.people[contact_id].special.update(
                    t.lower() for t in _SPECIAL.findall(text or "")
                )

    def _same_person(self, recipient_id: int) -> set[int]:
        """The recipient and the records merged into them (or they into), and records that
        share the recipient's own email or phone (their household, their duplicate)."""
        same = {recipient_id, self.merged.get(recipient_id, recipient_id)}
        same |= {i for i, into in self.merged.items() if into in same}
        me = self.people.get(recipient_id)
        if me is not None:
            same |= self.by_email.get(me.email, set()) if me.email else set()
            same |= self.by_phone.get(me.phone, set()) if me.phone else set()
        return same

    def _named(self, text_plain: str, person: Person, surely: bool = False) -> bool:
        """Whether the text names the person: by first name and surname, or by title and
        surname ("Mrs Patel"). With `surely`, a title and surname count only when no other
        contact and no head of a department shares the surname (so "Mr Grant will call you"
        about a colleague does not point at a customer called Grant)."""
        last = f" {person.last} "
        if not person.last or last not in text_plain:
            return False
        if person.first and f" {person.first} {person.last} " in text_plain:
            return True
        if surely and (len(self.by_surname.get(person.last, ())) > 1 or person.last in self.staff):
            return False
        return any(f" {title} {person.last} " in text_plain for title in _TITLES)

    def _by_number(self, text: str, add) -> None:
        """Email addresses and phone numbers of other customers (a colleague's work address
        and number are for work, and not counted)."""
        for email in _EMAIL.findall(text or ""):
            for pid in self.by_email.get(email.lower(), ()):
                if not self.people[pid].internal:
                    add(pid, "email")
        for number in _PHONE.findall(text or ""):
            for pid in self.by_phone.get(phone_key(number), ()):
                if not self.people[pid].internal:
                    add(pid, "phone")

    def _by_name(self, text: str, text_plain: str, same: set[int], add) -> None:
        """With a person named: their postcode, address, special-category information, or
        (another customer's) complaint."""
        postcodes = {postcode_key(a + b) for a, b in _POSTCODE.findall(text or "")}
        for surname in set(text_plain.split()) & set(self.by_surname):
            for pid in self.by_surname[surname]:
                person = self.people[pid]
                if pid in same or not self._named(text_plain, person):
                    continue
                if person.postcode and person.postcode in postcodes:
                    add(pid, "postcode")
                if person.address and f" {person.address} " in text_plain:
                    add(pid, "address")
                if _mentions_special(text_plain, person):
                    add(pid, "special")
                for sentence in _SENTENCE.split(text or ""):
                    said = plain(sentence)
                    if not self._named(said, person):
                        continue
                    sure = self._named(said, person, surely=True)
                    # health or other special-category words said of them, recorded or not
                    # (of a shared surname, only of someone whose record holds such data)
                    if _SPECIAL.search(sentence) and (sure or person.special):
                        add(pid, "special")
                    # that another customer complained is theirs to tell ("your complaint"
                    # is the recipient's own)
                    if person.complained and not person.internal and _theirs(sentence):
                        add(pid, "complaint")

    def disclosures(self, text: str, recipient_id: int) -> list[Disclosure]:
        """Who else `text` (a message to `recipient_id`) discloses personal details of."""
        same = self._same_person(recipient_id)
        found: dict[int, list[str]] = {}

        def add(person_id: int, kind: str) -> None:
            if person_id not in same and kind not in found.setdefault(person_id, []):
                found[person_id].append(kind)

        text_plain = plain(text)
        self._by_number(text, add)
        self._by_name(text, text_plain, same, add)
        # a person found by their number: their special-category information is theirs too
        for pid, kinds in found.items():
            if "special" not in kinds and _mentions_special(text_plain, self.people[pid]):
                kinds.append("special")
        return [
            Disclosure(pid, self.people[pid].name, kinds) for pid, kinds in found.items() if kinds
        ]


def _theirs(sentence: str) -> bool:
    """A complaint mentioned in the sentence that is not the recipient's ("your complaint",
    "you complained")."""
    for match in _COMPLAINT.finditer(sentence):
        before = sentence[: match.start()].split()
        if not before or before[-1].lower().strip("(\"'") not in ("your", "you"):
            return True
    return False


def _mentions_special(text_plain: str, person: Person) -> bool:
    return any(f" {plain(term).strip()} " in text_plain for term in person.special)


def people_of(state) -> People:
    """The sandbox's people, read once per evaluation (kept on the state)."""
    people = getattr(state, "_people", None)
    if people is None:
        organisation = state.sandbox.organisation
        staff = {
            plain(str(d.get("head", ""))).split()[-1]
            for d in (organisation.departments if organisation is not None else None) or []
            if isinstance(d, dict) and plain(str(d.get("head", ""))).split()
        }
        people = People(state.sandbox.id, staff)
        state._people = people
    return people
