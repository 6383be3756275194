"""Does a record say what the customer said? The one place that decides it, for the simulated
customer (who confirms or corrects a summary of their needs, `answers.py`) and for the checks
(`checks/_needs.py`), so the customer and Check my work never disagree.

A value is read as structure, never as substrings:

- **Quantities** are tokens with their kind: money (£700, 700 pounds), lengths in cm (70 cm,
  70cm, 0.7 m, 700 mm), percentages, durations (1 working hour, a 2-hour slot, two days),
  dates (20 February, 20th Feb, 20/02, Friday 20 February 2026, 2026-02-20: all the same day),
  months (in February), times of day (12 noon, 12pm, 12:00, midday; 9am, 09:00) and plain
  numbers. £700 is not 70 cm, 70 cm is not 700 mm's neighbour 700, "2026" is a year and not
  the 20th. "Morning" also reads as "before 12:00".
- **Words** are compared after dropping small words, weekday names (the date carries the
  day) and hedges ("ideally", "if possible"), through a small vocabulary of synonyms (text /
  SMS, phone / call / ring, mum / mother, settee / sofa, mend / repair / fix ...) and a light
  stemmer (delivered / delivery / deliveries, fits / fitting, uses / used / user).
- **Polarity**: words after "not", "no", "never", "rather than", "instead of", "without",
  "prefer X to Y" are what the customer does *not* want, so "texts, not calls" and "prefers
  SMS to phone calls" agree and "calls, not texts" does not.

`same_value(recorded, persona_value)`: every quantity in the customer's value is in the
record (the same kind and amount; a plain number in one matches a money, length, percentage or
duration of the same amount in the other), no word the customer wants is one the record
refuses (or the other way round), and at least half of the customer's words are in the record.
With `typed_alike` (the record's type is the customer's need type) and quantities to compare,
the quantities decide: "Needed by 20 Feb" under timing says "delivered by Friday 20 February".

`states(persona, description)`: which of the persona's needs and preferences a record says
(by value, whatever its type). A record that says more than one of them is *several things at
once* and stands for none (keyword stuffing: one need with every word the customer said).

`need_stated(persona, need_type, description)`: the index of the persona need that a need
record states, judged by type AND value, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
WEEKDAYS = frozenset(
    re.findall(
        r"\w+",
        "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed weds thu "
        "thur thurs fri sat sun",
    )
)
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
}
# Words that carry no requirement: grammar, hedges, the words of wanting and needing.
SMALL_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the and or of to for in on at by be is are was were am i me my we our us you your "
        "it its with than that this these those please would like likes liked need needs "
        "needed want wants wanted some any so as if into from up can could will shall should "
        "must has have had do does did he she her hers him his they them their there here "
        "about before after until till within by when who which what where also just only "
        "very really rather ideally ideal idealy possible preferably prefer prefers preferred "
        "preference lovely nice fine ok okay great happy customer customers well all each "
        "every get got being been then per",
    )
)
# A small vocabulary: each word (or phrase) on the left reads as the word on the right.
PHRASES = {
    "text message": "text",
    "text messages": "text",
    "phone call": "call",
    "phone calls": "call",
    "e mail": "email",
    "e-mail": "email",
    "back up": "backup",
    "back-up": "backup",
    "arm rests": "arm",
    "arm rest": "arm",
    "door way": "door",
    "no later than": "by",
    "not later than": "by",
    "no more than": "max",
    "not more than": "max",
    "no less than": "least",
    "not less than": "least",
    "at the latest": "",
    "at latest": "",
    "same day": "sameday",
    "same working day": "sameday",
    "hard of hearing": "deaf",
    "dd": "direct debit",
    "more than": "over",
    "fewer than": "under",
    "less than": "under",
    "later than": "after",
    "earlier than": "before",
    "other than": "except",
}
SYNONYMS = {
    "sms": "text",
    "txt": "text",
    "texts": "text",
    "texting": "text",
    "texted": "text",
    "phone": "call",
    "phones": "call",
    "telephone": "call",
    "ring": "call",
    "rings": "call",
    "rang": "call",
    "calls": "call",
    "mother": "mum",
    "mom": "mum",
    "mam": "mum",
    "mummy": "mum",
    "settee": "sofa",
    "couch": "sofa",
    "doorway": "door",
    "doorways": "door",
    "doorframe": "door",
    "armrest": "arm",
    "armrests": "arm",
    "gray": "grey",
    "color": "colour",
    "mend": "fix",
    "mended": "fix",
    "mending": "fix",
    "repair": "fix",
    "repaired": "fix",
    "repairs": "fix",
    "fixed": "fix",
    "delivery": "deliver",
    "deliveries": "deliver",
    "delivered": "deliver",
    "kids": "child",
    "kid": "child",
    "children": "child",
    "baby": "child",
    "babies": "child",
    "medical": "health",
    "vulnerability": "vulnerable",
    "vulnerabilities": "vulnerable",
    "written": "write",
    "writing": "write",
    "technician": "engineer",
    "technicians": "engineer",
    "reply": "respond",
    "replies": "respond",
    "response": "respond",
    "answer": "respond",
    "bill": "invoice",
    "bills": "invoice",
    "billing": "invoice",
    "disabled": "accessible",
    "timeslot": "slot",
    "recover": "restore",
    "recovered": "restore",
    "deaf": "deaf",
    "place": "location",
    "mornings": "morning",
    "sent": "send",
    "sending": "send",
    "membership": "member",
    "lifeguards": "lifeguard",
}
# Words after which the rest of the clause is what the customer does NOT want.
NEGATIONS = frozenset({"not", "no", "never", "without", "than", "instead", "except", "avoid"})
STEM_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "er", "ed", "es", "s", "y")
UNDOUBLE = re.compile(r"([bdgmnprt])\1$")


def _stem(word: str) -> str:
    word = SYNONYMS.get(word, word)
    for _ in range(2):  # "mondays" -> "monday" -> "monda", as "monday" -> "monda"
        word = _strip(word)
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return SYNONYMS.get(word, word)


def _strip(word: str) -> str:
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "es" and not re.search(r"(ss|sh|ch|x|z)es$", word):
                suffix = "s"
            word = word[: -len(suffix)]
            if suffix in ("ing", "ings", "ed", "er", "ers"):
                word = UNDOUBLE.sub(r"\1", word)
            break
    return word


@dataclass(frozen=True)
class Reading:
    """A value read as structure: quantity tokens and words, each wanted (+) or refused (-).
    The core is what the value requires; `loose_*` is the rest (a reason after "so",
    "because", "as I ...", a concession after "but", an example in quotes or after "e.g.",
    and what a word implies, such as "morning": before 12:00), which a record may say but
    need not."""

    tokens: frozenset
    refused_tokens: frozenset
    words: frozenset
    refused_words: frozenset
    loose_tokens: frozenset = frozenset()
    loose_words: frozenset = frozenset()
    loose_refused_words: frozenset = frozenset()

    @property
    def all_tokens(self) -> frozenset:
        return self.tokens | self.loose_tokens

    @property
    def all_words(self) -> frozenset:
        return self.words | self.loose_words

    @property
    def all_refused_words(self) -> frozenset:
        return self.refused_words | self.loose_refused_words


def _number(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def _date(month, day, year=None) -> list:
    out = []
    m, d = int(month), int(day)
    if 1 <= m <= 12 and 1 <= d <= 31:
        out.append(("date", f"{m:02d}-{d:02d}"))
    if year:
        y = int(year)
        out.append(("year", y + 2000 if y < 100 else y))
    return out


def _clock(hour, minute="0", half=None) -> list:
    h, mi = int(hour), int(minute or 0)
    if half == "pm" and h < 12:
        h += 12
    if half == "am" and h == 12:
        h = 0
    return [("time", f"{h:02d}:{mi:02d}")] if 0 <= h <= 23 and 0 <= mi <= 59 else []


_CM = {"mm": Decimal("0.1"), "cm": Decimal(1), "m": Decimal(100), "in": Decimal("2.54")}


def _length(m) -> list:
    unit = m[2]
    if unit.startswith("mil") or unit == "mm":
        key = "mm"
    elif unit.startswith("cent") or unit == "cm":
        key = "cm"
    elif unit.startswith("inch"):
        key = "in"
    else:
        key = "m"
    value = _number(m[1])
    return [("cm", (value * _CM[key]).normalize())] if value is not None else []


_UNITS = {"hour": "hours", "hr": "hours", "h": "hours", "day": "days", "week": "weeks"}
_UNITS.update({"minute": "minutes", "min": "minutes", "month": "months"})


def _duration(m) -> list:
    value = _number(m[1])
    return [(_UNITS[re.sub(r"s$", "", m[2])], value)] if value is not None else []


def _year(m) -> list:
    return [("year", int(m[1]))] if 1900 <= int(m[1]) <= 2100 else []


# (pattern, tokens of a match), in order: each match is blanked out before the next pattern.
_PATTERNS = [
    (r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", lambda m: _date(m[2], m[3], m[1])),
    (r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", lambda m: _date(m[2], m[1], m[3])),
    (
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}\b(?:\s+(\d{{4}}))?",
        lambda m: _date(MONTHS[m[2]], m[1], m[3]),
    ),
    (
        rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?",
        lambda m: _date(MONTHS[m[1]], m[2], m[3]),
    ),
    (  # a month alone ("may" only beside a day: it is also a verb)
        r"\b(jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june|july|aug(?:ust)?|sept?(?:ember)?"
        r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b(?:\s+(\d{4}))?",
        lambda m: [("month", MONTHS[m[1]]), *([("year", int(m[2]))] if m[2] else [])],
    ),
    (r"\b12\s*(?:noon|midday)\b|\bnoon\b|\bmidday\b", lambda m: _clock(12)),
    (r"\bmidnight\b", lambda m: _clock(0)),
    (r"\b(\d{1,2})[:.](\d{2})\s*(am|pm)?\b", lambda m: _clock(m[1], m[2], m[3])),
    (r"\b(\d{1,2})\s*(am|pm)\b", lambda m: _clock(m[1], "0", m[2])),
    (
        r"£\s*(\d[\d,]*(?:\.\d+)?)|\b(\d[\d,]*(?:\.\d+)?)\s*(?:pounds?|gbp|quid)\b",
        lambda m: [("money", _number(m[1] or m[2]))],
    ),
    (
        r"\b(\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)",
        lambda m: [("percent", _number(m[1]))],
    ),
    (
        r"\b(\d+(?:\.\d+)?)\s*-?\s*(mm|cm|millimet(?:re|er)s?|centimet(?:re|er)s?|m"
        r"|met(?:re|er)s?|inch(?:es)?)\b",
        _length,
    ),
    (
        r"\b(\d+(?:\.\d+)?)\s*-?\s*(?:working\s+|business\s+|calendar\s+|clear\s+)?"
        r"(hours?|hrs?|h|days?|weeks?|minutes?|mins?|months?)\b",
        _duration,
    ),
    (r"\b(\d{4})\b", _year),
    (r"(\d[\d,]*(?:\.\d+)?)", lambda m: [("n", _number(m[1]))]),
]


def _tokens(clause: str) -> tuple[set, str]:
    """The quantity tokens in a clause, and the clause with them blanked out."""
    found: set = set()

    def blank(make):
        def repl(match):
            found.update(t for t in make(match) if t[1] is not None)
            return " "

        return repl

    for pattern, make in _PATTERNS:
        clause = re.sub(pattern, blank(make), clause)
    return found, clause


_EXAMPLE = r"(?:\blike|\be\.?g\.?|\bfor example|\bsuch as)"
_LOOSE_FROM = re.compile(
    r"(?:^|(?<=[\s,;]))(?:so that|so|because|since|but"
    r"|as(?=\s+(?:i|my|mum|she|he|they|we|the|her|his|our|their|it)\b))\b"
)


def _split_loose(text: str) -> tuple[str, str]:
    """(the core of a value, the rest: examples, and everything from a reason or a
    concession on)."""
    loose: list[str] = []

    def take(match):
        loose.append(match[0])
        return " "

    text = re.sub(_EXAMPLE + r"\s*'.*?'(?=[\s,.;:)]|$)", take, text)
    text = re.sub(_EXAMPLE + r'\s*".*?"', take, text)
    text = re.sub(r"\((?:e\.?g\.?|like|for example|such as)[^)]*\)", take, text)
    found = _LOOSE_FROM.search(text)
    if found is not None and found.start() > 0:
        loose.append(text[found.start() :])
        text = text[: found.start()]
    return text, " ".join(loose)


@lru_cache(maxsize=8192)
def read(text: str) -> Reading:
    """A value (the customer's or the learner's) read as tokens and words with polarity: its
    core, and the rest as `loose_*`."""
    text = (text or "").lower().replace("’", "'").replace("–", "-").replace("—", "-")
    text = text.replace("n't", " not").replace("cannot", "can not")
    for phrase, word in PHRASES.items():
        text = re.sub(rf"\b{re.escape(phrase)}\b", f" {word} ", text)
    text = re.sub(r"\b(?:an?|one)\s+(hour|day|week|minute)\b", r"1 \1", text)
    text = re.sub(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", lambda m: NUMBER_WORDS[m[1]], text)
    core, rest = _split_loose(text)
    c, r = _read_part(core), _read_part(rest)
    return Reading(
        c[0],
        c[1],
        c[2],
        c[3],
        loose_tokens=c[4] | r[0] | r[4],
        loose_words=r[2],
        loose_refused_words=r[3],
    )


def _read_part(text: str) -> tuple[frozenset, frozenset, frozenset, frozenset, frozenset]:
    """(tokens, refused tokens, words, refused words, implied tokens) of a text."""
    tokens: set = set()
    refused_tokens: set = set()
    words: set = set()
    refused_words: set = set()
    implied: set = set()
    for clause in re.split(r"[;!?()\[\]\n]|:(?!\d)|,(?!\d{3})|\.(?!\d)|\bbut\b", text):
        found, rest = _tokens(clause)
        dated = any(kind == "date" for kind, _ in found)  # the date carries the weekday
        raw = re.findall(r"[a-z][a-z']*", re.sub(r"'(?:s|d|ll|m|ve|re)\b", " ", rest))
        negative = False
        seen_prefer = False  # "prefer X to Y": Y is refused (not "prefer to have X")
        said_since_prefer = False
        positive_tokens = found
        marker_at = None
        for index, word in enumerate(raw):
            word = word.strip("'")
            if word in ("prefer", "prefers", "preferred", "rather"):
                seen_prefer, said_since_prefer = True, False
            if word in NEGATIONS or (word == "to" and seen_prefer and said_since_prefer):
                negative = True
                marker_at = index
                continue
            if word in ("morning", "mornings") and not negative:  # a morning: before 12:00
                implied.add(("time", "12:00"))
            if word in SMALL_WORDS or len(word) < 2 or (word in WEEKDAYS and dated):
                continue
            stem = _stem(word)
            if len(stem) < 2:
                continue
            said_since_prefer = True
            (refused_words if negative else words).add(stem)
        if marker_at is not None:
            # a quantity after the marker is refused: split the clause where the marker is
            head_tokens, _ = _tokens(_before_marker(clause))
            positive_tokens = head_tokens
            refused_tokens |= found - head_tokens
        tokens |= positive_tokens
    return (
        frozenset(tokens),
        frozenset(refused_tokens),
        frozenset(words),
        frozenset(refused_words),
        frozenset(implied),
    )


def _before_marker(clause: str) -> str:
    match = re.search(r"\b(?:not|no|never|without|than|instead|except|avoid)\b", clause)
    if match is None:
        match = re.search(r"\bprefer\w*\b.*?\bto\b", clause)
        return clause[: match.end() - 2] if match else clause
    return clause[: match.start()]


_LOOSE = {"money", "cm", "percent", "hours", "days", "weeks", "minutes", "months"}


def _token_found(token, among) -> bool:
    kind, value = token
    if token in among:
        return True
    if kind == "month":  # "in February" is said by any date in February
        return any(k == "date" and int(v[:2]) == value for k, v in among)
    if kind == "n":
        return any(k in _LOOSE and v == value for k, v in among)
    if kind in _LOOSE:
        return ("n", value) in among
    return False


def _words_agree(customer: Reading, record: Reading) -> tuple[int, bool]:
    """(how many of the customer's core words the record says the same way, whether the
    record says the opposite of any)."""
    wanted_only = customer.words - customer.refused_words
    refused_only = customer.refused_words - customer.words
    said, refused = record.all_words, record.all_refused_words
    clash = bool(wanted_only & (refused - said)) or bool(refused_only & (said - refused))
    overlap = len(customer.words & said) + len(customer.refused_words & refused)
    return overlap, clash


def same_value(recorded: str, persona_value: str, typed_alike: bool = False) -> bool:
    """Whether a value the learner recorded says what the customer said (see the module
    docstring for the rule)."""
    customer, record = read(persona_value), read(recorded)
    if not all(_token_found(t, record.all_tokens) for t in customer.tokens):
        return False
    if any(_token_found(t, record.all_tokens) for t in customer.refused_tokens):
        return False
    overlap, clash = _words_agree(customer, record)
    if clash:
        return False  # says the opposite of what the customer said
    # the customer's wanted words decide (or the refused ones, when that is all they said)
    wanted = len(customer.words) or len(customer.refused_words)
    if customer.tokens and (typed_alike or not wanted):
        return True
    if wanted and customer.words & record.all_words and overlap * 2 >= wanted:
        return True
    # "I use a wheelchair, so the hoist must be ready": the requirement may be in the rest
    loose = len(customer.loose_words & record.all_words)
    return loose >= 2 and loose * 2 >= len(customer.loose_words)


def overlap(recorded: str, persona_value: str) -> int:
    """How many of the customer's words the record shares (to pick the need a wrong value was
    meant to be)."""
    return _words_agree(read(persona_value), read(recorded))[0]


def states(persona, description: str) -> list[tuple[str, int]]:
    """Every persona need ("need", index) and preference ("preference", index) whose value the
    record says, whatever type it was filed under."""
    out = [
        ("need", i) for i, item in enumerate(persona.needs) if same_value(description, item.value)
    ]
    out += [
        ("preference", i)
        for i, item in enumerate(persona.preferences)
        if same_value(description, item.value)
    ]
    return out


def several(persona, description: str) -> bool:
    """Whether a record says more than one of the customer's needs and preferences at once."""
    return len(states(persona, description)) > 1


def need_stated(persona, need_type: str | None, description: str, skip=frozenset()) -> int | None:
    """The index of the persona need a need record states: the same type (an untyped older
    record: any) and the same value; None when it states none, or several things at once.
    `skip`: indexes already claimed by another record of the same summary."""
    if several(persona, description):
        return None
    for index, item in enumerate(persona.needs):
        if index in skip or (need_type and need_type != item.type):
            continue
        if same_value(description, item.value, typed_alike=need_type == item.type):
            return index
    return None


def preference_stated(persona, description: str) -> int | None:
    """The index of the persona preference a record states (by value), or None (also when it
    says several things at once)."""
    found = states(persona, description)
    if len(found) != 1 or found[0][0] != "preference":
        return None
    return found[0][1]
