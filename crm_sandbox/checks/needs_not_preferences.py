"""Check type `needs_not_preferences`: what the customer needs is on their record as a need,
with its type and value as they said it, and what they would only like is a preference, not a
need. Judged against the customer's persona (the scenario's truth), by the same judgement the
simulated customer uses to confirm or correct a summary (`services/customers/matching.py`):
never by keywords of the record's words."""

from __future__ import annotations

from . import CheckResult, Params, not_yet, register
from ._helpers import as_log
from ._needs import (
    Records,
    Selection,
    corrections,
    persona_of,
    plural,
    scenario_problem,
    select,
    told,
)


class NeedsNotPreferences(Params):
    contact: str
    # The persona's needs that must be recorded as needs, and its preferences that must be
    # preferences (never needs): "all", or a list of the persona items' keys or types.
    needs: Selection = []
    preferences: Selection = []


def _missing_need(records: Records, index: int, heard: set[str], log, contact_id) -> str:
    """Why a persona need is not on the record as a need, in words that say what the record
    holds and where to look, never the need itself."""
    persona = records.persona
    item = persona.needs[index]
    fixes = corrections(log, contact_id)
    if any(("need", index) in records.says[("need", n.id)] for n in records.stuffed()):
        return (
            "a need on the record lists several things at once: record each need on its own, "
            "so that each can be confirmed and acted on"
        )
    if records.prefs_saying("need", index):
        return (
            "something the customer needs is on the record only as a preference: ask of each "
            "preference whether the service would fail them without it (if so, it is a need)"
        )
    if any(n.need_type and n.need_type != item.type for n in records.needs_saying("need", index)):
        return (
            "a need on the record is filed under another type of need than the customer's: "
            "their reply to your summary on the contact page says what it is about"
        )
    corrected = [n for n in records.needs if ("need", n.id) in fixes]
    if item.value in heard and corrected:
        return (
            "the customer corrected a need on the record in their reply to your summary, and "
            "it has not been recorded again as they said it (read their reply on the contact "
            "page)"
        )
    if item.value in heard:
        return (
            "the customer told you about a need that is not on the record as they said it: "
            "read their answers on the contact page and record each need in their terms"
        )
    if item.hidden:
        return (
            "not every need has come out yet: some needs the customer does not volunteer come "
            "out only to an open or probing question on the right topic"
        )
    return (
        "not every need is on the record yet: ask open questions about what the service must "
        "do for the customer and listen to their answers"
    )


def _preference_problems(records: Records, picked: list[int], log, contact_id) -> list[str]:
    fixes = corrections(log, contact_id)
    problems = []
    for index in picked:
        recorded_as_preference = records.prefs_saying("preference", index)
        # a need the customer corrected in their reply stays on the record (records are never
        # deleted): it is put right by the preference on the record beside it
        as_needs = [
            need
            for need in records.needs_saying("preference", index)
            if ("need", need.id) not in fixes or not recorded_as_preference
        ]
        if as_needs:
            problems.append(
                "a need on the record is something the customer would only like, not an "
                "essential requirement (needs are what the service fails without; preferences "
                "are desirable): summarise the record back to them, and their reply says which"
            )
        elif not recorded_as_preference:
            problems.append(
                "something the customer would like is not on the record as a preference"
            )
    return problems


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@register("needs_not_preferences", NeedsNotPreferences)
def needs_not_preferences(state, log, scenario, p: NeedsNotPreferences) -> CheckResult:
    """Judges the customer's record against their persona. Passes when each persona need
    picked by `needs` is stated by one of the contact's need records (the same type and the
    same value: numbers with their units, dates and times normalised, synonyms such as text /
    SMS; `services/customers/matching.py`, the judgement the simulated customer uses) and
    each persona preference picked by `preferences` is recorded as a preference and is not
    part of any need record (a need record the customer corrected in a reply to a summary is
    put right by the preference recorded beside it: records are never deleted). A record
    that says several needs and preferences at once stands for none.
    `needs` / `preferences`: "all", or a list of the persona items' keys or types. Not yet
    judged until something was recorded for the contact in this attempt."""
    persona = persona_of(scenario, p.contact)
    need_picks, unknown_needs = select(persona.needs, p.needs) if persona else ([], [])
    pref_picks, unknown_prefs = select(persona.preferences, p.preferences) if persona else ([], [])
    problem = scenario_problem(persona, unknown_needs, unknown_prefs)
    if problem:
        return CheckResult(False, problem)
    log = as_log(log)
    contact_id = state.id_of("contacts", p.contact)
    evidence = [
        i.seq
        for i in log.of("need.recorded", "preference.recorded")
        if i.after_contact_id == contact_id
    ]
    if not evidence:
        return not_yet(
            "nothing has been recorded about what this customer needs or would like in this "
            "attempt yet: ask them, then record each need as a need and each thing they would "
            "only like as a preference."
        )
    records = Records(state, persona, contact_id)
    heard = told(log, contact_id, persona)
    problems = []
    missing = [i for i in need_picks if not records.needs_stating(i)]
    for index in missing:
        message = _missing_need(records, index, heard, log, contact_id)
        if message not in problems:
            problems.append(message)
    for message in _preference_problems(records, pref_picks, log, contact_id):
        if message not in problems:
            problems.append(message)
    if problems:
        return CheckResult(
            False,
            f"The record holds {records.held()}. " + _capital("; ".join(problems)) + ".",
            evidence,
        )
    judged = [
        plural(len(picks), word)
        for picks, word in ((need_picks, "need"), (pref_picks, "preference"))
        if picks
    ]
    return CheckResult(
        True,
        "needs and preferences recorded apart, as the customer said them"
        + (f" ({' and '.join(judged)} judged)." if judged else "."),
        evidence,
    )
