"""Replaying steps on a library scenario inside a test, for the standards checks' tests: the
real services, customers and checks, on a fresh attempt (committed to the test's own
database, which the `app` fixture throws away)."""

from __future__ import annotations

import uuid

import yaml

from crm_sandbox.models import Interaction, Role, ServiceStandard, StandardFinding, User, db
from crm_sandbox.scenarios import engine
from crm_sandbox.scenarios.loader import library_source
from crm_sandbox.scenarios.selftest import parse_steps


def attempt_with(scenario_id: str, steps):
    """A fresh attempt at the library scenario with `steps` (YAML text or a list) replayed;
    (attempt, keys): the keys name the opening records and what the steps made."""
    scenario, source = library_source(scenario_id)
    learner = User(
        name="Standards test learner",
        email=f"standards-{uuid.uuid4().hex[:12]}@example.org",
        role=Role.LEARNER.value,
        password_hash="!",  # noqa: S106 - nobody signs in as this user
    )
    db.session.add(learner)
    db.session.flush()
    attempt = engine.start_attempt(learner, scenario, source)
    raw = yaml.safe_load(steps) if isinstance(steps, str) else steps
    keys = attempt.keys or {}
    if raw:
        keys = engine.replay(attempt, parse_steps(raw)).keys
    return attempt, keys


def outcomes(scenario_id: str, steps) -> dict:
    """Every check's outcome (CheckOutcome) by check id, after replaying the steps."""
    attempt, _ = attempt_with(scenario_id, steps)
    evaluation = engine.evaluate(attempt)
    return {c.id: c for task in evaluation.tasks for c in task.checks}


def findings(attempt) -> list[StandardFinding]:
    return list(
        db.session.scalars(
            db.select(StandardFinding)
            .where(StandardFinding.sandbox_id == attempt.sandbox_id)
            .order_by(StandardFinding.id)
        )
    )


def standard_messages(attempt) -> list[Interaction]:
    """The messages about standards in the attempt's sandbox, oldest first."""
    return list(
        db.session.scalars(
            db.select(Interaction)
            .where(
                Interaction.sandbox_id == attempt.sandbox_id,
                Interaction.standard_id.is_not(None),
            )
            .order_by(Interaction.occurred_at, Interaction.id)
        )
    )


def standard(keys: dict, key: str) -> ServiceStandard:
    return db.session.get(ServiceStandard, keys["standards"][key])
