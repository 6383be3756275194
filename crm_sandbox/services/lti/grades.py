"""Grades back to the learning platform (LTI Assignment and Grade Services, AGS 2.0).

When the learner presses Check my work or submits an attempt opened from a platform's link,
and when the assessor signs it off, the score is put in the outbox (kind `lti.score`) in the
same transaction as the work, and sent afterwards with PyLTI1p3 by `send_score`:

- after Check my work: `activityProgress` InProgress, `gradingProgress` PendingManual (the
  automatic check is not the final judgement), `scoreGiven` the automatic score x 100 (after
  the hints' cost) out of 100;
- after submitting: the same with `activityProgress` Submitted;
- after the assessor's decision: `activityProgress` Completed, `gradingProgress` FullyGraded,
  `scoreGiven` 100 when the work is met and 0 when it is not yet met (the assessor's decision
  is the grade; the automatic score was only ever pending), with the decision in the comment
  and the address of the learner's feedback page.

Each score carries the log entry's real time as its timestamp, so a resend is the same score
and the platform keeps the newest. Its key is `lti-score:<attempt>:<log seq>` and it
supersedes the attempt's scores not yet sent, so an older score never lands after a newer one.
A platform that is down (a connection error, 5xx, 429) is tried again with the outbox's
back-off; a refusal (401/403: the token or its scope; any other 4xx) fails the message with
the platform's words, and an admin sends it again once the cause is fixed: nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import current_app, has_app_context, has_request_context, url_for
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector
from sqlalchemy import func, select

from ...models import (
    Attempt,
    AttemptStatus,
    Group,
    LtiAttemptLink,
    LtiContext,
    LtiRegistration,
    LtiResourceLink,
    OutboxMessage,
    OutboxStatus,
    User,
    db,
)
from .. import action_log, outbox
from ..assessment import DECISION_LABELS, title_of
from .tool_conf import pylti_registration

KIND = "lti.score"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
# How long one request to the platform may take before the outbox tries again later.
TIMEOUT_SECONDS = 20
WAITING = (OutboxStatus.PENDING.value, OutboxStatus.FAILED.value)


def key_prefix(attempt_id: int) -> str:
    return f"lti-score:{attempt_id}:"


def can_send(link: LtiResourceLink) -> bool:
    """Whether the platform offered grades for this link: the score scope, and a line item
    or the right to find or create one."""
    scopes = set(link.ags_scopes or [])
    if SCORE_SCOPE not in scopes:
        return False
    return bool(link.lineitem_url or (link.lineitems_url and LINEITEM_SCOPE in scopes))


def feedback_url(attempt_id: int) -> str:
    """The absolute address of the learner's feedback page: from the request when there is
    one (the assessor signing off), else from SERVER_NAME (the command line, a background
    job); empty when neither says where the site is."""
    if has_request_context():
        return url_for("learner.feedback", attempt_id=attempt_id, _external=True)
    if has_app_context() and current_app.config.get("SERVER_NAME"):
        adapter = current_app.create_url_adapter(None)  # SERVER_NAME, APPLICATION_ROOT, scheme
        return adapter.build("learner.feedback", {"attempt_id": attempt_id}, force_external=True)
    return ""


def _percent(score) -> float:
    return round(max(0.0, min(float(score or 0), 1.0)) * 100, 2)


def _score_for(entry, attempt: Attempt) -> tuple[dict, str] | None:
    """The AGS score for this log entry, and a line for people; None when none is due."""
    after = (entry.payload or {}).get("after") or {}
    timestamp = entry.real_time.isoformat()
    if entry.verb in ("scenario.checked", "scenario.submitted"):
        if attempt.status == AttemptStatus.ASSESSED.value:
            return None  # signed off: the final grade stands
        given = _percent(after.get("score"))
        submitted = entry.verb == "scenario.submitted"
        score = {
            "scoreGiven": given,
            "scoreMaximum": 100,
            "activityProgress": "Submitted" if submitted else "InProgress",
            "gradingProgress": "PendingManual",
            "timestamp": timestamp,
            "comment": (
                f"{'Submitted' if submitted else 'Checked'}: the automatic checks give "
                f"{given:g}%. Not final: an assessor judges the work."
            ),
        }
        return score, f"Score {given:g}% ({'submitted' if submitted else 'checked'})"
    if entry.verb == "assessment.decided":
        outcome = after.get("outcome")
        if outcome not in DECISION_LABELS:
            return None
        decision = DECISION_LABELS[outcome]
        url = feedback_url(attempt.id)
        where = url or "open this activity"  # no address known: the activity is the way in
        score = {
            "scoreGiven": 100 if outcome == "met" else 0,
            "scoreMaximum": 100,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": timestamp,
            "comment": (
                f"Assessor's decision: {decision}. Read the assessor's feedback in the CRM "
                f"Sandbox: {where}"
            ),
        }
        return score, f"{decision} (assessor's decision)"
    return None


def _on_entry(entry, ctx) -> None:
    """Enqueue the score for a linked attempt's Check my work, submission or sign-off."""
    if entry.object_type != "attempt" or entry.object_id is None:
        return
    attempt_link = db.session.get(LtiAttemptLink, entry.object_id)
    if attempt_link is None:
        return  # not opened from a platform: nothing to send
    link = attempt_link.resource_link
    if not can_send(link):
        return
    attempt = db.session.get(Attempt, entry.object_id)
    made = _score_for(entry, attempt)
    if made is None:
        return
    score, what = made
    score["userId"] = attempt_link.identity.subject
    context = link.context
    title = title_of(attempt)
    outbox.enqueue(
        KIND,
        f"{key_prefix(attempt.id)}{entry.seq}",
        {
            "registration_id": context.registration_id,
            "resource_link_pk": link.id,
            "resource_link_id": link.resource_link_id,
            "lineitem": link.lineitem_url,
            "lineitems": link.lineitems_url,
            "scopes": list(link.ags_scopes or []),
            "label": link.title or title,
            "score": score,
        },
        summary=f"{what} for {attempt.learner.name}, {title}",
        group_id=context.group_id,
        attempt_id=attempt.id,
        supersedes=key_prefix(attempt.id),
    )


