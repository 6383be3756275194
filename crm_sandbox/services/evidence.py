"""The evidence pack: one ZIP per learner with a PDF report for people, the action log as CSV
and JSON, xAPI statements for a learning record store, and a manifest of hashes that lets
anyone check the pack later, without our database (`verify_pack`). Each sandbox's chain head
carries the keyed checkpoint from the database (`log_mac`, see services.action_log): with the
log key, `verify_pack` also proves the chain was not re-hashed, in the database or in the pack.

Building the pack reads only: it never changes a sandbox or its log.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

from flask import current_app, has_app_context
from markdown_it import MarkdownIt
from sqlalchemy import select

from ..criteria import load_catalogue
from ..models import (
    ActionLogEntry,
    Attempt,
    AttemptStatus,
    Decision,
    Judgement,
    StaffAuditEntry,
    User,
    db,
)
from ..models.base import utcnow
from ..scenarios.loader import ScenarioError, scenario_of
from . import assignments, groups, staff_audit
from .action_log import GENESIS, canonical_json, compute_entry_hash, head_mac_matches

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
# Attempts in the report: assessed work first, as the strongest evidence.
STATUS_ORDER = {
    AttemptStatus.ASSESSED.value: 0,
    AttemptStatus.SUBMITTED.value: 1,
    AttemptStatus.RETURNED.value: 2,
    AttemptStatus.IN_PROGRESS.value: 3,
}
MET, NOT_YET_MET, WORKING_TOWARDS, NOT_STARTED = (
    "met",
    "not yet met",
    "working towards",
    "not started",
)
MAX_PACK_BYTES = 512 * 1024 * 1024  # verify refuses larger contents rather than filling memory


# ---------------------------------------------------------------- gathering


@dataclass
class AttemptEvidence:
    attempt: Attempt
    title: str
    brief: str
    entries: list[ActionLogEntry]
    judgements: list[Judgement] = field(default_factory=list)  # oldest first
    decisions: list[Decision] = field(default_factory=list)  # oldest first
    # What staff did to the attempt (assigned it with its due date, changed the due date,
    # reset it): the awarding body's audit trail needs it beside the learner's own actions.
    staff_actions: list[StaffAuditEntry] = field(default_factory=list)  # oldest first

    @property
    def latest_judgements(self) -> list[Judgement]:
        """The judgement that counts for each criterion (the newest), in criterion order."""
        latest: dict[str, Judgement] = {}
        for judgement in self.judgements:
            latest[judgement.criterion_id] = judgement
        return [latest[key] for key in sorted(latest)]


@dataclass
class CriterionStatus:
    criterion_id: str
    text: str
    status: str
    basis: str


@dataclass
class Evidence:
    learner: User
    generated_at: datetime
    group_names: list[str]
    body_ids: list[str]
    attempts: list[AttemptEvidence]

    def criteria_map(self, body_id: str) -> list[CriterionStatus]:
        return criteria_map(body_id, self.attempts)


def _scenario_text(attempt: Attempt) -> tuple[str, str]:
    try:
        scenario = scenario_of(attempt)
    except ScenarioError:  # a snapshot that no longer parses still has its log as evidence
        title = attempt.assignment.title if attempt.assignment else attempt.scenario_id
        return title, ""
    return scenario.title, scenario.brief


def _attempt_order(attempt: Attempt) -> tuple:
    return (STATUS_ORDER.get(attempt.status, 9), attempt.started_at, attempt.id)


def gather(learner: User, viewer: User | None = None) -> Evidence:
    """Everything the pack shows about one learner, read in one go: all their work (their
    own pack, or the command line's), or, for a member of staff (`viewer`), only the work and
    groups of the learner's that this person may see (`assessment.visible_attempts_of`)."""
    from . import assessment

    if viewer is None:
        chosen = assignments.attempts_of(learner)
        learner_groups = groups.groups_of_learner(learner)
    else:
        chosen = assessment.visible_attempts_of(viewer, learner)
        visible = {g.id for g in groups.groups_for(viewer, include_archived=True)}
        learner_groups = [g for g in groups.groups_of_learner(learner) if g.id in visible]
    attempts = sorted(chosen, key=_attempt_order)
    ids = [a.id for a in attempts]
    judgements = list(
        db.session.scalars(
            select(Judgement)
            .where(Judgement.attempt_id.in_(ids))
            .order_by(Judgement.created_at, Judgement.id)
        )
    )
    decisions = list(
        db.session.scalars(
            select(Decision)
            .where(Decision.attempt_id.in_(ids))
            .order_by(Decision.created_at, Decision.id)
        )
    )
    evidence = []
    for attempt in attempts:
        title, brief = _scenario_text(attempt)
        entries = list(
            db.session.scalars(
                select(ActionLogEntry)
                .where(ActionLogEntry.sandbox_id == attempt.sandbox_id)
                .order_by(ActionLogEntry.seq)
            )
        )
        evidence.append(
            AttemptEvidence(
                attempt,
                title,
                brief,
                entries,
                [j for j in judgements if j.attempt_id == attempt.id],
                [d for d in decisions if d.attempt_id == attempt.id],
                staff_audit.for_attempt(attempt),
            )
        )
    body_ids = list(dict.fromkeys(g.body_id for g in learner_groups)) or ["vtct"]
    return Evidence(
        learner=learner,
        generated_at=utcnow(),
        group_names=[g.name for g in learner_groups],
        body_ids=body_ids,
        attempts=evidence,
    )


def criteria_map(body_id: str, attempts: list[AttemptEvidence]) -> list[CriterionStatus]:
    """Each criterion of the body with its status: the latest judgement on it in assessed work
    decides; without one, a passing check that evidences it means "working towards"."""
    judged: dict[str, tuple[Judgement, AttemptEvidence]] = {}
    assessed = [a for a in attempts if a.attempt.status == AttemptStatus.ASSESSED.value]
    for item in assessed:
        for judgement in item.judgements:
            known = judged.get(judgement.criterion_id)
            if known is None or (known[0].created_at, known[0].id) <= (
                judgement.created_at,
                judgement.id,
            ):
                judged[judgement.criterion_id] = (judgement, item)
    passing: dict[str, list[str]] = {}
    for item in attempts:
        for task in (item.attempt.latest_results or {}).get("tasks", []):
            for check in task.get("checks", []):
                if check.get("passed"):
                    for criterion_id in check.get("criteria", []):
                        passing.setdefault(criterion_id, []).append(
                            f"check {check.get('id')} passed in {item.title}"
                        )
    rows = []
    for criterion in load_catalogue().criteria_for(body_id):
        if criterion.id in judged:
            judgement, item = judged[criterion.id]
            status = MET if judgement.decision == "met" else NOT_YET_MET
            basis = (
                f"judged by {judgement.assessor.name} on {_when(judgement.created_at)} "
                f"in {item.title}"
            )
        elif criterion.id in passing:
            found = list(dict.fromkeys(passing[criterion.id]))
            more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
            status, basis = WORKING_TOWARDS, "; ".join(found[:5]) + more
        else:
            status, basis = NOT_STARTED, ""
        rows.append(CriterionStatus(criterion.id, criterion.text, status, basis))
    return rows


# ---------------------------------------------------------------- the log files


def _actor_label(entry: ActionLogEntry) -> str:
    if entry.payload and entry.payload.get("actor"):
        return str(entry.payload["actor"])
    return f"user {entry.actor_id}" if entry.actor_id is not None else "System"


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
                "entries": [_entry_json(entry) for entry in item.entries],
                "staff_actions": [_staff_action_json(e) for e in item.staff_actions],
            }
            for item in evidence.attempts
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")


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


