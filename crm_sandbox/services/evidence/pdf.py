"""The pack's report for people, report.pdf: a cover, the criteria map, then each attempt in
full (its brief, check results, assessment, staff actions and recorded actions), laid out with
ReportLab; a scenario's Markdown brief becomes plain paragraphs.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt

from ...criteria import load_catalogue
from ...models import StaffAuditEntry
from .. import staff_audit
from .gathering import AttemptEvidence, Evidence, _actor_label, _own_values, _when


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
                    ["Started", _when(attempt.started_at) if attempt.started_at else "Not started"],
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
