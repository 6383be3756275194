"""The housing profile's comments: theme -> tone -> comments."""

from __future__ import annotations

_HOUSING = {
    "repairs": {
        "positive": (
            "The boiler repair was done the same week and the operative was tidy.",
            "Our leak was fixed quickly and properly.",
            "Really pleased with the new kitchen; the contractor did a good job.",
        ),
        "negative": (
            "My repair has been outstanding for two months.",
            "The contractor did not turn up and nobody rang to say why.",
            "Same fault with the boiler three times this winter.",
        ),
        "suggestion": (
            "Give morning or afternoon repair appointments, not all day.",
            "Text us the day before a repair appointment.",
        ),
    },
    "communication": {
        "positive": (
            "The housing officer kept me informed all the way through.",
            "Clear letters that explained what happens next.",
            "They called back when they said they would.",
        ),
        "negative": (
            "I have to chase every time; nobody rang back.",
            "Nobody told me the appointment was cancelled.",
            "Emails go unanswered for weeks and nobody will update me.",
        ),
        "suggestion": (
            "Send text updates on the progress of repairs.",
            "Give each tenant a named contact who can let me know what is happening.",
        ),
    },
    "staff": {
        "positive": (
            "The staff at the Customer Hub are friendly and helpful.",
            "The operative was polite and explained what he was doing.",
            "My housing officer is very helpful with my benefit forms.",
        ),
        "negative": (
            "The person on the phone was rude and talked over me.",
            "Staff do not seem to care about the mould in my flat.",
            "The operative was unhelpful and left without finishing.",
        ),
        "suggestion": (
            "Staff should visit estates more often to see the problems.",
            "More staff on the phones on Monday mornings.",
        ),
    },
    "neighbourhood": {
        "positive": (
            "The estate is much better since the new lighting went in.",
            "Communal gardens are looked after well.",
            "You dealt with the noise from next door quickly.",
        ),
        "negative": (
            "The bin store is overflowing again and attracting rats.",
            "Anti-social behaviour on the estate is getting worse.",
            "Graffiti in the stairwell has been there for months.",
        ),
        "suggestion": (
            "Install CCTV by the bin store on our estate.",
            "Hold a residents' meeting about noise and anti-social behaviour.",
        ),
    },
    "price": {
        "positive": (
            "The service charge breakdown was clear and fair.",
            "Paying my rent online is easy and the discount for direct debit helps.",
        ),
        "negative": (
            "We pay a service charge for cleaning that never happens.",
            "The rise in service charges is too much this year.",
            "I was charged for a repair that was not my fault.",
        ),
        "suggestion": (
            "Show what the service charge pays for on the rent statement.",
            "Offer more help for tenants who cannot afford the new charges.",
        ),
    },
    "waiting time": {
        "positive": (
            "My call was answered quickly and sorted the same day.",
            "Fast response when we had no heating.",
        ),
        "negative": (
            "I waited on hold for 40 minutes to report a leak.",
            "The transfer list is so slow; four years and still waiting.",
            "It took too long to get someone out for the damp.",
        ),
        "suggestion": (
            "A call-back option instead of waiting on hold would help.",
            "Let tenants see their place in the queue for repairs.",
        ),
    },
}
