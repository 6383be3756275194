"""The organisation profile file format (`seed/profiles/<key>.yaml`), validated with pydantic.

A profile is data only. The model keeps the shapes the generator has always read: tuples for
lists, plain dicts (typed with TypedDicts, so every key is still checked) for the nested
records, and mappings in the order the file gives them, because the generator draws from them
in that order with a seeded random generator.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from ..vocabulary import (
    ISO_WEEKDAYS,
    PLACEHOLDERS,
    POLICIES,
    PROCEDURE_LEVELS,
    ChannelName,
    PolicyName,
    SegmentName,
    TimeUnit,
)

_FORBID = ConfigDict(extra="forbid")


def _known_placeholders(text: str) -> str:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValueError(f"not a valid template ({exc}): {text!r}") from None
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}} in {text!r} (known: {', '.join(PLACEHOLDERS)})"
        )
    return text


Text = Annotated[str, Field(min_length=1)]
# A text the generator fills in with str.format_map: only the known {placeholders}.
Template = Annotated[str, Field(min_length=1), AfterValidator(_known_placeholders)]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Department(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    name: Text
    head: Text
    relies_on_you_for: Text


class Within(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    amount: Annotated[int, Field(gt=0, le=365)]
    unit: TimeUnit


class Level(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    key: Text
    name: Text
    owner: Text
    acknowledge_within: Within | None
    resolve_within: Within | None


class Procedure(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    levels: list[Level]
    escalate_when: list[Text]
    categories: list[Text]


class Topics(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    inbound: tuple[tuple[Template, Template], ...]  # (what the customer asked, our answer)
    outbound_proactive: tuple[Template, ...]
    complaint: tuple[tuple[Text, Template, Template], ...]  # (category, complaint, response)
    supplier_inbound: tuple[Template, ...]
    supplier_outbound: tuple[Template, ...]


class OtherContact(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    role: Text
    job_title: str
    organisation: Template | str
    note: Text
    topics: tuple[Template, ...]
    outcome: Text


class InternalComplaint(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    department: Text
    category: Text
    description: Template
    response: Template
    root_cause: Text
    lesson: Text


class Card(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    title: Text
    purpose: Text
    question: Text


class Suggestion(TypedDict):
    __pydantic_config__ = _FORBID  # type: ignore[misc]
    title: Text
    purpose: Text


class Feedback(TypedDict):
    """Words for the seeded feedback collections (see seed.generate.feedback)."""

    __pydantic_config__ = _FORBID  # type: ignore[misc]
    team: Text
    service: Text
    contact_options: tuple[Text, ...]
    factors: tuple[Text, ...]
    card: Card
    suggestion: Suggestion
    welcome: Text
    lapsed_reasons: tuple[Text, ...]
    key_offers: tuple[Text, ...]


class RepeatItem(TypedDict):
    """One kind of repeat business customers do (see seed.generate.orders): an order, a booking
    or a renewal, what it is (a template: `{item}` names a product or service), its price range
    in pounds and how often a regular customer comes back for it."""

    __pydantic_config__ = _FORBID  # type: ignore[misc]
    kind: Literal["order", "booking", "renewal"]
    description: Template
    amount: tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]]  # low, high
    every_days: Annotated[int, Field(gt=0, le=400)]
    weight: Annotated[float, Field(gt=0)]


class Shared(BaseModel):
    """`_common.yaml`: what every profile uses unless its own file gives its own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    supplier_inbound: tuple[Template, ...] = Field(min_length=1)
    supplier_outbound: tuple[Template, ...] = Field(min_length=1)
    other_contacts: tuple[OtherContact, ...] = Field(min_length=1)


