"""What the needs checks share (`needs_not_preferences`, `need_confirmed_before_action`,
`actions_in_order`): the customer's persona is the truth, and whether a record says one of its
needs is `services/customers/matching.py`'s judgement, the same one the simulated customer
uses when it confirms or corrects a summary. Never a keyword of free text."""

from __future__ import annotations

from typing import Literal

from ..models import Need, Preference
from ..models.contacts import NEED_TYPE_LABELS
from ..services.customers import matching
from ._helpers import as_log, replies

# Which of the persona's needs (or preferences) a check is about: every one ("all"), or a list
# of the persona items' `key`s or types (a type picks every item of that type).
Selection = Literal["all"] | list[str]


def persona_of(scenario, contact_key: str):
    """The persona the scenario gives this opening contact, or None."""
    if scenario is None:
        return None
    for contact in scenario.opening.contacts:
        if contact.key == contact_key:
            return contact.persona
    return None


def select(items, selection: Selection) -> tuple[list[int], list[str]]:
    """(the indexes of the persona items picked, the names that pick none)."""
    if selection == "all":
        return list(range(len(items))), []
    picked: list[int] = []
    unknown = []
    for name in selection:
        found = [i for i, item in enumerate(items) if name in (item.key, item.type)]
        if not found:
            unknown.append(name)
        picked += [i for i in found if i not in picked]
    return picked, unknown


def scenario_problem(persona, *unknown: list[str]) -> str | None:
    """A check's message when its params cannot be judged (a scenario writer's mistake)."""
    if persona is None:
        return "(scenario error: this customer has no persona to judge the record against)"
    names = [n for group in unknown for n in group]
    if names:
        return f"(scenario error: the persona has no need or preference {names})"
    return None


class Records:
    """One customer's needs and preferences as the CRM holds them, each read against the
    persona once."""

    def __init__(self, state, persona, contact_id: int | None):
        self.persona = persona
        self.needs = [n for n in state.all(Need) if n.contact_id == contact_id]
        self.prefs = [x for x in state.all(Preference) if x.contact_id == contact_id]
        # the persona need each need record states (type and value), or None
        self.need_states = {
            n.id: matching.need_stated(persona, n.need_type, n.description) for n in self.needs
        }
        # every persona item each record says by value (several: keyword stuffing)
        self.says = {("need", n.id): matching.states(persona, n.description) for n in self.needs}
        self.says.update(
            {("pref", x.id): matching.states(persona, x.description) for x in self.prefs}
        )

    def needs_stating(self, index: int) -> list:
        return [n for n in self.needs if self.need_states[n.id] == index]

    def prefs_saying(self, kind: str, index: int) -> list:
        return [x for x in self.prefs if (kind, index) in self.says[("pref", x.id)]]

    def needs_saying(self, kind: str, index: int) -> list:
        return [n for n in self.needs if (kind, index) in self.says[("need", n.id)]]

    def stuffed(self) -> list:
        return [n for n in self.needs if len(self.says[("need", n.id)]) > 1]

    def held(self) -> str:
        """What the record holds, in words: "2 needs (Timescale; Budget) and 1 preference"."""
        kinds = sorted({NEED_TYPE_LABELS.get(n.need_type, "no type") for n in self.needs})
        needs = f"{len(self.needs)} need{'s' if len(self.needs) != 1 else ''}"
        if kinds:
            needs += f" ({'; '.join(kinds)})"
        prefs = f"{len(self.prefs)} preference{'s' if len(self.prefs) != 1 else ''}"
        return f"{needs} and {prefs}"


def told(log, contact_id: int | None, persona) -> set[str]:
    """The persona values this customer has told the learner in their messages (answers,
    additions and corrections)."""
    out: set[str] = set()
    for reply in replies(as_log(log), contact_id).values():
        details = reply.after.get("details") or {}
        for key in ("revealed", "added", "corrected"):
            out.update(item.get("value") for item in details.get(key) or [] if item.get("value"))
    return out


def corrections(log, contact_id: int | None) -> dict[tuple[str, int], object]:
    """The customer's reply that corrected each record ("need", id) or ("pref", id)."""
    out: dict[tuple[str, int], object] = {}
    for reply in replies(as_log(log), contact_id, "needs_reply").values():
        for fix in (reply.after.get("details") or {}).get("corrected") or []:
            if "need_id" in fix:
                out.setdefault(("need", fix["need_id"]), reply)
            elif "preference_id" in fix:
                out.setdefault(("pref", fix["preference_id"]), reply)
    return out


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