def xapi_statement(entry: ActionLogEntry, attempt_id: int, home: str) -> dict:
    """One log entry as an xAPI statement."""
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
    after = _payload_part(entry, "after")
    if isinstance(after, dict):
        if entry.verb == "scenario.checked" and isinstance(after.get("score"), int | float):
            statement["result"] = {"score": {"scaled": after["score"]}}
        elif after.get("outcome") in ("met", "not_yet_met"):  # an assessment decision
            statement["result"] = {"success": after["outcome"] == "met"}
    return statement


def xapi_lines(evidence: Evidence) -> bytes:
    home = home_page()
    lines = [
        canonical_json(xapi_statement(entry, item.attempt.id, home))
        for item in evidence.attempts
        for entry in item.entries
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


# ---------------------------------------------------------------- the PDF report


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return value.strftime("%a %d %b %Y %H:%M")


def plain_text(markdown: str) -> list[str]:
    """A Markdown brief as plain paragraphs (list items start with a bullet)."""
    paragraphs = []
    in_item = 0
    for token in MarkdownIt().parse(markdown or ""):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type in ("inline", "fence", "code_block"):
            if token.type == "inline":
                parts = []
                for child in token.children or []:
                    if child.type in ("softbreak", "hardbreak"):
                        parts.append(" ")
                    elif child.type in ("text", "code_inline"):
                        parts.append(child.content)
                text = "".join(parts)
            else:
                text = token.content
            text = re.sub(r"\s+", " ", text).strip()
            if text:
                paragraphs.append(("\u2022 " if in_item else "") + text)
    return paragraphs


class _Report:
    """Builds report.pdf with ReportLab's page-layout engine."""

    def __init__(self, evidence: Evidence):
        # Deferred on purpose (here and below): ReportLab is a heavy import, needed only when
        # an evidence pack's PDF is built, not by every process that imports the services.
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        self.evidence = evidence
        self.colors = colors
        sheet = getSampleStyleSheet()
        self.title = sheet["Title"]
        self.h1 = sheet["Heading1"]
        self.h2 = sheet["Heading2"]
        self.h3 = sheet["Heading3"]
        self.body = sheet["BodyText"]
        self.small = ParagraphStyle("small", parent=sheet["BodyText"], fontSize=8, leading=10)
        self.cell_head = ParagraphStyle(
            "head", parent=self.small, fontName="Helvetica-Bold", textColor=colors.white
        )

    def p(self, text, style=None):
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)), style or self.body)

    def table(self, header: list[str] | None, rows: list[list], widths: list[float]):
        """A grid of wrapped cells; with a header row repeated on each page it spans."""
        from reportlab.platypus import Table, TableStyle

        data = [[self.p(h, self.cell_head) for h in header]] if header else []
        data += [[self.p(cell, self.small) for cell in row] for row in rows]
        if not data:
            return self.p("(none)", self.small)
        first = 1 if header else 0
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, self.colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            (
                "ROWBACKGROUNDS",
                (0, first),
                (-1, -1),
                [self.colors.white, self.colors.HexColor("#f2f5f8")],
            ),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), self.colors.HexColor("#1f4e79")))
        # splitInRow: a long comment may run over a page instead of failing the layout.
        table = Table(data, colWidths=widths, repeatRows=first, splitInRow=1)
        table.setStyle(TableStyle(style))
        return table

    def build(self) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import PageBreak, SimpleDocTemplate

        self.width = A4[0] - 36 * mm
        learner = self.evidence.learner
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=f"Evidence pack: {learner.name}",
            author="CRM Sandbox",
            subject="Portfolio evidence",
        )
        story = self.cover() + [PageBreak()] + self.criteria()
        for index, item in enumerate(self.evidence.attempts, start=1):
            story += [PageBreak()] + self.attempt(index, item)
        footer = f"Evidence pack: {learner.name} <{learner.email}>"

        def on_page(canvas, doc_):
            canvas.saveState()
            canvas.setFont("Helvetica", 7)
            canvas.drawString(18 * mm, 10 * mm, footer)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc_.page}")
            canvas.restoreState()

        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return out.getvalue()

    def cover(self) -> list:
        from reportlab.platypus import Spacer

        ev = self.evidence
        catalogue = load_catalogue()
        counts: dict[str, int] = {}
        for item in ev.attempts:
            label = item.attempt.status_enum.label
            counts[label] = counts.get(label, 0) + 1
        by_status = ", ".join(f"{n} {label.lower()}" for label, n in counts.items())
        rows = [
            ["Learner", ev.learner.name],
            ["Email", ev.learner.email],
            ["Groups", ", ".join(ev.group_names) or "none"],
            ["Qualification", "; ".join(catalogue.body(b).name for b in ev.body_ids)],
            ["Generated", _when(ev.generated_at)],
            [
                "Attempts",
                f"{len(ev.attempts)}" + (f" ({by_status})" if by_status else ""),
            ],
        ]
        return [
            self.p("Evidence pack", self.title),
            self.p(ev.learner.name, self.h1),
            Spacer(1, 12),
            self.table(None, rows, [self.width * 0.25, self.width * 0.75]),
            Spacer(1, 12),
            self.p(
                "The actions below were recorded in the learner's own practice CRM as they "
                "happened, in a hash-chained log. The files action_log.json and manifest.json "
                "in this pack let anyone check that the log has not been changed since."
            ),
        ]

    def criteria(self) -> list:
        catalogue = load_catalogue()
        story = [self.p("Assessment criteria", self.h1)]
        for body_id in self.evidence.body_ids:
            story.append(self.p(catalogue.body(body_id).name, self.h2))
            rows = [
                [row.criterion_id, row.text, row.status, row.basis]
                for row in self.evidence.criteria_map(body_id)
            ]
            w = self.width
            story.append(
                self.table(
                    ["Criterion", "Text", "Status", "Evidence"],
                    rows,
                    [w * 0.13, w * 0.45, w * 0.14, w * 0.28],
                )
            )
        return story

    def attempt(self, index: int, item: AttemptEvidence) -> list:
        from reportlab.platypus import Spacer

        attempt = item.attempt
        w = self.width
        score = "-" if attempt.latest_score is None else f"{round(attempt.latest_score * 100)}%"
        story = [
            self.p(f"Attempt {index}: {item.title}", self.h1),
            self.table(
                None,
                [
                    ["Scenario", f"{item.title} ({attempt.scenario_id})"],
                    ["Status", attempt.status_enum.label],
                    ["Started", _when(attempt.started_at)],
                    ["Submitted", _when(attempt.submitted_at)],
                    ["Latest score", score],
                    ["Checks run", str(attempt.checks_run)],
                    ["Hints used", str(len(attempt.hints_used or []))],
                    ["Declaration", attempt.declaration or "-"],
                ],
                [w * 0.25, w * 0.75],
            ),
            self.p("The brief", self.h2),
        ]
        story += [self.p(text) for text in plain_text(item.brief)] or [self.p("(no brief)")]
        story.append(self.p("Check results", self.h2))
        results = attempt.latest_results or {}
        if not results.get("tasks"):
            story.append(self.p("The work has not been checked yet."))
        for task in results.get("tasks", []):
            story.append(self.p(task.get("title") or task.get("id"), self.h3))
            rows = []
            for check in task.get("checks", []):
                passed = bool(check.get("passed"))
                note = check.get("message") if passed else check.get("feedback")
                if not passed and check.get("message"):
                    note = f"{note} ({check['message']})"
                rows.append(
                    [
                        check.get("id"),
                        "passed" if passed else "not yet",
                        note or "",
                        ", ".join(check.get("criteria", [])),
                    ]
                )
            story.append(
                self.table(
                    ["Check", "Result", "Feedback", "Criteria"],
                    rows,
                    [w * 0.2, w * 0.1, w * 0.5, w * 0.2],
                )
            )
        story.append(self.p("Assessment", self.h2))
        if not item.judgements and not item.decisions:
            story.append(self.p("Not assessed yet."))
        if item.judgements:
            rows = [
                [
                    j.criterion_id,
                    j.decision.replace("_", " "),
                    j.comment or "",
                    j.assessor.name,
                    _when(j.created_at),
                ]
                for j in item.latest_judgements
            ]
            story.append(
                self.table(
                    ["Criterion", "Judgement", "Comment", "Assessor", "When"],
                    rows,
                    [w * 0.14, w * 0.13, w * 0.38, w * 0.17, w * 0.18],
                )
            )
        for decision in item.decisions:
            story += [
                Spacer(1, 6),
                self.p(
                    f"Decision: {decision.outcome.replace('_', ' ')}, by "
                    f"{decision.assessor.name} on {_when(decision.created_at)}",
                    self.h3,
                ),
                self.p(decision.feedback or "(no feedback)"),
            ]
        story += self.staff_actions(item)
        story.append(self.p("Recorded actions", self.h2))
        rows = [
            [
                str(entry.seq),
                _when(entry.sandbox_time),
                entry.verb,
                f"{entry.object_type} {entry.object_id if entry.object_id is not None else ''}",
                _actor_label(entry),
            ]
            for entry in item.entries
        ]
        story.append(
            self.table(
                ["Seq", "Sandbox time", "Action", "Object", "By"],
                rows,
                [w * 0.07, w * 0.23, w * 0.27, w * 0.18, w * 0.25],
            )
        )
        return story

    def staff_actions(self, item: AttemptEvidence) -> list:
        story = [self.p("Staff actions", self.h2)]
        if not item.staff_actions:
            return story + [self.p("None recorded.")]
        w = self.width
        rows = [
            [
                _when(entry.real_time),
                staff_audit.actor_label(entry),
                staff_audit.VERBS.get(entry.verb, entry.verb),
                _staff_action_details(entry),
            ]
            for entry in item.staff_actions
        ]
        story.append(
            self.table(
                ["When", "By", "Action", "Details"], rows, [w * 0.2, w * 0.28, w * 0.2, w * 0.32]
            )
        )
        return story


