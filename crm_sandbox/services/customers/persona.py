"""A customer's persona: what only the customer knows, and how they behave. The learner never
sees it; the simulated customer answers from it (`services/customers/`).

A scenario gives its named customers a persona in the scenario file (`persona:` under a
contact in `opening.contacts`, validated with the rest of the file); every other customer of
the CRM gets one generated from the seed (`generated_persona`), so the whole CRM can answer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NeedTypeName = Literal[
    "timescale", "budget", "accessibility", "specification", "information", "quality", "other"
]
ChannelName = Literal["phone", "email", "letter", "meeting", "live_chat", "social"]
ConsentChannel = Literal["email", "phone", "post", "sms"]
# Remedies in the organisation's policy terms (the complaints and returns policies).
RemedyType = Literal[
    "full_refund",
    "partial_refund",
    "replacement",
    "repair",
    "redelivery",
    "rebooking",
    "credit",
    "goodwill_payment",
    "apology",
    "explanation",
    "other",
]
REMEDY_LABELS = {
    "full_refund": "Full refund",
    "partial_refund": "Partial refund",
    "replacement": "Replacement",
    "repair": "Repair",
    "redelivery": "Redelivery",
    "rebooking": "Rebooking",
    "credit": "Account credit",
    "goodwill_payment": "Goodwill payment",
    "apology": "Apology",
    "explanation": "Explanation",
    "other": "Other",
}
Mood = Literal["calm", "pleased", "anxious", "annoyed", "angry"]


def remedy_text(remedy: dict | None) -> str:
    """A remedy in words, as the pages and the checks' messages give it: "Full refund of
    £44.94 by Tue 31 Mar 2026" ("—" for none)."""
    from datetime import date

    from ...wording import date_text

    if not remedy:
        return "—"
    words = REMEDY_LABELS.get(remedy.get("type") or "", str(remedy.get("type") or "Remedy"))
    try:
        amount = Decimal(str(remedy["amount"])) if remedy.get("amount") not in (None, "") else None
    except ArithmeticError:
        amount = None
    if amount is not None:
        words += f" of £{amount:.2f}"
    by = remedy.get("by")
    if by:
        try:
            words += f" by {date_text(date.fromisoformat(str(by)[:10]))}"
        except ValueError:
            words += f" by {by}"
    return words


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wait(_Spec):
    """A delay, in working or calendar time."""

    amount: float = Field(gt=0, le=1000)
    unit: Literal["working_hours", "working_days", "hours", "days"] = "working_hours"


class PersonaNeed(_Spec):
    """One need (or preference) the customer has, typed, with its value in their words.
    `hidden`: revealed only to a question that reaches it (its topic, asked open or probing).
    `key`: a name a scenario's checks use to pick it (`needs: [vulnerable]`), when its type
    alone does not (two needs of one type)."""

    key: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    type: NeedTypeName
    value: str = Field(min_length=1, max_length=300)
    hidden: bool = False


class AcceptableRemedy(_Spec):
    """A remedy the customer would accept: its type, and at least this amount (£) or within
    this many working days, when given."""

    type: RemedyType
    amount: Decimal | None = Field(None, ge=0, le=1_000_000)
    within_working_days: int | None = Field(None, ge=0, le=60)


class Patience(_Spec):
    """How long after a promised or due contact the customer chases, how many times, and what
    they do when chasing gets nowhere."""

    chase_after: Wait = Wait(amount=1, unit="working_hours")
    chases: int = Field(1, ge=0, le=5)
    then: Literal["escalate", "leave", "wait"] = "escalate"


class Persona(_Spec):
    needs: list[PersonaNeed] = Field([], max_length=12)
    preferences: list[PersonaNeed] = Field([], max_length=12)
    # How many of the needs that are not hidden they mention unprompted (to an open question
    # that asks about nothing in particular).
    volunteers: int = Field(1, ge=0, le=12)
    accepts: list[AcceptableRemedy] = Field([], max_length=8)
    # In their words, when a remedy falls short ("I paid £44.94 and I want all of it back").
    rejects_because: str = Field("", max_length=500)
    # When they say "yes" to "are you satisfied?": once a remedy they accept was proposed,
    # always, or never (they stay unhappy and the procedure escalates).
    satisfied_when: Literal["remedy_accepted", "always", "never"] = "remedy_accepted"
    patience: Patience = Patience()
    replies_within: Wait = Wait(amount=1, unit="working_hours")
    prefers_channel: ChannelName | None = None
    # Channels on which they are happy to receive marketing; marketing on another draws a
    # complaint (consent is per purpose and per channel).
    marketing_consent: list[ConsentChannel] = []
    mood: Mood = "calm"
