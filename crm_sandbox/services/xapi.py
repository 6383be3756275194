"""xAPI statements to a Learning Record Store (LRS), through the outbox.

When an LRS is configured (`CRM_SANDBOX_LRS_URL`, with `_USERNAME` and `_PASSWORD` or
`_PASSWORD_FILE`), each log entry of the verbs in `SENT_VERBS` enqueues the statement the
evidence pack builds for it (`evidence.exports.xapi_statement`, same id, same content), in the
same transaction as the entry: a learner's first opening of an attempt (launched), each Check
my work (with its score), each hint read, the submission, each judgement on a criterion and
the sign-off (met or not yet met). The outbox's key is the statement id, so an entry is one
message; the sender `PUT`s it to `{LRS}/statements?statementId=<id>`, and an LRS keeps one
statement per id, so a statement sent twice (a sender that died after sending) is stored once.

Without a URL nothing is enqueued. The LRS's answers: 2xx sent; 409 (it holds a statement
with this id already) sent; 401/403 (our credentials) and 408, 429, 5xx or no answer: tried
again with the outbox's back-off; any other 4xx: the statement itself is refused, the message
fails with the LRS's words, and an admin can send it again (`/admin/outbox`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from flask import current_app, has_app_context

from ..config import SettingsError, lrs_url
from ..models import ActionLogEntry, Attempt, db
from . import action_log, log_words, outbox

log = logging.getLogger(__name__)

KIND = "xapi.statement"
VERSION = "1.0.3"
# The log's verbs that become statements in the LRS (the evidence pack has every entry).
# "Launched" is the learner's first opening (`scenario.opened`, logged with the learner as
# actor), not `scenario.started`, which the set-up logs when the work is assigned.
SENT_VERBS = (
    "scenario.opened",
    "scenario.checked",
    "scenario.hint_viewed",
    "scenario.submitted",
    "assessment.judged",
    "assessment.decided",
)
# Answers that say "not now" rather than "not this statement".
_TRY_AGAIN = {401, 403, 408, 425, 429}
_WORDS_LIMIT = 600


@dataclass(frozen=True)
class LrsSettings:
    url: str  # the xAPI base, ending in "/"
    username: str
    password: str
    timeout: float

    @property
    def statements_url(self) -> str:
        return self.url + "statements"


def settings(config=None) -> LrsSettings | None:
    """The LRS settings, or None when no LRS is configured. A bad URL (set by a test or a
    config file rather than the environment, which `config.from_environment` checked already)
    is a SettingsError naming the setting."""
    if config is None:
        if not has_app_context():
            return None
        config = current_app.config
    raw = config.get("LRS_URL") or ""
    try:
        url = lrs_url(raw)
    except ValueError as exc:
        raise SettingsError(f"CRM_SANDBOX_LRS_URL: {exc}") from None
    if not url:
        return None
    return LrsSettings(
        url=url,
        username=config.get("LRS_USERNAME") or "",
        password=config.get("LRS_PASSWORD") or "",
        timeout=float(config.get("LRS_TIMEOUT") or 10.0),
    )


def enabled() -> bool:
    """Whether statements are sent (an LRS URL is configured)."""
    return settings() is not None


# ---------------------------------------------------------------- enqueueing


def _on_entry(entry: ActionLogEntry, ctx) -> None:
    """Enqueue the entry's statement (subscribed to SENT_VERBS; in the entry's transaction)."""
    if entry.object_type != "attempt" or entry.object_id is None or not enabled():
        return
    attempt = db.session.get(Attempt, entry.object_id)
    if attempt is None:
        return
    # Imported here: the evidence package imports the scenario engine, which imports the
    # services that import this module's neighbours (a cycle when imported at the top).
    from .evidence import exports

    try:
        statement = exports.xapi_statement(
            entry, attempt.id, exports.home_page(), attempt.scenario_id
        )
        summary = _summary(entry, attempt)
    except Exception:  # a statement we cannot build must not refuse the learner's work
        log.exception("xapi: no statement for %s entry %s", entry.verb, entry.seq)
        return
    outbox.enqueue(
        KIND,
        statement["id"],
        statement,
        summary=summary,
        group_id=_group_id(attempt),
        attempt_id=attempt.id,
    )


def _summary(entry: ActionLogEntry, attempt: Attempt) -> str:
    """A line for the admin's page: "Ada Lovelace, A first complaint: Checked their work…"."""
    title = attempt.sandbox.title if attempt.sandbox is not None else attempt.scenario_id
    said = log_words.describe_entry(entry, limit=80)
    return f"{attempt.learner.name}, {title}: {said}"