action_log.subscribe(("scenario.checked", "scenario.submitted", "assessment.decided"), _on_entry)


# ---------------------------------------------------------------- sending


class _Session(requests.Session):
    """PyLTI1p3's requests, with a time limit (it sets none)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers["User-Agent"] = REQUESTS_USER_AGENT

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def platform_words(response: requests.Response) -> str:
    """What the platform said, for people: its error description when it gave one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        words = body.get("error_description") or body.get("error") or body.get("message")
        if words:
            return str(words)[:500]
    return (response.text or response.reason or "").strip()[:500]


def _grade(score: dict) -> Grade:
    grade = (
        Grade()
        .set_score_given(score["scoreGiven"])
        .set_score_maximum(score["scoreMaximum"])
        .set_activity_progress(score["activityProgress"])
        .set_grading_progress(score["gradingProgress"])
        .set_timestamp(score["timestamp"])
        .set_user_id(score["userId"])
    )
    if score.get("comment"):
        grade.set_comment(score["comment"])
    return grade


@outbox.handler(KIND)
def send_score(payload: dict) -> None:
    """Send one score to the platform's line item (found or created by the link when the
    platform gave only its line items URL)."""
    row = db.session.get(LtiRegistration, payload["registration_id"])
    if row is None:
        raise outbox.Refused("The platform's registration was deleted: nowhere to send it.")
    if not row.active:
        raise outbox.Refused(
            f"The registration of {row.name} is switched off: switch it on, then send again."
        )
    name, registration = row.name, pylti_registration(row)
    link = db.session.get(LtiResourceLink, payload.get("resource_link_pk") or 0)
    lineitem_url = payload.get("lineitem") or (link.lineitem_url if link else "")
    db.session.commit()  # no transaction stays open while the platform answers
    with _Session() as session:
        service = AssignmentsGradesService(
            ServiceConnector(registration, session),
            {
                "scope": payload["scopes"],
                "lineitem": lineitem_url,
                "lineitems": payload.get("lineitems") or "",
            },
        )
        try:
            if lineitem_url:
                service.put_grade(_grade(payload["score"]))
            else:
                item = service.find_or_create_lineitem(
                    LineItem()
                    .set_label(payload.get("label") or "CRM Sandbox scenario")
                    .set_score_maximum(100)
                    .set_resource_link_id(payload["resource_link_id"]),
                    find_by="resource_link_id",
                )
                _remember_lineitem(payload.get("resource_link_pk"), item.get_id())
                service.put_grade(_grade(payload["score"]), item)
        except LtiServiceException as exc:
            status = exc.response.status_code
            said = f"{name} answered {status}: {platform_words(exc.response)}"
            if status >= 500 or status in (408, 429):
                raise outbox.Retry(said) from None
            raise outbox.Refused(said) from None
        except LtiException as exc:
            raise outbox.Refused(f"{name}: {exc}") from None


