"""Check type `needs_not_preferences`: what the customer needs is recorded as a need and what
they would like as a preference, and the record follows the customer's corrections."""

from __future__ import annotations

from ..models import Need, Preference
from . import CheckResult, Params, register
from ._helpers import as_log, matches, replies


class NeedsNotPreferences(Params):
    contact: str
    needs: list[str] = []  # keywords, one per need that must be a need
    preferences: list[str] = []  # keywords, one per item that must be a preference


def _corrections(log, contact_id, recorded_needs) -> list[tuple[object, dict]]:
    """(the customer's reply, one correction in it) for each need they corrected."""
    out = []
    for reply in replies(log, contact_id, "needs_reply").values():
        for fix in (reply.after.get("details") or {}).get("corrected") or []:
            if fix.get("need_id") in recorded_needs:
                out.append((reply, fix))
    return out


def _followed(log, contact_id, reply, fix, need_text: str) -> bool:
    """Whether the learner recorded what the customer said after their correction: a
    preference for "that is a preference, not a need", the right need for a wrong value."""
    verb = "preference.recorded" if fix.get("is") == "preference" else "need.recorded"
    value = fix.get("value") or ""
    for item in as_log(log).of(verb):
        if item.seq <= reply.seq or item.after_contact_id != contact_id:
            continue
        words = item.after.get("description") or ""
        if matches(words, value) or (verb == "preference.recorded" and matches(words, need_text)):
            return True
    return False


@register("needs_not_preferences", NeedsNotPreferences)
def needs_not_preferences(state, log, scenario, p: NeedsNotPreferences) -> CheckResult:
    """Passes when each `needs` keyword appears in a recorded need (not only a preference),
    each `preferences` keyword appears in a preference (not in a need), and every need the
    customer corrected in their reply to a needs summary was recorded again as they said (a
    preference they said is not a need, recorded as a preference; a wrong value, recorded
    with the right one)."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    # the whole tables, read once for all the checks of an evaluation
    own_needs = [n for n in state.all(Need) if n.contact_id == contact_id]
    needs = [n.description.lower() for n in own_needs]
    prefs = [x.description.lower() for x in state.all(Preference) if x.contact_id == contact_id]
    problems = []
    for word in p.needs:
        if not any(word.lower() in n for n in needs):
            problems.append(f"'{word}' is a need, so record it as a need")
    for word in p.preferences:
        if any(word.lower() in n for n in needs):
            problems.append(f"'{word}' is a preference, not a need")
        elif not any(word.lower() in x for x in prefs):
            problems.append(f"'{word}' is not recorded as a preference")
    by_id = {n.id: n.description for n in own_needs}
    evidence = [
        i.seq
        for i in log.of("need.recorded", "preference.recorded")
        if i.after_contact_id == contact_id
    ]
    for reply, fix in _corrections(log, contact_id, by_id):
        if _followed(log, contact_id, reply, fix, by_id[fix["need_id"]]):
            continue
        evidence.append(reply.seq)
        if fix.get("is") == "preference":
            problems.append(
                f"the customer said '{by_id[fix['need_id']]}' is a preference, not a need, "
                "and it was not recorded as a preference"
            )
        else:
            problems.append(
                f"the customer corrected '{by_id[fix['need_id']]}' "
                f"('{fix.get('value', '')}'), and the need was not recorded as they said"
            )
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", sorted(evidence))
    return CheckResult(True, "needs and preferences recorded apart.", sorted(evidence))
