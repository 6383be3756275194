"""Field rules shared by every service: lengths, emails, UK phone numbers, choices."""

from __future__ import annotations

import enum
import math
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import ServiceError


def text(value, label: str, max_length: int, *, required: bool = False, field: str = "") -> str:
    """Trimmed text within its length; ServiceError naming the field otherwise."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if "\x00" in value:
        raise ServiceError(f"{label} contains a character that cannot be stored.", field)
    if required and not value:
        raise ServiceError(f"Enter {label.lower()}.", field)
    if len(value) > max_length:
        raise ServiceError(
            f"{label} can be at most {max_length} characters (it has {len(value)}).", field
        )
    return value


# Measured figures (a manual standard's values, an improvement's baseline and result) are
# counts, scores, percentages or money: a billion either way is far past any of them.
MEASURE_LIMIT = 1_000_000_000


def number(value, label: str, low: float, high: float, *, field: str = "") -> float:
    """A finite number from `low` to `high`; ServiceError naming the field otherwise (NaN and
    Infinity are refused: no figure is either, and strict JSON cannot hold them)."""
    try:
        result = float(value)
    except (TypeError, ValueError, ArithmeticError):
        raise ServiceError(f"{label} must be a number.", field) from None
    if not math.isfinite(result):
        raise ServiceError(f"{label} must be an ordinary number (not NaN or Infinity).", field)
    if not low <= result <= high:
        raise ServiceError(f"{label} must be between {_figure(low)} and {_figure(high)}.", field)
    return result


def _figure(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"


def email(value, *, required: bool = False, field: str = "email") -> str:
    """A valid email address, lower-cased domain; empty allowed unless required."""
    value = (value or "").strip()
    if not value:
        if required:
            raise ServiceError("Enter an email address.", field)
        return ""
    if len(value) > 254:
        raise ServiceError("An email address can be at most 254 characters.", field)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ServiceError(f"{value!r} is not a valid email address: {exc}", field) from None


def uk_phone(value, *, field: str = "phone") -> str:
    """A UK (or +international) phone number in its standard written form; empty allowed."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 32:
        raise ServiceError("A phone number can be at most 32 characters.", field)
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ServiceError(f"{value!r} is not a phone number.", field) from None
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(
            f"{value!r} is not a valid phone number (check the number of digits).", field
        )
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def choice(
    value, enum_cls: type[enum.Enum], label: str, *, optional: bool = False, field: str = ""
):
    """The enum member named by `value`; ServiceError listing the allowed values otherwise."""
    if value in (None, "") and optional:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ServiceError(f"{label} must be one of: {allowed}.", field) from None


def value_or_blank(value, enum_cls: type[enum.Enum]) -> str:
    """`value` if it names a member of the enum, else "" (for optional list filters)."""
    return value if value in {m.value for m in enum_cls} else ""


# --- Comparing what was recorded with what the customer said ------------------------------
# One normaliser per kind of value, used by the services to store a value in one written form
# and by the checks to compare a record with the scenario's truth: "ba26ah" is "BA2 6AH",
# "+44 113 496 0417" is "0113 496 0417", "Owen.Marsh@Example.net" is "owen.marsh@example.net".

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def uk_postcode(value) -> str:
    """A UK postcode in its written form (upper case, one space before the inward code:
    "ls185pa" -> "LS18 5PA"); a value that is not a UK postcode is kept, trimmed and upper
    case (an overseas postcode is not refused)."""
    value = " ".join(str(value or "").split()).upper()
    match = _POSTCODE.match(value.replace(" ", ""))
    return f"{match.group(1)} {match.group(2)}" if match else value


def phone_key(value) -> str:
    """A phone number as one comparable string (E.164, "+441134960417"), whatever spaces,
    brackets or +44 / 0 it was typed with; the digits alone if it is not a number."""
    value = str(value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return re.sub(r"\D", "", value)


def email_key(value) -> str:
    """An email address as one comparable string (trimmed, lower case)."""
    return str(value or "").strip().lower()


def text_key(value) -> str:
    """A name or other short text as one comparable string: case, spacing and punctuation
    around the words ignored ("  Owen  MARSH " is "owen marsh")."""
    words = re.sub(r"[^\w£%]+", " ", str(value or "").casefold()).split()
    return " ".join(words)


def comparable(field: str, value) -> object:
    """`value` of a record's `field` in the form two values are compared in: normalised by
    its kind (postcode, phone, email, text); numbers, booleans and None as they are."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if field == "postcode":
        return uk_postcode(value).replace(" ", "")
    if field in ("phone", "mobile", "telephone"):
        return phone_key(value)
    if field == "email":
        return email_key(value)
    return text_key(value)
