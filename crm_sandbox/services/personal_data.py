"""Personal data (UK GDPR): a learner's copy of everything held about them, and erasure.

What a learner gets (`export_learner`): their account, their sessions, their groups, every
sandbox they own with its action log (their work in the CRM, with the values before and after
each change), their attempts, the check results, and the assessors' judgements and decisions.

What erasure does (`erase_learner`), in one transaction:
- the account is anonymised: name "Erased user", email "erased-user-<id>@invalid", password
  hash cleared (no password can match), account disabled, every session ended and its rows
  (with the browser names) deleted, one-time form tokens deleted;
- in every sandbox the learner owns, every action-log payload (the values before and after,
  and the actor's name) is set to NULL. The database allows exactly this one change to the log
  (see the migration c7e2d1a9b845); the chain covers each payload's hash, not the payload, so
  `crm-sandbox log verify` still passes;
- each of those sandboxes' logs records the erasure (verb `personal_data_erased`), and the
  register `personal_data_erasures` says who erased whom, when, and how much.

Kept, no longer linked to a person: the sandboxes' CRM records (made-up customers and the
learner's notes about them: assessed coursework), attempts, judgements and decisions (the
college keeps assessment records for its awarding body's quality assurance).
"""

from __future__ import annotations

from sqlalchemy import delete, null, select, update

from .. import database
from ..models import (
    ActionLogEntry,
    Attempt,
    Decision,
    Erasure,
    FormSubmission,
    Group,
    Judgement,
    Role,
    Sandbox,
    User,
    UserSession,
    db,
    group_members,
)
from ..models.base import utcnow
from ..wording import article
from . import accounts, action_log
from .context import SandboxContext
from .errors import ServiceError
from .staff_audit import record_staff_action

ERASED_NAME = "Erased user"
ERASED_VERB = "personal_data_erased"


def erased_email(user: User) -> str:
    """The placeholder email an erased account gets: unique per account and undeliverable."""
    return f"erased-user-{user.id}@invalid"


def is_erased(user: User) -> bool:
    """Whether the account has been erased (its email is the erased placeholder)."""
    return user.email == erased_email(user)


def _when(value):
    return value.isoformat() if value is not None else None


def _owned_sandboxes(user: User) -> list[Sandbox]:
    return list(
        db.session.scalars(select(Sandbox).where(Sandbox.owner_id == user.id).order_by(Sandbox.id))
    )


def _log(sandbox: Sandbox) -> list[dict]:
    rows = db.session.scalars(
        select(ActionLogEntry)
        .where(ActionLogEntry.sandbox_id == sandbox.id)
        .order_by(ActionLogEntry.seq)
        .execution_options(**database.streaming(2000))
    )
    return [
        {
            "seq": e.seq,
            "real_time": _when(e.real_time),
            "sandbox_time": _when(e.sandbox_time),
            "verb": e.verb,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "by_you": e.actor_id == sandbox.owner_id,
            "payload": e.payload,
            "entry_hash": e.entry_hash,
        }
        for e in rows
    ]


def _assessor_name(user: User | None) -> str:
    return user.name if user is not None else ""


