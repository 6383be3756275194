"""After closure: asking the customer for a satisfaction rating, which the simulated
customer answers a working day or two later, and whether that answer has arrived yet."""

from __future__ import annotations

import random

from ...models import db
from ...models.complaints import Complaint, Stage
from .. import action_log
from ..context import SandboxContext
from ..errors import ServiceError


def request_satisfaction(ctx: SandboxContext, complaint: Complaint) -> Complaint:
    """Send the customer a satisfaction rating (1-5 with a comment) after closure; the
    simulated customer answers a working day or two later, deterministically per seed."""
    ctx.require_writable()
    if complaint.stage != Stage.CLOSED.value:
        raise ServiceError("Ask for a satisfaction rating once the complaint is closed.")
    if complaint.satisfaction_requested_at is not None:
        raise ServiceError("A satisfaction rating was already requested for this complaint.")
    now = ctx.now()
    rng = random.Random(f"{ctx.sandbox.seed}:{complaint.reference}")  # noqa: S311 - simulation
    late = any(e.breach for e in complaint.events)
    if complaint.customer_confirmed and not late:
        weights = [1, 2, 8, 30, 40]
    elif complaint.customer_confirmed:
        weights = [3, 8, 25, 30, 14]
    else:
        weights = [30, 30, 20, 8, 2]
    rating = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
    comments = {
        1: "Very disappointed with how this was handled.",
        2: "It took too long and I had to chase.",
        3: "Sorted in the end, but communication could be better.",
        4: "Good service, kept me informed.",
        5: "Excellent, quick and friendly. Thank you.",
    }
    complaint.satisfaction_requested_at = now
    complaint.satisfaction_rating = rating
    complaint.satisfaction_comment = comments[rating]
    complaint.satisfaction_at = ctx.calendar().add(now, rng.choice([4, 8, 12]), "working_hours")
    db.session.flush()
    action_log.record(
        ctx,
        "complaint.satisfaction_requested",
        "complaint",
        complaint.id,
        after={"requested_at": now},
    )
    return complaint


def satisfaction_visible(ctx: SandboxContext, complaint: Complaint) -> bool:
    """Whether the customer's rating has arrived by sandbox time now."""
    return complaint.satisfaction_at is not None and complaint.satisfaction_at <= ctx.now()