class Profile(BaseModel):
    """One simulated organisation: what the learner reads about it, and what its data is made of.

    `interaction_topics` holds the customer-facing templates, by kind:
    - "inbound": (what the customer asked or reported, how we answered it) pairs
    - "outbound_proactive": contacts we start (reminders, updates, feedback requests)
    - "complaint": (category, what the customer complained about, our stage 1 response)
    - "supplier_inbound" / "supplier_outbound": contact with suppliers
    `internal_requests` maps each department to (what it asks the learner's team for, the reply)
    pairs and `internal_outbound` to what the learner's team asks that department for.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: Text
    sector: Annotated[str, Field(min_length=1, max_length=80)]
    description: Text
    learner_role: Annotated[str, Field(min_length=1, max_length=200)]
    working_days: tuple[int, ...] = Field(min_length=1, max_length=7)
    opens_at: ClockTime
    closes_at: ClockTime
    departments: tuple[Department, ...] = Field(min_length=1)
    policies: dict[PolicyName, Text]
    complaints_procedure: Procedure
    products_or_services: tuple[Text, ...] = Field(min_length=1)
    interaction_topics: Topics
    outcomes: tuple[Template, ...] = Field(min_length=1)
    internal_requests: dict[str, tuple[tuple[Template, Template], ...]]
    internal_outbound: dict[str, tuple[Template, ...]]
    supplier_kinds: tuple[tuple[Text, Text], ...] = Field(min_length=1)  # (kind, name word)
    needs: tuple[Template, ...] = Field(min_length=1)
    business_needs: tuple[Template, ...] = Field(min_length=1)
    preferences: tuple[Template, ...] = Field(min_length=1)
    segment_weights: dict[SegmentName, Annotated[float, Field(gt=0)]]
    # Share of external customers that are business accounts (the rest are individuals).
    business_share: float = Field(ge=0, le=1)
    channel_weights: dict[ChannelName, Annotated[float, Field(gt=0)]]
    colleague_job_titles: dict[str, tuple[Text, ...]]  # first title: the head of department
    team: tuple[Text, ...] = Field(min_length=1)  # the learner's own team: who recorded history
    # Business customers: (name pattern, job titles their contact person might have).
    business_kinds: tuple[tuple[Template, tuple[Text, ...]], ...] = Field(min_length=1)
    contact_notes: tuple[Text, ...] = Field(min_length=1)  # notes on individual customers
    business_notes: tuple[Text, ...] = Field(min_length=1)  # and on business accounts
    reference_prefix: str = Field(pattern=r"^[A-Z]{2,4}$")
    email_domain: str = Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
    phone_prefix: Text  # an Ofcom drama-number range, so no real line is ever dialled
    address: Text
    postcode: str = Field(pattern=r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
    other_contacts: tuple[OtherContact, ...] = ()
    # Complaints: more detail per category (added to a complaint's description), the root
    # causes and lessons learned recorded when one is closed (pairs), and complaints from
    # internal customers.
    complaint_details: dict[str, tuple[Text, ...]] = {}
    complaint_causes: dict[str, tuple[tuple[Text, Text], ...]] = {}
    internal_complaints: tuple[InternalComplaint, ...] = ()
    feedback: Feedback
    # The charter's promise for replying to written messages, for the seeded service standard.
    email_reply_within: tuple[Annotated[int, Field(gt=0)], TimeUnit]
    # Repeat business (orders, bookings, renewals) the seeded customers do; none if absent.
    repeat_business: tuple[RepeatItem, ...] = ()


def cross_check(profile: Profile) -> list[tuple[tuple, str]]:
    """Rules across fields, as (path in the file, message) pairs: the procedure's levels, the
    departments and complaint categories other fields refer to, the opening hours."""
    out: list[tuple[tuple, str]] = []
    if any(day not in ISO_WEEKDAYS for day in profile.working_days):
        out.append((("working_days",), "use ISO weekday numbers, 1 (Monday) to 7 (Sunday)"))
    if profile.opens_at >= profile.closes_at:
        out.append((("closes_at",), "must be after opens_at"))
    missing = [name for name in POLICIES if name not in profile.policies]
    if missing:
        out.append((("policies",), f"missing: {', '.join(missing)}"))
    levels = [(level["key"], level["name"]) for level in profile.complaints_procedure["levels"]]
    if levels != list(PROCEDURE_LEVELS):
        expected = ", ".join(f"{key} ({name!r})" for key, name in PROCEDURE_LEVELS)
        out.append((("complaints_procedure", "levels"), f"must be, in order: {expected}"))
    departments = [d["name"] for d in profile.departments]
    for field_name in ("internal_requests", "internal_outbound", "colleague_job_titles"):
        if list(getattr(profile, field_name)) != departments:
            out.append(((field_name,), "needs one entry per department, in their order"))
    out.extend(_check_categories(profile))
    for i, complaint in enumerate(profile.internal_complaints):
        if complaint["department"] not in departments:
            path = ("internal_complaints", i, "department")
            out.append((path, f"not one of the departments: {complaint['department']!r}"))
    if not re.fullmatch(r"[\d ]+", profile.phone_prefix):
        out.append((("phone_prefix",), "digits and spaces only"))
    return out


def _check_categories(profile: Profile) -> list[tuple[tuple, str]]:
    """Fields keyed by complaint category may name only the complaints procedure's categories."""
    out: list[tuple[tuple, str]] = []
    categories = set(profile.complaints_procedure["categories"])
    for i, (category, *_) in enumerate(profile.interaction_topics["complaint"]):
        if category not in categories:
            path = ("interaction_topics", "complaint", i, 0)
            out.append((path, f"not a category of the complaints procedure: {category!r}"))
    for field_name in ("complaint_details", "complaint_causes"):
        for category in getattr(profile, field_name):
            if category not in categories:
                path = (field_name, category)
                out.append((path, f"not a category of the complaints procedure: {category!r}"))
    return out
