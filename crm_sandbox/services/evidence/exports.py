"""The pack's files for machines, and the pack itself: the action log as CSV (safe to open in
a spreadsheet) and as JSON with its hashes and each sandbox's chain head, xAPI statements for
a learning record store, and the ZIP with a manifest of every file's hash and size.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_app_context

from ...models import ActionLogEntry, StaffAuditEntry, User
from ...models.base import utcnow
from .. import staff_audit
from ..action_log import canonical_json
from .gathering import AttemptEvidence, Evidence, _actor_label, _own_values, gather
from .pdf import report_pdf

PACK_FORMAT = "crm-sandbox-evidence-pack"
PACK_VERSION = 1
PDF_NAME = "report.pdf"
CSV_NAME = "action_log.csv"
JSON_NAME = "action_log.json"
XAPI_NAME = "xapi.jsonl"
MANIFEST_NAME = "manifest.json"
CONTENT_FILES = (PDF_NAME, CSV_NAME, JSON_NAME, XAPI_NAME)
XAPI_BASE = "https://crm-sandbox.invalid/xapi"
DEFAULT_HOME_PAGE = "https://crm-sandbox.invalid"
CSV_HEADER = (
    "attempt_id",
    "seq",
    "real_time_utc",
    "sandbox_time",
    "actor",
    "verb",
    "object_type",
    "object_id",
    "before",
    "after",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _payload_part(entry: ActionLogEntry, key: str):
    return entry.payload.get(key) if entry.payload else None


def spreadsheet_safe(value) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json_cell(value) -> str:
    return "" if value is None else canonical_json(value)


def action_log_csv(evidence: Evidence) -> bytes:
    """Every entry of every attempt's log, one row each, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in evidence.attempts:
        for entry in item.entries:
            row = (
                item.attempt.id,
                entry.seq,
                entry.real_time.astimezone(UTC).isoformat(),
                entry.sandbox_time.isoformat(),
                _actor_label(entry),
                entry.verb,
                entry.object_type,
                entry.object_id,
                _json_cell(_payload_part(entry, "before")),
                _json_cell(_payload_part(entry, "after")),
            )
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _entry_json(entry: ActionLogEntry) -> dict:
    # real_time and sandbox_time are kept exactly as the hash covers them (isoformat()).
    return {
        "seq": entry.seq,
        "actor_id": entry.actor_id,
        "actor": _actor_label(entry),
        "real_time": entry.real_time.isoformat(),
        "sandbox_time": entry.sandbox_time.isoformat(),
        "verb": entry.verb,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "payload": entry.payload,
        "payload_hash": entry.payload_hash,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _chain_head(item: AttemptEvidence) -> dict:
    sandbox = item.attempt.sandbox
    return {
        "attempt_id": item.attempt.id,
        "sandbox_id": sandbox.id,
        "log_seq": sandbox.log_seq,
        "log_head": sandbox.log_head,
        # Copied, never recomputed: a pack must not vouch for a head the key never signed.
        "log_mac": sandbox.log_mac,
    }


def _criteria_json(item: AttemptEvidence) -> list[dict]:
    """The attempt's criteria (its group's qualification's), numbered, each with the judgement
    that counts on it, if any."""
    latest = {j.criterion_id: j for j in item.latest_judgements}
    rows = []
    for criterion in item.criteria:
        judgement = latest.get(criterion.id)
        rows.append(
            {
                "id": criterion.id,
                "number": criterion.number,
                "outcome_number": criterion.outcome_number,
                "text": criterion.text,
                "judgement": None
                if judgement is None
                else {
                    "decision": judgement.decision,
                    "comment": judgement.comment,
                    "assessor": judgement.assessor.name,
                    "real_time": judgement.created_at.astimezone(UTC).isoformat(),
                },
            }
        )
    return rows


def _times(item: AttemptEvidence) -> dict:
    """When the work was set and when the learner first opened it (None: not started)."""
    attempt = item.attempt
    return {
        "assigned_at": attempt.assigned_at.astimezone(UTC).isoformat(),
        "started_at": attempt.started_at.astimezone(UTC).isoformat()
        if attempt.started_at
        else None,
    }


def action_log_json(evidence: Evidence) -> bytes:
    """The same entries with their hashes and each sandbox's chain head, to re-verify."""
    data = {
        "format": "crm-sandbox-action-log",
        "version": PACK_VERSION,
        "hash": "entry_hash = sha256(prev_hash + canonical JSON of the header fields)",
        "sandboxes": [
            {
                **_chain_head(item),
                "scenario_id": item.attempt.scenario_id,
                "qualification": item.body_id,
                "criteria": _criteria_json(item),
                **_times(item),
                "entries": [_entry_json(entry) for entry in item.entries],
                "staff_actions": [_staff_action_json(e) for e in item.staff_actions],
            }
            for item in evidence.attempts
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _staff_action_json(entry: StaffAuditEntry) -> dict:
    data = staff_audit.entry_json(entry)
    data["after"] = _own_values(entry.after)
    return data


def home_page() -> str:
    """The site's address for xAPI accounts: SERVER_NAME when configured."""
    server = current_app.config.get("SERVER_NAME") if has_app_context() else None
    if not server:
        return DEFAULT_HOME_PAGE
    if "://" in server:
        return server.rstrip("/")
    scheme = current_app.config.get("PREFERRED_URL_SCHEME") or "http"
    return f"{scheme}://{server}"


def statement_id(sandbox_id: int, seq: int) -> str:
    """The xAPI statement id of a log entry: the same in every export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{XAPI_BASE}/sandbox/{sandbox_id}/entry/{seq}"))


def registration_id(attempt_id: int) -> str:
    """The xAPI registration of an attempt: the same in every export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{XAPI_BASE}/attempt/{attempt_id}"))


def xapi_statement(
    entry: ActionLogEntry, attempt_id: int, home: str, scenario_id: str | None = None
) -> dict:
    """One log entry as an xAPI 1.0.3 statement (valid against Ralph's model, which the tests
    check; services/xapi.py sends these very statements to an LRS). The attempt is the
    registration; the scenario, when given, the parent activity; Check my work and the
    submission carry the score, a judgement or sign-off whether it was met."""
    object_id = f"{XAPI_BASE}/sandbox/{entry.sandbox_id}/{entry.object_type}"
    if entry.object_id is not None:
        object_id += f"/{entry.object_id}"
    statement = {
        "id": statement_id(entry.sandbox_id, entry.seq),
        "actor": {
            "objectType": "Agent",
            "account": {
                "homePage": home,
                "name": str(entry.actor_id) if entry.actor_id is not None else "system",
            },
        },
        "verb": {"id": f"{XAPI_BASE}/verbs/{entry.verb}", "display": {"en-GB": entry.verb}},
        "object": {"objectType": "Activity", "id": object_id},
        "context": {
            "registration": registration_id(attempt_id),
            "extensions": {f"{XAPI_BASE}/sandbox-time": entry.sandbox_time.isoformat()},
        },
        "timestamp": entry.real_time.astimezone(UTC).isoformat(),
    }
    if scenario_id:
        statement["context"]["contextActivities"] = {
            "parent": [{"objectType": "Activity", "id": f"{XAPI_BASE}/scenario/{scenario_id}"}]
        }
    after = _payload_part(entry, "after")
    if isinstance(after, dict):
        scored = entry.verb in ("scenario.checked", "scenario.submitted")
        if scored and isinstance(after.get("score"), int | float):
            statement["result"] = {"score": {"scaled": after["score"]}}
            if isinstance(after.get("score_before_hints"), int | float):  # hints cost some
                statement["result"]["extensions"] = {
                    f"{XAPI_BASE}/score-before-hints": after["score_before_hints"],
                    f"{XAPI_BASE}/hint-cost": after.get("hint_cost") or 0,
                }
            if entry.verb == "scenario.submitted":
                statement["result"]["completion"] = True
        elif entry.verb == "scenario.hint_viewed" and after.get("tier"):
            statement["context"]["extensions"][f"{XAPI_BASE}/hint-tier"] = after["tier"]
        elif entry.verb == "assessment.judged" and after.get("decision") in ("met", "not_yet_met"):
            # One criterion's judgement; the assessor's comment stays in the pack's log.
            statement["result"] = {"success": after["decision"] == "met"}
            if after.get("criterion"):
                statement["context"]["extensions"][f"{XAPI_BASE}/criterion"] = after["criterion"]
        elif after.get("outcome") in ("met", "not_yet_met"):  # an assessment decision
            statement["result"] = {"success": after["outcome"] == "met"}
    return statement


def xapi_lines(evidence: Evidence) -> bytes:
    """Every log entry of every attempt as an xAPI statement, one JSON object a line."""
    home = home_page()
    lines = [
        canonical_json(xapi_statement(entry, item.attempt.id, home, item.attempt.scenario_id))
        for item in evidence.attempts
        for entry in item.entries
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack_filename(learner: User, on: datetime | None = None) -> str:
    """evidence-<email local part>-<date>.zip, safe as a file name."""
    local = re.sub(r"[^A-Za-z0-9._-]", "_", learner.email.split("@", 1)[0]) or "learner"
    return f"evidence-{local}-{(on or utcnow()).date().isoformat()}.zip"


def build_pack(learner: User, viewer: User | None = None) -> bytes:
    """The learner's evidence pack as ZIP bytes (needs an app context, not a request): all
    their work, or only what `viewer`, a member of staff, may see (see `gather`)."""
    evidence = gather(learner, viewer)
    data = {
        CSV_NAME: action_log_csv(evidence),
        JSON_NAME: action_log_json(evidence),
        XAPI_NAME: xapi_lines(evidence),
    }
    # The report prints the other files' hashes, so a reader of the paper copy can match it
    # to the pack's files (it cannot print its own).
    report = report_pdf(evidence, {name: _sha256(content) for name, content in data.items()})
    files = {PDF_NAME: report, **data}
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "generated_at": evidence.generated_at.isoformat(),
        "learner": {"id": learner.id, "name": learner.name, "email": learner.email},
        "files": {
            name: {"sha256": _sha256(data), "size": len(data)} for name, data in files.items()
        },
        "attempts": [
            {
                **_chain_head(item),
                "scenario_id": item.attempt.scenario_id,
                "status": item.attempt.status,
                "qualification": item.body_id,
                "criteria": [{"id": c.id, "number": c.number} for c in item.criteria],
                **_times(item),
            }
            for item in evidence.attempts
        ],
    }
    files[MANIFEST_NAME] = json.dumps(
        manifest, indent=1, ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def write_pack(learner: User, out_dir: str | Path) -> Path:
    """Write the learner's pack into a folder (made if missing) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / pack_filename(learner)
    data = build_pack(learner)
    path.write_bytes(data)
    return path
