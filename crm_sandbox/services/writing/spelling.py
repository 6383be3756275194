"""Spelling against a British English dictionary (Hunspell's en_GB, read by spylls, a
pure-Python port of Hunspell: no system library, so it works wherever Python does).

A competent message has no false spelling errors: words with digits (times, £ amounts, order
references, postcodes), email addresses and web addresses are not words to spell, acronyms in
capitals are left alone, and the business's own words (customer names, the organisation's
name, product names in its orders) are allowed per sandbox (`allowed_words`). British
spellings ("organise", "colour", "apologise") are in the dictionary; American ones ("color",
"canceled") are not. The Oxford "-ize" forms ("organize") are British English too and the
dictionary accepts them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ...resources import PACKAGE_DIR

DICTIONARY = PACKAGE_DIR / "data" / "spelling" / "en_GB"
UNAVAILABLE = "spelling not checked: no British English dictionary on this server"

# A word: letters, with apostrophes or hyphens inside it. Anything touching a digit, an @ or
# a slash is a reference, an amount, a time, an address or a link, and is skipped whole.
_TOKEN = re.compile(r"[^\s]+")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['-][A-Za-zÀ-ÖØ-öø-ÿ]+)*'?")
_NOT_PROSE = re.compile(r"[0-9@/\\_=<>#|~^*+]|^www\.|\.(com|org|net|uk|co)\b", re.IGNORECASE)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})


@dataclass
class Spelling:
    """What the dictionary found in one text."""

    checked: bool  # False: no dictionary here (nothing was judged)
    words: int = 0  # words looked up
    errors: list[str] = field(default_factory=list)  # as written, in order, each once

    @property
    def note(self) -> str:
        if not self.checked:
            return UNAVAILABLE
        if not self.errors:
            return f"no spelling errors in {self.words} words (British English dictionary)"
        return f"{len(self.errors)} word(s) not in the British English dictionary"


@lru_cache(maxsize=1)
def _dictionary():
    """The en_GB dictionary, loaded once per process (a file shipped in the package: it cannot
    go stale). None when it cannot be loaded: spelling is then reported as not checked."""
    try:
        from spylls.hunspell import Dictionary

        return Dictionary.from_files(str(DICTIONARY))
    except Exception:  # noqa: BLE001 - any failure means the same: no dictionary here
        return None


def available() -> bool:
    """Whether spelling can be checked on this server."""
    return _dictionary() is not None


def words_of(text: str) -> list[str]:
    """The words of a text to spell, in order (digits, addresses, links and capitals left
    out)."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    out = []
    for token in _TOKEN.findall(text):
        if _NOT_PROSE.search(token):
            continue
        for word in _WORD.findall(token):
            if len(word) < 2 or (word.isupper() and len(word) <= 6):
                continue  # single letters; acronyms (CRM, GDPR, ASAP)
            out.append(word)
    return out


def allowed_form(word: str) -> str:
    """How a word is kept in an allow list: lower case, curly quotes straightened."""
    return unicodedata.normalize("NFC", word).translate(_QUOTES).lower().strip("'")


def names_in(*texts: str) -> set[str]:
    """The words of names and titles (a customer's name, a product) for an allow list."""
    found = set()
    for text in texts:
        for word in _WORD.findall(unicodedata.normalize("NFC", text or "").translate(_QUOTES)):
            found.add(allowed_form(word))
            found.update(allowed_form(part) for part in re.split(r"['-]", word) if part)
    return found


def _known(dictionary, word: str, allowed: set[str]) -> bool:
    if allowed_form(word) in allowed:
        return True
    bare = word[:-1] if word.endswith("'") else word  # a plural possessive: customers'
    if bare.lower().endswith("'s") and allowed_form(bare[:-2]) in allowed:
        return True
    if dictionary.lookup(bare):
        return True
    if "-" in bare:  # a compound the dictionary does not list: each part a word
        return all(_known(dictionary, part, allowed) for part in bare.split("-") if part)
    return False


def check(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> Spelling:
    """The words of `text` not in the British English dictionary nor in `allowed` (lower-case
    words: the sandbox's own names)."""
    dictionary = _dictionary()
    if dictionary is None:
        return Spelling(False)
    words = words_of(text)
    errors: list[str] = []
    for word in words:
        if word not in errors and not _known(dictionary, word, set(allowed)):
            errors.append(word)
    return Spelling(True, len(words), errors)
