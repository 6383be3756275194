"""Check type `needs_not_preferences`: what the customer needs is recorded as a need and what
they would like as a preference."""

from __future__ import annotations

from ..models import Need, Preference
from . import CheckResult, Params, register
from ._helpers import as_log


class NeedsNotPreferences(Params):
    contact: str
    needs: list[str] = []  # keywords, one per need that must be a need
    preferences: list[str] = []  # keywords, one per item that must be a preference


@register("needs_not_preferences", NeedsNotPreferences)
def needs_not_preferences(state, log, scenario, p: NeedsNotPreferences) -> CheckResult:
    """Passes when each `needs` keyword appears in a recorded need (not only a preference) and
    each `preferences` keyword appears in a preference (not in a need)."""
    contact_id = state.id_of("contacts", p.contact)
    # the whole tables, read once for all the checks of an evaluation
    needs = [n.description.lower() for n in state.all(Need) if n.contact_id == contact_id]
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
    evidence = [
        i.seq
        for i in as_log(log).of("need.recorded", "preference.recorded")
        if i.after_contact_id == contact_id
    ]
    if problems:
        return CheckResult(False, "; ".join(problems) + ".", evidence)
    return CheckResult(True, "needs and preferences recorded apart.", evidence)
