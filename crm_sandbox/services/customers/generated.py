"""Personas for the customers a scenario does not name: every seeded background customer (and
colleague) can answer sensibly, from the seed and the contact's stable details.

Deterministic: the random generator is seeded with the sandbox seed and the contact's sort
name and email (never its id, which differs between copies of the same template), so the same
customer answers the same way in every copy, on a reset and in a replay. What a persona holds
follows who the customer is:

- external customers (individuals and businesses): needs and preferences of the
  organisation's trade (the sandbox's profile), one need hidden; the remedies they accept;
  their patience and mood by segment (a key account is patient but expects credit; a customer
  already at risk chases once and then leaves; a new one is anxious);
- internal customers (colleagues and departments): what they need from you and by when,
  patient, never leaving;
- marketing consent: what the CRM records (a background customer's record is taken to be
  right; a scenario's persona can say otherwise).
"""

from __future__ import annotations

import hashlib
import random

from ...models import Category, Contact, NeedType
from .persona import AcceptableRemedy, Patience, Persona, PersonaNeed, Wait

TRADE_NEEDS = {
    "retail": {
        "timescale": [
            "delivery this week",
            "the item before the weekend",
            "an answer within a day",
        ],
        "budget": [
            "to keep the cost under £100",
            "no extra delivery charges",
            "to pay in instalments",
        ],
        "specification": [
            "the exact model ordered",
            "the colour shown online",
            "the king-size version",
        ],
        "quality": ["it to work first time", "nothing damaged in the box"],
    },
    "housing": {
        "timescale": ["the repair done this week", "a visit before the end of the month"],
        "budget": ["no charge for the repair", "the rent arrears paid off at £20 a week"],
        "specification": ["the boiler fixed, not patched", "a new front door lock"],
        "quality": ["the damp treated properly this time", "the work done by a qualified engineer"],
    },
    "it_services": {
        "timescale": ["the fault fixed within 4 hours", "the new laptop set up by Monday"],
        "budget": ["to stay within the £2,000 support budget", "no call-out charge"],
        "specification": ["remote access for 3 staff", "the printer working on the network"],
        "quality": ["the fault not coming back", "a named engineer who knows our set-up"],
    },
    "leisure": {
        "timescale": ["a class at 6pm or later", "the booking confirmed today"],
        "budget": ["a membership under £30 a month", "no joining fee"],
        "specification": ["a family swim session", "a court for four people"],
        "quality": ["clean changing rooms", "a qualified instructor"],
    },
}
COMMON_NEEDS = {
    "information": [
        "clear written details",
        "to know who is dealing with it",
        "a reference number",
    ],
    "accessibility": [
        "step-free access",
        "large-print letters",
        "a call rather than email (I have a visual impairment)",
        "extra time to reply",
    ],
}
PREFERENCES = [
    ("other", "email rather than phone calls"),
    ("other", "calls in the morning"),
    ("other", "texts, not letters"),
    ("timescale", "contact after 5pm if possible"),
    ("information", "one person to deal with"),
]
INTERNAL_NEEDS = {
    "information": [
        "the order number and amount checked",
        "the customer's up-to-date contact details",
        "the figures broken down by week",
    ],
    "timescale": ["by the end of tomorrow", "by Friday at noon", "before the Monday meeting"],
    "specification": ["everything in one email", "the spreadsheet template we agreed"],
}
REMEDIES = {
    "retail": ["full_refund", "replacement", "redelivery", "partial_refund"],
    "housing": ["repair", "apology", "goodwill_payment", "rebooking"],
    "it_services": ["repair", "replacement", "credit", "explanation"],
    "leisure": ["rebooking", "credit", "full_refund", "apology"],
}
SEGMENT_MANNER = {
    # segment: (mood choices, patience, rejects_because)
    "new": (
        ["anxious", "calm", "pleased"],
        Patience(chase_after=Wait(amount=2, unit="working_hours"), chases=1, then="escalate"),
        "I'm new to you and I expected better than that.",
    ),
    "regular": (
        ["calm", "pleased", "annoyed"],
        Patience(chase_after=Wait(amount=4, unit="working_hours"), chases=2, then="escalate"),
        "I've been a customer for years and that doesn't put it right.",
    ),
    "key_account": (
        ["calm", "annoyed"],
        Patience(chase_after=Wait(amount=1, unit="working_days"), chases=2, then="escalate"),
        "For an account our size that isn't good enough.",
    ),
    "at_risk": (
        ["annoyed", "angry"],
        Patience(chase_after=Wait(amount=2, unit="working_hours"), chases=1, then="leave"),
        "Honestly, that's what I expected, and it's not enough.",
    ),
}


