"""What a customer's message asks, in a form the CRM can judge (a scenario event's `asks:`,
stored in the message's `details["asks"]`), and which structured content of a reply answers
it. Questions the CRM cannot judge from structure are left to the assessor."""

from __future__ import annotations

from typing import Literal

AskKind = Literal["complaint_progress", "next_contact", "resolution", "other_person", "information"]

ASKS: dict[str, str] = {
    # what the customer asked, in the words of the report and of the check's message
    "complaint_progress": "how their complaint is progressing",
    "next_contact": "when they will next hear from you",
    "resolution": "what you will do to put things right",
    "other_person": "for information about another person",
    "information": "a question in their own words",
}

# How a reply answers each kind, as the report says it (None: for the assessor to judge).
ANSWERED_BY: dict[str, str | None] = {
    "complaint_progress": "an update, resolution or question about the same complaint",
    "next_contact": "a next-contact time recorded on the message",
    "resolution": "a proposed resolution of the same complaint",
    "other_person": None,
    "information": None,
}

# Purposes of a message that report on a complaint.
PROGRESS_PURPOSES = {"update", "propose_resolution", "acknowledge", "ask_satisfied"}

# Fewer words than this and a message answers nothing, whatever its purpose: "Noted." is not
# an answer to a customer's question.
ANSWER_MIN_WORDS = 8


def judged_by_structure(kind: str) -> bool:
    """Whether the CRM can judge a reply to this kind of question from its structure."""
    return ANSWERED_BY.get(kind) is not None
