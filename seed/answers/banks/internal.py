"""Internal customers' comments (colleagues in other departments): theme -> tone -> comments."""

from __future__ import annotations

# Internal customers (colleagues and departments) comment on the service they get from the
# learner's team, whatever the organisation.
_INTERNAL = {
    "communication": {
        "positive": (
            "Always sends a reply to our emails the same day with what we need.",
            "Good at keeping us informed when a customer problem affects us.",
            "The weekly update on customer feedback is really useful.",
        ),
        "negative": (
            "We often have to chase for replies to our requests.",
            "Nobody told us about the change to the customer letters.",
            "Updates about customers come too late for us to act on them.",
        ),
        "suggestion": (
            "A weekly update on the problems customers raise about our department.",
            "Reply to say a request has been received, even if the answer takes longer.",
        ),
    },
    "waiting time": {
        "positive": (
            "Requests are dealt with quickly, usually the same day.",
            "Fast turnaround on urgent customer queries.",
        ),
        "negative": (
            "Requests are slow to come back when the team is busy.",
            "We wait days for simple customer details.",
        ),
        "suggestion": (
            "Agree a response time for internal requests, like the one for customers.",
            "Have a named person for urgent requests so we do not wait.",
        ),
    },
    "accuracy": {
        "positive": (
            "The details passed on to us are accurate and complete.",
            "Very few mistakes in the information we get.",
        ),
        "negative": (
            "Order numbers and amounts are often missing from requests.",
            "Customer details passed to us are sometimes wrong.",
            "We find mistakes in addresses nearly every week.",
        ),
        "suggestion": (
            "Use a form so nothing is missing from requests.",
            "Double-check the customer details before passing them on to avoid errors.",
        ),
    },
    "staff": {
        "positive": (
            "A friendly, helpful team who always try to sort things out.",
            "Polite and patient, even when we ask for things at short notice.",
        ),
        "negative": (
            "Not always helpful when our request does not fit the usual process.",
            "Staff sometimes seem too busy to talk to us.",
        ),
        "suggestion": (
            "Spend a day with our team so your staff see how we work.",
            "Introduce new staff to the departments they will work with.",
        ),
    },
}