def _stable_seed(*parts) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _consents(contact: Contact) -> list[str]:
    return [channel for channel, given in contact.consents().items() if given]


def _internal(rng: random.Random, contact: Contact) -> Persona:
    needs = [
        PersonaNeed(type=kind, value=rng.choice(values)) for kind, values in INTERNAL_NEEDS.items()
    ]
    return Persona(
        needs=needs,
        preferences=[PersonaNeed(type="other", value=rng.choice(["a quick call", "email"]))],
        volunteers=2,
        accepts=[AcceptableRemedy(type="explanation"), AcceptableRemedy(type="apology")],
        rejects_because="That doesn't help me get my job done.",
        satisfied_when="remedy_accepted",
        patience=Patience(chase_after=Wait(amount=4, unit="working_hours"), chases=2, then="wait"),
        replies_within=Wait(amount=rng.choice([1, 2, 3]), unit="working_hours"),
        prefers_channel=rng.choice(["email", "phone", "meeting"]),
        marketing_consent=[],
        mood="calm",
    )


def generated_persona(sandbox_seed, contact: Contact, profile: str = "retail") -> Persona:
    """A persona for a customer the scenario does not name (see the module docstring)."""
    rng = random.Random(_stable_seed(sandbox_seed, contact.sort_name, contact.email))  # noqa: S311 - simulation
    if contact.category == Category.INTERNAL.value:
        return _internal(rng, contact)
    trade = TRADE_NEEDS.get(profile, TRADE_NEEDS["retail"])
    pool = {**trade, **COMMON_NEEDS}
    visible_types = rng.sample(sorted(set(pool) - {NeedType.ACCESSIBILITY.value}), 2)
    hidden_type = rng.choice(
        sorted(set(pool) - set(visible_types))
        if rng.random() < 0.5
        else [NeedType.ACCESSIBILITY.value]
    )
    needs = [PersonaNeed(type=t, value=rng.choice(pool[t])) for t in visible_types]
    needs.append(PersonaNeed(type=hidden_type, value=rng.choice(pool[hidden_type]), hidden=True))
    preferences = [
        PersonaNeed(type=kind, value=value) for kind, value in rng.sample(PREFERENCES, 2)
    ]
    moods, patience, rejects = SEGMENT_MANNER.get(
        contact.segment or "regular", SEGMENT_MANNER["regular"]
    )
    remedies = REMEDIES.get(profile, REMEDIES["retail"])
    accepts = [
        AcceptableRemedy(type=kind, within_working_days=rng.choice([2, 3, 5]))
        if kind in ("replacement", "redelivery", "repair", "rebooking")
        else AcceptableRemedy(type=kind)
        for kind in rng.sample(remedies, 2)
    ]
    if contact.segment == "key_account":
        accepts.append(AcceptableRemedy(type="credit"))
    business = contact.account_type in ("business", "supplier")
    return Persona(
        needs=needs,
        preferences=preferences,
        volunteers=rng.choice([1, 2]),
        accepts=accepts,
        rejects_because=rejects,
        satisfied_when="remedy_accepted",
        patience=patience,
        replies_within=Wait(
            amount=rng.choice([4, 6, 8] if business else [1, 2, 3]), unit="working_hours"
        ),
        prefers_channel=rng.choice(["email", "phone"]),
        marketing_consent=_consents(contact),
        mood=rng.choice(moods),
    )