def export_learner(user: User) -> dict:
    """Everything held about a learner, as JSON-ready data."""
    groups = db.session.scalars(
        select(Group)
        .join(group_members, group_members.c.group_id == Group.id)
        .where(group_members.c.user_id == user.id)
        .order_by(Group.name)
    )
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.learner_id == user.id).order_by(Attempt.id)
    ).all()
    attempt_ids = [a.id for a in attempts]
    judgements = db.session.scalars(
        select(Judgement).where(Judgement.attempt_id.in_(attempt_ids)).order_by(Judgement.id)
    ).all()
    decisions = db.session.scalars(
        select(Decision).where(Decision.attempt_id.in_(attempt_ids)).order_by(Decision.id)
    ).all()
    return {
        "about": (
            "All the personal data the CRM Sandbox holds about you: your account, your work "
            "in your practice CRMs (every recorded action), your scenario attempts and your "
            "assessors' feedback."
        ),
        "exported_at": _when(utcnow()),
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "active": bool(user.active),
            "created_at": _when(user.created_at),
            "groups": [{"id": g.id, "name": g.name} for g in groups],
        },
        "sessions": [
            {
                "started_at": _when(s.created_at),
                "last_seen_at": _when(s.last_seen_at),
                "ended_at": _when(s.revoked_at),
                "browser": s.user_agent,
            }
            for s in sessions
        ],
        "sandboxes": [
            {
                "id": s.id,
                "kind": s.kind,
                "title": s.title,
                "organisation": s.organisation.name if s.organisation else "",
                "created_at": _when(s.created_at),
                "submitted": bool(s.read_only),
                "resets": s.reset_count,
                "action_log": _log(s),
            }
            for s in _owned_sandboxes(user)
        ],
        "attempts": [
            {
                "id": a.id,
                "scenario_id": a.scenario_id,
                "sandbox_id": a.sandbox_id,
                "status": a.status,
                "assigned_at": _when(a.assigned_at),
                "started_at": _when(a.started_at),
                "due_at": _when(a.due_at),
                "submitted_at": _when(a.submitted_at),
                "declaration": a.declaration,
                "hints_used": a.hints_used,
                "checks_run": a.checks_run,
                "latest_score": a.latest_score,
                "latest_results": a.latest_results,
                "judgements": [
                    {
                        "criterion": j.criterion_id,
                        "decision": j.decision,
                        "comment": j.comment,
                        "assessor": _assessor_name(j.assessor),
                        "at": _when(j.created_at),
                    }
                    for j in judgements
                    if j.attempt_id == a.id
                ],
                "decisions": [
                    {
                        "outcome": d.outcome,
                        "feedback": d.feedback,
                        "assessor": _assessor_name(d.assessor),
                        "at": _when(d.created_at),
                    }
                    for d in decisions
                    if d.attempt_id == a.id
                ],
            }
            for a in attempts
        ],
    }


def find_learner_to_erase(email: str) -> User:
    """The account with this email, for the erase and export commands; a clear error if there is
    none."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise ServiceError(f"No account has the email address {email!r}.", "email")
    return user


def confirm_erasure(user: User, typed_email: str) -> None:
    """Refuse an erasure unless the one asking typed the learner's email address (any case,
    spaces around it ignored): erasure cannot be undone, and the address names who goes."""
    if (typed_email or "").strip().lower() != user.email.lower():
        raise ServiceError(
            "That is not this learner's email address; nothing was erased.", "confirm_email"
        )


def erase_learner(user: User, erased_by: User | None = None) -> Erasure:
    """Erase a learner's personal data (see the module's docstring); flushes, does not
    commit. Refuses other roles and accounts already erased."""
    if user.role != Role.LEARNER.value:
        raise ServiceError(
            f"Only learners' accounts are erased here; {user.email} is "
            f"{article(user.role)} account "
            "(disable it instead, or change its role first). Nothing was changed."
        )
    if is_erased(user):
        raise ServiceError(f"Account {user.id} has already been erased. Nothing was changed.")
    sandboxes = _owned_sandboxes(user)
    total = 0
    for sandbox in sandboxes:
        # Take the log's lock first (PostgreSQL; SQLite's write transaction already holds it),
        # so no entry is appended between erasing the payloads and recording the erasure.
        action_log.lock_sandbox(sandbox)
        erased = db.session.execute(
            update(ActionLogEntry)
            .where(ActionLogEntry.sandbox_id == sandbox.id, ActionLogEntry.payload.is_not(None))
            .values(payload=null())
            .execution_options(synchronize_session=False)
        ).rowcount
        total += erased
        ctx = SandboxContext(sandbox, erased_by, actor_label_override="Administrator")
        action_log.record(ctx, ERASED_VERB, "user", user.id, after={"log_payloads_erased": erased})
    user.name = ERASED_NAME
    user.email = erased_email(user)
    user.password_hash = ""  # no password hash: no password can ever match
    # Not accounts.set_active: the erasure is one staff action with one audit row (below),
    # and the sessions it would end are deleted next.
    user.active = False
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(delete(FormSubmission).where(FormSubmission.user_id == user.id))
    erasure = Erasure(
        user_id=user.id,
        erased_by_id=erased_by.id if erased_by is not None else None,
        sandboxes=len(sandboxes),
        log_payloads_erased=total,
    )
    db.session.add(erasure)
    db.session.flush()
    record_staff_action(
        "account.erased",
        "user",
        user.id,
        actor=erased_by,
        learner_id=user.id,
        after={"sandboxes": len(sandboxes), "log_payloads_erased": total},
    )
    return erasure


def verify_logs(user: User) -> list[action_log.VerifyResult]:
    """Re-verify the action-log chain of every sandbox the user owns."""
    return [action_log.verify(s.id) for s in _owned_sandboxes(user)]
