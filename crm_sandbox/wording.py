"""Words around numbers and shortened text, the same on every page, flash and message:
"1 working day" / "2 working days", "an admin" / "a tutor", and text cut at a word with "…".
Plain functions (no Flask), so services and views use them as the templates do (as filters)."""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
_PLURALS = {
    "reply": "replies",
    "category": "categories",
    "company": "companies",
    "entry": "entries",
    "person": "people",
    "match": "matches",
    "business": "businesses",
    "analysis": "analyses",
    "criterion": "criteria",
    "day": "days",
    "working day": "working days",
}


def plural(noun: str, count: int | float) -> str:
    """The noun as it reads after the count: singular for 1, plural otherwise."""
    if count == 1:
        return noun
    if noun in _PLURALS:
        return _PLURALS[noun]
    head, _, last = noun.rpartition(" ")
    if last in _PLURALS:
        return f"{head} {_PLURALS[last]}"
    if last.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def count_of(count: int | float | None, noun: str) -> str:
    """ "1 contact", "12 contacts", "0 contacts"."""
    count = count or 0
    shown = f"{count:g}" if isinstance(count, float) else str(count)
    return f"{shown} {plural(noun, count)}"


def amount_of(amount: int | float | None, unit: str) -> str:
    """A time allowed, from a policy's amount and plural unit: (1, "working_days") is
    "1 working day", (2, "working_hours") "2 working hours"."""
    noun = unit.replace("_", " ").strip()
    noun = noun[:-1] if noun.endswith("s") else noun
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return count_of(amount, noun)


def pounds(amount: int | float | None) -> str:
    """A sum of money as the UK writes it: "£1,234.50", "£12.00"; "—" when there is none."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def article(word: str) -> str:
    """The word with "a" or "an" before it, by its sound ("an admin", "a user", "an hour")."""
    lower = word.lower()
    silent_h = lower.startswith(("hour", "honest", "honour", "heir"))
    sounds_like_you = lower.startswith(("uni", "use", "usu", "eu", "one")) and not lower.startswith(
        ("unin", "unim")
    )
    vowel = lower[:1] in "aeiou"
    return f"{'an' if (vowel and not sounds_like_you) or silent_h else 'a'} {word}"


def date_text(value) -> str:
    """A date in the one style every page uses: "Thu 16 Apr 2026" ("—" for none)."""
    if value is None:
        return "—"
    return f"{value:%a} {value.day} {value:%b %Y}"


def datetime_text(value) -> str:
    """A time in the one style every page uses: "Thu 16 Apr 2026, 10:00" ("—" for none)."""
    if value is None:
        return "—"
    return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"


ELLIPSIS = "…"


def shorten(text: str | None, length: int = 80) -> str:
    """The text cut at a word boundary to at most `length` characters, with "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    head, space, _ = cut.rpartition(" ")
    if space and len(head) >= length // 2:
        cut = head
    return cut.rstrip(" ,.;:-") + ELLIPSIS