def _staff_action_json(entry: StaffAuditEntry) -> dict:
    data = staff_audit.entry_json(entry)
    data["after"] = _own_values(entry.after)
    return data


def _own_values(values: dict | None) -> dict | None:
    """An assignment row lists every learner it started: keep other learners out of the pack."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if k != "learner_ids"}


def _staff_action_details(entry: StaffAuditEntry) -> str:
    after = _own_values(entry.after)
    before = staff_audit.describe(entry.before)
    if not before:
        return staff_audit.describe(after)
    # "from ... to ...": Helvetica in the PDF has no arrow glyph
    return f"from {before} to {staff_audit.describe(after)}"


def report_pdf(evidence: Evidence) -> bytes:
    """The human-readable report: cover, criteria map, then each attempt in full."""
    return _Report(evidence).build()


# ---------------------------------------------------------------- the pack


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
    files = {
        PDF_NAME: report_pdf(evidence),
        CSV_NAME: action_log_csv(evidence),
        JSON_NAME: action_log_json(evidence),
        XAPI_NAME: xapi_lines(evidence),
    }
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


# ---------------------------------------------------------------- verifying


def _entry_from_json(raw: dict) -> SimpleNamespace:
    """An entry rebuilt from the JSON, with what compute_entry_hash reads (no database)."""
    return SimpleNamespace(
        sandbox_id=raw["sandbox_id"],
        seq=raw["seq"],
        actor_id=raw["actor_id"],
        real_time=datetime.fromisoformat(raw["real_time"]),
        sandbox_time=datetime.fromisoformat(raw["sandbox_time"]),
        verb=raw["verb"],
        object_type=raw["object_type"],
        object_id=raw["object_id"],
        payload=raw.get("payload"),
        payload_hash=raw["payload_hash"],
        prev_hash=raw["prev_hash"],
        entry_hash=raw["entry_hash"],
    )


def _verify_chain(sandbox: dict) -> tuple[list[str], int, str]:
    """Problems in one sandbox's entries, and where the chain ends (count, head)."""
    label = f"{JSON_NAME}: sandbox {sandbox.get('sandbox_id')}"
    prev_hash, count = GENESIS, 0
    for raw in sandbox.get("entries", []):
        try:
            entry = _entry_from_json({**raw, "sandbox_id": sandbox["sandbox_id"]})
        except (KeyError, TypeError, ValueError) as exc:
            return [f"{label}: entry {count + 1} is incomplete or malformed ({exc})"], count, ""
        where = f"{label}: entry seq {entry.seq}"
        if entry.seq != count + 1:
            return [f"{where}: expected seq {count + 1} (an entry was removed or moved)"], count, ""
        if entry.prev_hash != prev_hash:
            return [f"{where}: does not follow the entry before it"], count, ""
        if entry.payload is not None and (
            hashlib.sha256(canonical_json(entry.payload).encode("utf-8")).hexdigest()
            != entry.payload_hash
        ):
            return [f"{where}: its recorded values were changed"], count, ""
        if compute_entry_hash(entry) != entry.entry_hash:
            return [f"{where}: its contents were changed"], count, ""
        prev_hash, count = entry.entry_hash, count + 1
    problems = []
    if (sandbox.get("log_seq"), sandbox.get("log_head")) != (count, prev_hash):
        problems.append(
            f"{label}: the chain ends at seq {count}, not at the recorded head "
            f"seq {sandbox.get('log_seq')}"
        )
    return problems, count, prev_hash


