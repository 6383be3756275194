"""The scenario library with customers who answer back: every customer a scenario names has a
persona, the learner's texts describe the situation and never hand over what only the customer
knows, hidden needs are found only by asking (and a walk-through that never asks misses them),
and the lifecycle stage is part of the work."""

from __future__ import annotations

import re

import pytest

from crm_sandbox.scenarios.loader import library

CUSTOMERS = {"internal", "external"}
ASKS_REACHING = {"open", "probing"}


def _learner_texts(scenario) -> str:
    """Everything the learner reads: the brief, the contacts' notes, the tasks and hints."""
    parts = [scenario.brief]
    parts += [c.notes for c in scenario.opening.contacts]
    parts += [i.summary for i in scenario.opening.interactions]
    for task in scenario.tasks:
        parts += [task.title, task.instruction, *(h.text for h in task.hints)]
    return re.sub(r"\s+", " ", " ".join(parts)).lower()


def _asks(steps, contact: str) -> set[tuple[str, str]]:
    """(topic, kind) of every question the steps ask this contact."""
    return {
        (s.model_extra["topic"], s.model_extra["kind"])
        for s in steps
        if s.do == "ask" and s.model_extra.get("contact") == contact
    }


@pytest.mark.parametrize("scenario_id", sorted(library()))
def test_every_customer_a_scenario_names_has_a_persona(scenario_id):
    scenario = library()[scenario_id]
    missing = [
        c.key
        for c in scenario.opening.contacts
        if (c.expected_category or c.category) in CUSTOMERS and c.persona is None
    ]
    assert not missing, f"{scenario_id}: customers without a persona: {missing}"


@pytest.mark.parametrize("scenario_id", sorted(library()))
def test_the_learners_texts_never_hand_over_a_hidden_need(scenario_id):
    scenario = library()[scenario_id]
    texts = _learner_texts(scenario)
    for contact in scenario.opening.contacts:
        for need in contact.persona.needs if contact.persona else []:
            if need.hidden:
                assert need.value.lower() not in texts, (scenario_id, contact.key, need.value)


def test_hidden_needs_are_found_only_by_asking_and_a_walkthrough_misses_one():
    """At least three scenarios hide a need that only an open or probing question on its topic
    reveals, which the model answer asks and some walk-through never does (the selftest proves
    that walk-through fails a check)."""
    proven = []
    for scenario_id, scenario in library().items():
        for contact in scenario.opening.contacts:
            for need in contact.persona.needs if contact.persona else []:
                if not need.hidden:
                    continue
                reaching = {(need.type, kind) for kind in ASKS_REACHING}
                if not _asks(scenario.model_answer, contact.key) & reaching:
                    continue  # a hidden need the scenario's tasks do not turn on
                if any(not (_asks(w.steps, contact.key) & reaching) for w in scenario.walkthroughs):
                    proven.append((scenario_id, contact.key))
    assert len({s for s, _ in proven}) >= 3, proven


def test_the_lifecycle_stage_is_checked_in_at_least_two_scenarios():
    checked = {
        scenario_id
        for scenario_id, scenario in library().items()
        for _task, check in scenario.checks()
        if check.type == "field_equals" and check.params.get("field") == "lifecycle_stage"
    }
    assert len(checked) >= 2, checked
