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


def _corrections(log, contact_id, recorded) -> list[tuple[object, dict, str]]:
    """(the customer's reply, one correction in it, the corrected record's words) for each
    need or preference they corrected ("that is not something I need at all" asks for
    nothing to be recorded, so it is left out)."""
    out = []
    for reply in replies(log, contact_id, "needs_reply").values():
        for fix in (reply.after.get("details") or {}).get("corrected") or []:
            if fix.get("is") not in ("need", "preference"):
                continue
            key = (
                ("need", fix["need_id"]) if "need_id" in fix else ("pref", fix.get("preference_id"))
            )
            if key in recorded:
                out.append((reply, fix, recorded[key]))
    return out


def _followed(log, contact_id, reply, fix, old_text: str) -> bool:
    """Whether the learner recorded what the customer said after their correction: a
    preference for "that is a preference, not a need", a need for "I need that, it is not a
    preference", the right need for a wrong value."""
    verb = "preference.recorded" if fix.get("is") == "preference" else "need.recorded"
    value = fix.get("value") or ""
    moved = "preference_id" in fix or fix.get("is") == "preference"  # same words, other kind
    for item in as_log(log).of(verb):
        if item.seq <= reply.seq or item.after_contact_id != contact_id:
            continue
        words = item.after.get("description") or ""
        if matches(words, value) or (moved and matches(words, old_text)):
            return True
    return False


@register("needs_not_preferences", NeedsNotPreferences)
def needs_not_preferences(state, log, scenario, p: NeedsNotPreferences) -> CheckResult:
    """Passes when each `needs` keyword appears in a recorded need (not only a preference),
    each `preferences` keyword appears in a preference (not in a need), and every need the
    customer corrected in their reply to a needs summary was recorded again as they said (a
    preference they said is not a need, recorded as a preference; a need recorded as a
    preference, recorded as a need; a wrong value, recorded with the right one)."""
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    # the whole tables, read once for all the checks of an evaluation
    own_needs = [n for n in state.all(Need) if n.contact_id == contact_id]
    own_prefs = [x for x in state.all(Preference) if x.contact_id == contact_id]
    needs = [n.description.lower() for n in own_needs]
    prefs = [x.description.lower() for x in own_prefs]
    problems = []
    for word in p.needs:
        if not any(word.lower() in n for n in needs):
            problems.append(f"'{word}' is a need, so record it as a need")
    for word in p.preferences:
        if any(word.lower() in n for n in needs):
            problems.append(f"'{word}' is a preference, not a need")
        elif not any(word.lower() in x for x in prefs):
            problems.append(f"'{word}' is not recorded as a preference")
    recorded = {("need", n.id): n.description for n in own_needs}
    recorded.update({("pref", x.id): x.description for x in own_prefs})
    evidence = [
        i.seq
        for i in log.of("need.recorded", "preference.recorded")
        if i.after_contact_id == contact_id
    ]
    for reply, fix, old in _corrections(log, contact_id, recorded):
        if _followed(log, contact_id, reply, fix, old):
            continue
        evidence.append(reply.seq)
        if fix.get("is") == "preference":
            problems.append(
                f"the customer said '{old}' is a preference, not a need, "
                "and it was not recorded as a preference"
            )
        elif "preference_id" in fix:
            problems.append(
                f"the customer said '{old}' is something they need, and it was not recorded "
                "as a need"
            )
        else:
            problems.append(
                f"the customer corrected '{old}' ('{fix.get('value', '')}'), and the need was "
                "not recorded as they said"
            )
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", sorted(evidence))
    return CheckResult(True, "needs and preferences recorded apart.", sorted(evidence))