def _remember_lineitem(resource_link_pk: int | None, lineitem_url: str | None) -> None:
    """Keep the line item found or created for a link, so later scores go straight to it."""
    link = db.session.get(LtiResourceLink, resource_link_pk or 0)
    if link is not None and lineitem_url and not link.lineitem_url:
        link.lineitem_url = lineitem_url
    db.session.commit()


# ---------------------------------------------------------------- the tutor's page


@dataclass
class WaitingScore:
    message: OutboxMessage
    learner: str
    scenario: str
    score: str
    platform: str


def platform_names(group: Group) -> list[str]:
    """The platforms whose courses became this group."""
    return list(
        db.session.scalars(
            select(LtiRegistration.name)
            .join(LtiContext, LtiContext.registration_id == LtiRegistration.id)
            .where(LtiContext.group_id == group.id)
            .distinct()
            .order_by(LtiRegistration.name)
        )
    )


def _latest_per_attempt(group: Group):
    """The newest score message of each of the group's attempts (superseded ones never
    count): an older score refused or waiting no longer matters once a newer one is sent."""
    return (
        select(func.max(OutboxMessage.id))
        .where(
            OutboxMessage.kind == KIND,
            OutboxMessage.group_id == group.id,
            OutboxMessage.status != OutboxStatus.SUPERSEDED.value,
        )
        .group_by(OutboxMessage.attempt_id)
    )


def waiting_scores(group: Group) -> list[WaitingScore]:
    """The group's scores not yet on the platform: each attempt's newest score while it is
    pending (waiting for its next try) or failed (refused by the platform), oldest first.
    The caller has checked the person may see the group (`groups.get_group`)."""
    rows = db.session.execute(
        select(OutboxMessage, Attempt, User.name)
        .join(Attempt, Attempt.id == OutboxMessage.attempt_id)
        .join(User, User.id == Attempt.learner_id)
        .where(
            OutboxMessage.kind == KIND,
            OutboxMessage.group_id == group.id,
            OutboxMessage.status.in_(WAITING),
            OutboxMessage.id.in_(_latest_per_attempt(group)),
        )
        .order_by(OutboxMessage.id)
    ).all()
    names = dict(
        db.session.execute(
            select(LtiRegistration.id, LtiRegistration.name).where(
                LtiRegistration.id.in_({m.payload.get("registration_id") for m, _, _ in rows})
            )
        ).all()
    )
    return [
        WaitingScore(
            message,
            learner,
            title_of(attempt),
            _score_words(message.payload.get("score") or {}),
            names.get(message.payload.get("registration_id"), "the platform"),
        )
        for message, attempt, learner in rows
    ]


def _score_words(score: dict) -> str:
    given = score.get("scoreGiven")
    if score.get("gradingProgress") == "FullyGraded":
        return "Met" if given == score.get("scoreMaximum") else "Not yet met"
    return f"{given:g}% (pending the assessor)" if isinstance(given, int | float) else ""


def waiting_count(group: Group) -> int:
    """How many of the group's scores are not yet on the platform."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == KIND,
            OutboxMessage.group_id == group.id,
            OutboxMessage.status.in_(WAITING),
            OutboxMessage.id.in_(_latest_per_attempt(group)),
        )
    )


__all__ = [
    "KIND",
    "WaitingScore",
    "can_send",
    "feedback_url",
    "platform_names",
    "send_score",
    "waiting_count",
    "waiting_scores",
]