def _group_id(attempt: Attempt) -> int | None:
    """The group the work was set in (its assignment's), else the learner's only group."""
    if attempt.assignment is not None and attempt.assignment.group_id is not None:
        return attempt.assignment.group_id
    from ..models.groups import group_members

    groups = list(
        db.session.scalars(
            group_members.select()
            .with_only_columns(group_members.c.group_id)
            .where(group_members.c.user_id == attempt.learner_id)
            .limit(2)
        )
    )
    return groups[0] if len(groups) == 1 else None


action_log.subscribe(SENT_VERBS, _on_entry)


# ---------------------------------------------------------------- sending


def _lrs_words(response: requests.Response) -> str:
    """What the LRS said, short: Ralph's validation errors as "where: what" lines."""
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):  # pydantic's errors, as Ralph (FastAPI) returns them
        # One line per field, the first thing said of it; a union's branch names (capitalised
        # class names such as BaseXapiAgentWithMbox) are left out of the path.
        said: dict[str, str] = {}
        for error in detail:
            if not isinstance(error, dict):
                said.setdefault(str(error), "")
                continue
            loc = error.get("loc", ())
            where = ".".join(str(p) for p in loc if p != "body" and not str(p)[:1].isupper())
            said.setdefault(where or "statement", str(error.get("msg", "")))
        parts = [f"{where}: {msg}" if msg else where for where, msg in list(said.items())[:4]]
        if len(said) > 4:
            parts.append(f"and {len(said) - 4} more")
        text = "; ".join(parts)
    elif detail is not None:
        text = str(detail)
    else:
        text = response.text.strip() or response.reason or ""
    return text[:_WORDS_LIMIT]


@outbox.handler(KIND)
def send_statement(statement: dict) -> None:
    """PUT one statement to the LRS under its own id (see the module's docstring)."""
    lrs = settings()
    if lrs is None:
        raise outbox.Retry("No LRS is configured (CRM_SANDBOX_LRS_URL): kept until there is one.")
    try:
        response = requests.put(
            lrs.statements_url,
            params={"statementId": statement["id"]},
            json=statement,
            headers={"X-Experience-API-Version": VERSION},
            auth=(lrs.username, lrs.password) if lrs.username or lrs.password else None,
            timeout=lrs.timeout,
        )
    except requests.RequestException as exc:
        raise outbox.Retry(f"The LRS did not answer: {exc.__class__.__name__}: {exc}") from None
    code = response.status_code
    if 200 <= code < 300:
        return
    words = _lrs_words(response)
    if code == 409:  # it holds a statement with this id already: ours, or (see below) not
        # An LRS that compares answers 204 for the same statement, so this is most likely a
        # different one under our id (another site or a rebuilt database sending the same
        # stable ids to one LRS): sending again would not change it, so it counts as sent.
        log.warning("xapi: the LRS holds statement %s already: %s", statement["id"], words)
        return
    if code in (401, 403):
        raise outbox.Retry(
            f"The LRS refused our credentials ({code}: {words}): check "
            "CRM_SANDBOX_LRS_USERNAME and CRM_SANDBOX_LRS_PASSWORD."
        )
    if code in _TRY_AGAIN or code >= 500:
        raise outbox.Retry(f"The LRS answered {code}: {words}")
    raise outbox.Refused(f"The LRS refused the statement ({code}): {words}")
