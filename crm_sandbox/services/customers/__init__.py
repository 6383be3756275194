"""The simulated customers: every customer of a sandbox answers from their persona, in
sandbox time, deterministically from (scenario, seed, the learner's actions).

- `persona.py`: the persona's shape (what only the customer knows).
- `persona_for(ctx, contact)`: the scenario's persona for a named customer, else one generated
  from the seed.
- `next_due(ctx, contact, message)`: when the customer next acts on a message just sent
  (answers it, chases a promise that was not kept, complains about unwanted marketing);
  stored on the message as `customer_due_at`, so a page asks "anything due?" with one indexed
  look.
- `due_now(sandbox_id, now)` and `act_on_due(ctx)` (`engine.py`): whether anything is due,
  and making it happen; `answers.py`: what the customer says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ...models import Attempt, Contact, Interaction, Purpose, db
from ..context import SandboxContext
from .engine import act_on_due, due_now, leave, unwanted_marketing
from .generated import generated_persona
from .persona import Persona, Wait

__all__ = [
    "act_on_due",
    "due_now",
    "generated_persona",
    "leave",
    "next_due",
    "persona_for",
]


def _wait(ctx: SandboxContext, start: datetime, wait: Wait) -> datetime:
    if wait.unit in ("working_hours", "working_days"):
        return ctx.calendar().add(start, wait.amount, wait.unit)
    hours = wait.amount * (24 if wait.unit == "days" else 1)
    return start + timedelta(hours=hours)


def _scenario_personas(ctx: SandboxContext) -> dict[int, Persona]:
    """The scenario's personas by contact id (empty for a practice CRM)."""
    row = db.session.execute(
        select(Attempt.scenario_yaml, Attempt.keys).where(Attempt.sandbox_id == ctx.sandbox_id)
    ).first()
    if row is None:
        return {}
    from ...scenarios.loader import scenario_from_snapshot

    scenario = scenario_from_snapshot(row.scenario_yaml)
    ids = (row.keys or {}).get("contacts", {})
    return {
        ids[spec.key]: spec.persona
        for spec in scenario.opening.contacts
        if spec.persona is not None and spec.key in ids
    }


def persona_for(ctx: SandboxContext, contact: Contact) -> Persona:
    """The persona of this contact in this sandbox."""
    persona = _scenario_personas(ctx).get(contact.id)
    if persona is not None:
        return persona
    return generated_persona(ctx.sandbox.seed, contact, ctx.sandbox.profile)


def next_due(ctx: SandboxContext, contact: Contact, message: Interaction) -> datetime | None:
    """When the customer next acts on `message` (None: never, unless something else
    happens)."""
    persona = persona_for(ctx, contact)
    purpose = Purpose(message.purpose) if message.purpose else None
    if purpose is not None and purpose.expects_answer:
        return _wait(ctx, message.occurred_at, persona.replies_within)
    if unwanted_marketing(message, contact, persona):
        return _wait(ctx, message.occurred_at, persona.replies_within)
    if message.promise_by is not None:
        return _wait(ctx, message.promise_by, persona.patience.chase_after)
    return None
