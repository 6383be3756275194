"""Spelling against a British English dictionary (Hunspell's en_GB, read by spylls, a
pure-Python port of Hunspell: no system library, so it works wherever Python does).

A competent message has no false spelling errors: words with digits (times, £ amounts, order
references, postcodes), email addresses and web addresses are not words to spell, acronyms in
capitals are left alone, and the business's own words (customer names, the organisation's
name, product names in its orders) are allowed per sandbox (`allowed_words`). British
spellings ("organise", "colour", "apologise") are in the dictionary; American ones ("color",
"canceled") are not. The dictionary also accepts the Oxford "-ize" forms ("organize"); as
British organisations and the qualifications write "-ise", an "-ize" word whose "-ise" form is
a word is counted as the American spelling.
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
        from spylls.hunspell import Dictionary, readers
        from spylls.hunspell.readers.file_reader import FileReader
    except ImportError:
        return None

    class Reader(FileReader):
        """spylls' file reader, closing every file it opened (it reopens the .aff file when
        it meets the encoding, and leaves the files to the garbage collector)."""

        def _open(self, path, encoding):
            opened = super()._open(path, encoding)
            self.__dict__.setdefault("opened", []).append(opened)
            return opened

        def close(self) -> None:
            for opened in self.__dict__.get("opened", []):
                opened.close()

    try:
        aff_reader = Reader(f"{DICTIONARY}.aff")
        try:
            aff, context = readers.read_aff(aff_reader)
        finally:
            aff_reader.close()
        dic_reader = Reader(f"{DICTIONARY}.dic", encoding=context.encoding)
        try:
            dic = readers.read_dic(dic_reader, aff=aff, context=context)
        finally:
            dic_reader.close()
        return Dictionary(aff, dic)
    except (OSError, ValueError, LookupError):  # a missing or unreadable dictionary
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


# -ize words that are never written -ise ("prise" and "seise" are other words)
_ONLY_IZE = ("seiz", "priz", "siz", "capsiz", "resiz", "downsiz", "oversiz", "undersiz")
_IZE = re.compile(r"(?<=[a-z])(iz|yz)(e|es|ed|ing|ation|ations|er|ers)$", re.IGNORECASE)


def _american_ize(dictionary, word: str) -> bool:
    """ "organize", "apologized", "analyze": the dictionary accepts the Oxford -ize forms, but
    British organisations (and the qualifications' texts) write -ise, so a -ize form whose
    -ise form is a word counts as the American spelling."""
    match = _IZE.search(word)
    if match is None or word.lower().startswith(_ONLY_IZE):
        return False
    stem = match.group(1).replace("z", "s").replace("Z", "S")
    return bool(dictionary.lookup(word[: match.start()] + stem + match.group(2)))


@lru_cache(maxsize=1)
def business_words() -> frozenset[str]:
    """Customer-service words the dictionary lacks ("freephone", "webchat"), from the list
    shipped beside it (read once per process)."""
    try:
        text = (DICTIONARY.parent / "business_words.txt").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _known(dictionary, word: str, allowed: set[str]) -> bool:
    if allowed_form(word) in allowed or allowed_form(word) in business_words():
        return True
    bare = word[:-1] if word.endswith("'") else word  # a plural possessive: customers'
    if bare.lower().endswith("'s") and allowed_form(bare[:-2]) in allowed:
        return True
    if dictionary.lookup(bare):
        return not _american_ize(dictionary, bare)
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
    allowed = set(allowed)
    errors: list[str] = []
    for word in words:
        if word not in errors and not _known(dictionary, word, allowed):
            errors.append(word)
    return Spelling(True, len(words), errors)