def _check_chains(log: dict, manifest: dict, key: bytes | None = None) -> list[str]:
    problems = []
    heads = {a.get("sandbox_id"): a for a in manifest.get("attempts", []) if isinstance(a, dict)}
    seen = set()
    for sandbox in log.get("sandboxes", []):
        if not isinstance(sandbox, dict):
            problems.append(f"{JSON_NAME}: a sandbox's log is malformed")
            continue
        sandbox_id = sandbox.get("sandbox_id")
        seen.add(sandbox_id)
        found, count, head = _verify_chain(sandbox)
        problems += found
        expected = heads.get(sandbox_id)
        if expected is None:
            problems.append(f"{JSON_NAME}: sandbox {sandbox_id} is not in the manifest")
        elif not found and (expected.get("log_seq"), expected.get("log_head")) != (count, head):
            problems.append(
                f"{JSON_NAME}: sandbox {sandbox_id} ends at seq {count}, but the manifest "
                f"records seq {expected.get('log_seq')} ending in "
                f"{str(expected.get('log_head'))[:12]}…"
            )
        elif not found and key is not None and count:
            problems += _check_checkpoint(key, sandbox, expected, count, head)
    for sandbox_id in heads:
        if sandbox_id not in seen:
            problems.append(f"{JSON_NAME}: the log of sandbox {sandbox_id} is missing")
    return problems


