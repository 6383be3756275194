"""The IT services profile's comments: theme -> tone -> comments."""

from __future__ import annotations

_IT_SERVICES = {
    "waiting time": {
        "positive": (
            "Priority 1 faults are always picked up quickly.",
            "Fast response: the engineer was connected within 10 minutes.",
            "Calls are answered straight away, which matters when we cannot work.",
        ),
        "negative": (
            "We waited three hours for a response to a priority 1 fault.",
            "20 minutes on hold to the support line is too long.",
            "Response times have got slow over the last few months.",
        ),
        "suggestion": (
            "Tell us the expected response time when we log a ticket.",
            "Add a call-back option so we do not wait on hold.",
        ),
    },
    "repairs": {
        "positive": (
            "The fault was fixed remotely on the first call.",
            "The laptop repair was done in two days and works perfectly.",
            "Great to have the Wi-Fi fault fixed for good at last.",
        ),
        "negative": (
            "The same fault came back the day after the ticket was closed.",
            "Our laptop repair failed again within a week.",
            "Faults are patched, not fixed properly.",
        ),
        "suggestion": (
            "Check the fix has lasted before closing a ticket.",
            "Send a senior engineer when a fault comes back a second time.",
        ),
    },
    "staff": {
        "positive": (
            "The engineers are friendly and explain things without jargon.",
            "Ellie on the service desk is always helpful and patient.",
            "Polite, professional staff on every visit.",
        ),
        "negative": (
            "The engineer was dismissive and rude about our set-up.",
            "Staff on the phone made us feel the fault was our fault.",
            "Unhelpful when we asked for a simple explanation.",
        ),
        "suggestion": (
            "Staff should avoid jargon when talking to non-technical people.",
            "Tell us the engineer's name before a visit, so our staff know who to expect.",
        ),
    },
    "communication": {
        "positive": (
            "Regular updates on the ticket, so we always knew where things were.",
            "Clear reply to every email, with next steps explained.",
            "You kept us informed during the broadband outage.",
        ),
        "negative": (
            "Nobody updated us about our ticket for a week.",
            "We had to chase for a reply three times.",
            "No one told us the engineer was running late.",
        ),
        "suggestion": (
            "Send a daily update on open tickets.",
            "Let us know before planned maintenance, not after.",
        ),
    },
    "price": {
        "positive": (
            "Good value for money for what we get from the contract.",
            "Clear invoices with no surprises.",
        ),
        "negative": (
            "The contract renewed at a higher price without warning.",
            "We were charged for a visit that did not fix anything.",
            "Too expensive for a small office.",
        ),
        "suggestion": (
            "Offer a cheaper contract for very small businesses.",
            "Remind us 60 days before the contract renews, with the new price.",
        ),
    },
    "website": {
        "positive": (
            "The support portal is easy to use and shows all our tickets.",
            "Logging a ticket online takes a minute.",
        ),
        "negative": (
            "The portal still shows tickets as new days after we call.",
            "I cannot log in to the portal since the update.",
        ),
        "suggestion": (
            "Let us attach screenshots to tickets in the portal.",
            "Add a live chat to the portal for quick questions.",
        ),
    },
}
