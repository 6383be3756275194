"""Check type `messages_proofread`: the learner's messages to a customer are written with
care: spelt correctly (a British English dictionary, with the CRM's own names allowed), they
answer what the customer asked where the CRM can judge it from structure (an update on the
complaint they asked about, a next-contact time when they asked when they will hear), and the
promises they make are kept. Tone and empathy are the assessor's to judge, in the writing
report."""

from __future__ import annotations

from pydantic import Field

from ..services.writing.asks import ANSWER_MIN_WORDS, ASKS
from . import CheckResult, Params, not_yet, register
from ._helpers import when
from ._writing import reports, unanswered


class MessagesProofread(Params):
    contacts: list[str] = Field(min_length=1)  # the customers whose messages are judged
    max_spelling_errors: int = Field(0, ge=0, le=20)  # words not in the dictionary, in all
    # a message shorter than this answers nothing ("Noted.")
    min_words: int = Field(ANSWER_MIN_WORDS, ge=1, le=100)


def _names(state, keys) -> str:
    names = [state.get("contacts", k).display_name for k in keys if state.get("contacts", k)]
    return " and ".join(names) or "the customer"


@register("messages_proofread", MessagesProofread)
def messages_proofread(state, log, scenario, p: MessagesProofread) -> CheckResult:
    """Passes when at least one message was sent to the customers, every customer question
    the CRM can judge was answered by a later message, no promise made in them was broken,
    and their words have at most `max_spelling_errors` words the British English dictionary
    does not know. Not judged yet until a message was sent (or while spelling cannot be
    checked on this server)."""
    ids = set(state.contact_ids(p.contacts))
    who = _names(state, p.contacts)
    made = reports(state, log, ids, p.min_words)
    if not made:
        return not_yet(
            f"no message has been sent to {who} yet: your replies are judged once you send one."
        )
    evidence = [r.seq for r in made]
    for question, kind in unanswered(log, ids, p.min_words):
        return CheckResult(
            False,
            f"the message of {when(question.sandbox_time)} asked {ASKS[kind]}, and no message "
            "you sent since answers that (a reply of a few words answers nothing): read "
            "their message again on the contact's page and answer each thing they asked.",
            [question.seq, *evidence],
        )
    for r in made:
        if r.promise is not None and r.promise.status == "broken":
            return CheckResult(
                False,
                f"your message of {when(r.sent_at)} promised a next contact by "
                f"{when(r.promise.by)}, and it did not come: a promise in writing is one the "
                "customer holds you to.",
                [r.seq],
            )
    if not all(r.spelling.checked for r in made):
        return not_yet(
            "your messages were sent, but spelling could not be checked: there is no British "
            "English dictionary on this server. Your assessor will read them.",
            evidence,
        )
    errors = sum(len(r.spelling.errors) for r in made)
    if errors > p.max_spelling_errors:
        worst = max(made, key=lambda r: len(r.spelling.errors))
        return CheckResult(
            False,
            f"{errors} word(s) in your messages to {who} are not in the British English "
            f"dictionary (the most in your message of {when(worst.sent_at)}): proofread "
            "before you send. A spellchecker does not catch everything; reading it through "
            "does.",
            [r.seq for r in made if r.spelling.errors],
        )
    return CheckResult(
        True,
        f"{len(made)} message(s) to {who}: spelling checked against a British English "
        "dictionary, what the customer asked answered, promises kept. Tone and empathy are "
        "for your assessor to judge.",
        evidence,
    )
