"""Contact details: addresses, drama-range phone numbers, unique email addresses, and
the nicknames and typos that make duplicate records look real.
"""

from __future__ import annotations

import random
import re

from .common import _ascii, _slug

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


def _domain_for(organisation: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii(organisation).lower())]
    label = "".join(w for w in words if w not in _DOMAIN_STOP_WORDS)[:40] or "business"
    return f"{label}.co.uk"


def _misspell(name: str, rng: random.Random) -> str:
    """The name with two neighbouring letters swapped (or one doubled), as a typo would."""
    if len(name) >= 4:
        i = rng.randrange(1, len(name) - 2)
        if name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    i = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return name[: i + 1] + name[i] + name[i + 1 :]


class _ContactDetails:
    """Contact details for new contacts (part of the generator)."""

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
