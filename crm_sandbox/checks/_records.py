"""What the record-keeping checks share (accuracy, consent, contact by lifecycle stage): values
compared after normalising, consent as it stood at the moment of a contact, and which contacts
need marketing consent at all. Not a check type (the leading underscore keeps it out of the
registry's automatic imports)."""

from __future__ import annotations

from ..models.interactions import ANSWERS_TO_US, Channel
from ..services.validation import comparable
from ._helpers import as_log

# The action log's object type for each kind of opening record a check can name.
OBJECT_TYPES = {
    "contacts": "contact",
    "complaints": "complaint",
    "standards": "standard",
    "surveys": "survey",
}

# Messages to colleagues and departments are internal: marketing consent is about customers.
INTERNAL_PURPOSES = {"internal_request", "internal_reply"}

# Channels with no consent of their own. A meeting is in person and arranged with the
# customer: it needs none. Live chat and social media have no consent the CRM can record, so a
# proactive or marketing message there is never covered by one.
NO_CONSENT_NEEDED = {"meeting"}


def same(field: str, actual, expected) -> bool:
    """Whether a recorded value says what the scenario's truth says, each normalised by its
    kind (postcodes, phone numbers, emails, names and other text)."""
    return comparable(field, actual) == comparable(field, expected)


def changes_to(log, object_type: str, object_id: int, field: str) -> list:
    """The log entries of this attempt that changed `field` of one record (an edit, a
    classification, or a merge that filled it in), oldest first."""
    out = []
    for item in as_log(log).about(object_id):
        if item.object_type != object_type:
            continue
        after = item.after
        edited = field in after and after.get(field) != item.before.get(field, object())
        if edited or field in (after.get("kept") or {}):
            out.append(item)
    return out


def consent_field(channel: str | None) -> str | None:
    """The consent (email, phone, post, sms) a contact on this channel needs, None when the
    channel has none the CRM records."""
    try:
        return Channel(channel).consent_field
    except ValueError:
        return None


def needs_marketing_consent(
    item, initiative: str, internal_ids: set[int], answering: bool = False
) -> bool:
    """Whether an outbound message needs the customer's consent for its channel: a marketing
    message always does; so does any other contact we started that is not about something
    the customer started (their own conversation, their complaint, their order, or a request
    of theirs still waiting for us: `answering`), because the data protection policies allow
    only service messages without it. Messages to internal customers and replies in a
    conversation the customer started never do."""
    a = item.after
    if a.get("direction") != "outbound":
        return False
    if a.get("purpose") in INTERNAL_PURPOSES or a.get("contact_id") in internal_ids:
        return False
    if a.get("channel") in NO_CONSENT_NEEDED:
        return False
    if a.get("purpose") == "marketing":
        return True
    if initiative != "proactive" or answering:
        return False
    details = a.get("details") or {}
    return not (a.get("complaint_id") or details.get("order_id"))


def consent_at(log, item, contact) -> bool:
    """Whether `contact` had consented to the channel of the message logged as `item` at the
    moment it was sent: as the message's log entry recorded it, or else rebuilt from the
    consent changes logged after it (the value before the first later change; today's record
    when nothing changed since). Recording consent afterwards does not cure a contact."""
    field = consent_field(item.after.get("channel"))
    if field is None:
        return False
    recorded = item.after.get("consent")
    if isinstance(recorded, dict) and field in recorded:
        return bool(recorded[field])
    key = f"consent_{field}"
    for later in as_log(log).about(contact.id):
        if later.seq <= item.seq or later.object_type != "contact":
            continue
        if later.verb == "contact.consent_changed" and field in later.before:
            return bool(later.before[field])
        if later.verb == "contact.merged" and key in (later.before.get("kept") or {}):
            return bool(later.before["kept"][key])
    return bool(getattr(contact, key, False))


def waiting_requests(interactions) -> dict[int, list[tuple]]:
    """Each customer's messages in time order as (when, id, whether it is the customer's own
    request: a message they started, not an answer to ours, or ours), for `answers_request`.
    Read from the interactions themselves, so a request made before the attempt (in the
    opening) counts too."""
    out: dict[int, list[tuple]] = {}
    for m in sorted(interactions, key=lambda m: (m.occurred_at, m.id)):
        own = m.direction == "inbound" and m.answer_kind not in ANSWERS_TO_US
        out.setdefault(m.contact_id, []).append((m.occurred_at, m.id, m.direction, own))
    return out


def answers_request(timeline: list[tuple], item) -> bool:
    """Whether the message logged as `item` went to a customer whose own latest request
    (before it) had not been answered by any message of ours yet: answering them is a
    service message, even when it was sent as a new conversation."""
    waiting = False
    for when_, message_id, direction, own in timeline:
        if message_id == item.object_id or when_ > item.sandbox_time:
            break
        if own:
            waiting = True
        elif direction == "outbound":
            waiting = False
    return waiting