def _check_checkpoint(key: bytes, sandbox: dict, expected: dict, count: int, head: str):
    """The head's keyed checkpoint, in the log and in the manifest, against the key."""
    sandbox_id = sandbox.get("sandbox_id")
    where = f"sandbox {sandbox_id}: the chain's head (seq {count}, {head[:12]}…)"
    if not isinstance(sandbox_id, int):
        return [f"{JSON_NAME}: a sandbox's id is malformed"]
    for name, mac in (
        (JSON_NAME, sandbox.get("log_mac")),
        (MANIFEST_NAME, expected.get("log_mac")),
    ):
        if not mac:
            return [f"{name}: {where} has no keyed checkpoint"]
        if not head_mac_matches(key, sandbox_id, count, head, mac):
            return [
                f"{name}: {where} does not match its keyed checkpoint (the log was "
                "re-hashed without the log key, or this is not the key it was written with)"
            ]
    return []


def verify_pack(source: str | Path | io.IOBase, key: bytes | None = None) -> list[str]:
    """Problems with an evidence pack (empty when it is intact): files against the manifest's
    hashes, the action log's hash chain against the recorded heads, and, given the log key,
    each head against its keyed checkpoint. Needs no database."""
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"not a readable ZIP file: {exc}"]
    with zf:
        infos = zf.infolist()
        if sum(info.file_size for info in infos) > MAX_PACK_BYTES:
            return ["the pack is too large to verify"]
        names = [info.filename for info in infos]
        problems = [
            f"{name}: appears more than once"
            for name in sorted(set(names))
            if names.count(name) > 1
        ]
        if MANIFEST_NAME not in names:
            return problems + [f"{MANIFEST_NAME} is missing, so nothing can be checked"]
        try:
            manifest = json.loads(zf.read(MANIFEST_NAME))
            listed = manifest["files"]
            if not isinstance(listed, dict) or not all(
                isinstance(item, dict) for item in listed.values()
            ):
                raise TypeError("its list of files is malformed")
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            return problems + [f"{MANIFEST_NAME} cannot be read: {exc}"]
        contents: dict[str, bytes] = {}
        for name in sorted(set(listed) | set(CONTENT_FILES)):
            if name not in names:
                problems.append(f"{name}: missing from the pack")
                continue
            try:
                data = contents[name] = zf.read(name)
            except (zipfile.BadZipFile, OSError) as exc:  # a damaged compressed member
                problems.append(f"{name}: cannot be read ({exc})")
                continue
            expected = listed.get(name)
            if expected is None:
                problems.append(f"{name}: not listed in the manifest")
            elif _sha256(data) != expected.get("sha256") or len(data) != expected.get("size"):
                problems.append(f"{name}: does not match the hash in the manifest (changed)")
        for name in sorted(set(names) - set(listed) - {MANIFEST_NAME} - set(CONTENT_FILES)):
            problems.append(f"{name}: an extra file not listed in the manifest")
        if JSON_NAME in contents:
            try:
                log = json.loads(contents[JSON_NAME])
            except ValueError as exc:
                problems.append(f"{JSON_NAME}: not valid JSON ({exc})")
            else:
                if isinstance(log, dict) and isinstance(manifest.get("attempts", []), list):
                    problems += _check_chains(log, manifest, key)
                else:
                    problems.append(f"{JSON_NAME}: not laid out as an evidence pack's log")
    return problems
