"""The pack's report for people, report.pdf: the document an external verifier reads. A cover,
the criteria map, then each attempt: a header (learner, group, qualification, scenario, real
start and submission times, outcome), the brief rendered from its Markdown (headings, lists,
tables as tables), each task with the learner's own words beside the numbered criteria they
evidence and the checks in words, the assessor's judgements and decision at real time, the
declaration as ticked, staff actions, the whole log in words, and the hashes to verify it.
Laid out with ReportLab; every piece of learner or scenario text is escaped before it reaches
ReportLab's paragraph markup, so "<b>" or "&" typed by a learner prints as typed.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from ...criteria import load_catalogue
from ...models import StaffAuditEntry
from ...wording import count_of
from .. import log_words, staff_audit
from .gathering import AttemptEvidence, Evidence, _actor_label, _own_values

LONDON = ZoneInfo("Europe/London")
VERIFY_COMMAND = "crm-sandbox evidence verify <pack.zip>"


def _markdown() -> MarkdownIt:
    """The parser the learner's scenario page uses for the brief (web/filters.py)."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def plain_text(markdown: str) -> list[str]:
    """A Markdown brief as plain paragraphs (list items start with a bullet; a table row's
    cells are joined with " / ")."""
    paragraphs = []
    in_item = 0
    row: list[str] | None = None
    for token in _markdown().parse(markdown or ""):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            paragraphs.append(" / ".join(row or []))
            row = None
        elif token.type in ("inline", "fence", "code_block"):
            text = _inline_plain(token) if token.type == "inline" else token.content
            text = re.sub(r"\s+", " ", text).strip()
            if row is not None:
                row.append(text)
            elif text:
                paragraphs.append(("\u2022 " if in_item else "") + text)
    return paragraphs


def _inline_plain(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts)


def _inline_markup(token) -> str:
    """An inline Markdown token as ReportLab paragraph markup: bold, italics and code kept,
    every piece of text escaped (the brief is scenario text, never trusted as markup)."""
    tags = {
        "strong_open": "<b>",
        "strong_close": "</b>",
        "em_open": "<i>",
        "em_close": "</i>",
        "softbreak": " ",
        "hardbreak": "<br/>",
    }
    parts = []
    for child in token.children or []:
        if child.type in tags:
            parts.append(tags[child.type])
        elif child.type == "code_inline":
            parts.append(f'<font face="Courier">{escape(child.content)}</font>')
        elif child.type in ("text", "html_inline"):
            parts.append(escape(child.content))
        elif child.type == "image":
            parts.append(escape(child.content or ""))
    return "".join(parts)


def _share(fraction: float) -> str:
    """A share of the score: 0.05 -> "5%"."""
    return f"{round(fraction * 100, 1):g}%"


def real_time(value: datetime | None) -> str:
    """A real time in UTC, with the UK's clock time when it differs (summer time):
    "Fri 20 Mar 2026, 10:00 UTC" or "Mon 1 Jun 2026, 09:00 UTC (10:00 UK time)"."""
    if value is None:
        return "-"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    london = value.astimezone(LONDON)
    text = log_words.real_when(utc)
    if london.utcoffset():
        text += f" ({london:%H:%M} UK time)"
    return text


class _Brief:
    """Turns a Markdown brief into ReportLab flowables: headings, paragraphs, bulleted and
    numbered lists (nested), block quotes, code, rules and tables as real tables."""

    def __init__(self, report: _Report, body=None):
        self.r = report
        self.body = body or report.body  # the paragraph style (smaller for a task's instruction)
        self.out: list = []
        self.lists: list[dict] = []  # open lists: {"ordered": bool, "n": next number}
        self.quote = 0
        self.table: list[list[tuple[bool, str]]] | None = None
        self.item_start = False  # the next list paragraph is its item's first: it gets the bullet

    def build(self, markdown: str) -> list:
        tokens = _markdown().parse(markdown or "")
        for index, token in enumerate(tokens):
            self.token(token, tokens, index)
        return self.out

    def token(self, token, tokens, index) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            self.lists.append({"ordered": kind == "ordered_list_open", "n": start})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_start = True
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "table_open":
            self.table = []
        elif kind == "tr_open" and self.table is not None:
            self.table.append([])
        elif kind == "table_close":
            self.out.append(self.r.brief_table(self.table or []))
            self.table = None
        elif kind == "inline":
            self.inline(token, tokens[index - 1] if index else None)
        elif kind in ("fence", "code_block"):
            code = escape(token.content.rstrip("\n")).replace("\n", "<br/>")
            self.out.append(self.r.para(code, self.r.code))
        elif kind == "hr":
            from reportlab.platypus import HRFlowable

            self.out.append(HRFlowable(width="100%", thickness=0.5, color=self.r.colors.grey))

    def inline(self, token, opener) -> None:
        markup = _inline_markup(token)
        if self.table is not None:
            self.table[-1].append((opener is not None and opener.type == "th_open", markup))
            return
        if opener is not None and opener.type == "heading_open":
            style = self.r.brief_h1 if opener.tag in ("h1", "h2") else self.r.brief_h3
            self.out.append(self.r.para(markup, style))
            return
        if self.lists and opener is not None and opener.type == "paragraph_open":
            current = self.lists[-1]
            bullet = f"{current['n']}." if current["ordered"] else "\u2022"
            first_in_item, self.item_start = self.item_start, False
            if current["ordered"] and first_in_item:
                current["n"] += 1
            style = self.r.list_style(len(self.lists) + self.quote, self.body)
            self.out.append(self.r.para(markup, style, bullet if first_in_item else None))
            return
        style = self.r.quote_style(self.quote) if self.quote else self.body
        self.out.append(self.r.para(markup, style))


class _Report:
    """Builds report.pdf with ReportLab's page-layout engine."""

    def __init__(self, evidence: Evidence, file_hashes: dict[str, str] | None = None):
        # Deferred on purpose (here and below): ReportLab is a heavy import, needed only when
        # an evidence pack's PDF is built, not by every process that imports the services.
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

        self.evidence = evidence
        self.file_hashes = file_hashes or {}
        self.colors = colors
        sheet = getSampleStyleSheet()
        self.title = sheet["Title"]
        self.h1 = sheet["Heading1"]
        self.h2 = sheet["Heading2"]
        self.h3 = sheet["Heading3"]
        for heading in (self.h1, self.h2, self.h3):
            heading.keepWithNext = 1  # a heading never ends a page, parted from what it heads
        self.body = sheet["BodyText"]
        self.small = ParagraphStyle("small", parent=sheet["BodyText"], fontSize=8, leading=10)
        self.tiny = ParagraphStyle(
            "tiny", parent=self.small, fontSize=6.5, leading=8, textColor=colors.grey
        )
        self.cell_head = ParagraphStyle(
            "head", parent=self.small, fontName="Helvetica-Bold", textColor=colors.white
        )
        self.brief_h1 = ParagraphStyle(
            "brief-h1", parent=sheet["Heading3"], fontSize=11, spaceBefore=8
        )
        self.brief_h3 = ParagraphStyle(
            "brief-h3", parent=sheet["Heading4"], fontSize=10, spaceBefore=6
        )
        self.code = ParagraphStyle(
            "code", parent=self.small, fontName="Courier", backColor=colors.HexColor("#f2f5f8")
        )
        self.words = ParagraphStyle(
            "words", parent=self.small, fontSize=8.5, leading=11, spaceBefore=0, spaceAfter=5
        )
        self.cell_label = ParagraphStyle(
            "label", parent=self.small, fontName="Helvetica-Bold", spaceAfter=2
        )
        self._styles = sheet

    # ------------------------------------------------------------------ building blocks

    def p(self, text, style=None):
        """A paragraph of plain text (escaped: it may be anyone's words)."""
        from reportlab.platypus import Paragraph

        return Paragraph(escape(str(text)), style or self.body)

    def para(self, markup: str, style=None, bullet: str | None = None):
        """A paragraph of markup this module built from escaped text."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup, style or self.body, bulletText=bullet)

    def list_style(self, depth: int, parent=None):
        from reportlab.lib.styles import ParagraphStyle

        return ParagraphStyle(
            f"list-{depth}",
            parent=parent or self.body,
            leftIndent=14 * depth,
            bulletIndent=14 * depth - 10,
            spaceBefore=1,
            spaceAfter=1,
        )

    def quote_style(self, depth: int):
        from reportlab.lib.styles import ParagraphStyle

        return ParagraphStyle(
            f"quote-{depth}", parent=self.body, leftIndent=12 * depth, textColor=self.colors.grey
        )

    def _grid_style(self, header: bool) -> list:
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
        return style

    def grid(self, data: list[list], widths: list[float], header: bool):
        """A table of flowables; a header row repeats on each page the table spans."""
        from reportlab.platypus import Table, TableStyle

        # splitInRow: a long comment may run over a page instead of failing the layout.
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
        table.setStyle(TableStyle(self._grid_style(header)))
        return table

    def table(self, header: list[str] | None, rows: list[list], widths: list[float]):
        """A grid of wrapped text cells (a cell may also be a flowable or a list of them)."""
        data = [[self.p(h, self.cell_head) for h in header]] if header else []
        data += [[self._cell(cell) for cell in row] for row in rows]
        if not data:
            return self.p("(none)", self.small)
        return self.grid(data, widths, bool(header))

    def _cell(self, cell):
        if isinstance(cell, str | int | float) or cell is None:
            return self.p("" if cell is None else cell, self.small)
        return cell

    def brief_table(self, rows: list[list[tuple[bool, str]]]):
        """A Markdown table from the brief as a real table, its header row shaded."""
        if not rows:
            return self.p("(empty table)", self.small)
        columns = max(len(row) for row in rows)
        header = all(is_head for is_head, _ in rows[0])
        # Each column as wide as its longest text wants, within limits, so a short number
        # column does not take the width of a column of comments.
        wants = [8] * columns
        for row in rows:
            for index, (_, markup) in enumerate(row):
                text = re.sub(r"<[^>]+>", "", markup)
                longest_word = max((len(word) for word in text.split()), default=0)
                wants[index] = max(wants[index], min(len(text), 40), longest_word + 4)
        widths = [self.width * want / sum(wants) for want in wants]
        data = []
        for row in rows:
            cells = [
                self.para(markup, self.cell_head if is_head else self.small)
                for is_head, markup in row
            ]
            data.append(cells + [""] * (columns - len(cells)))
        return self.grid(data, widths, header)

    # ------------------------------------------------------------------ the document

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
            ["Generated", real_time(ev.generated_at)],
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
                "For each attempt this report gives the scenario's brief, the learner's own "
                "words and records as evidence beside the criteria they evidence (numbered as "
                "the awarding body numbers them), the automatic checks in words, the "
                "assessor's judgements and decision, and the learner's declaration. Everything "
                "the learner did was recorded in their own practice CRM as it happened, in a "
                "hash-chained log; the last section of each attempt says how to check that "
                "the log has not been changed since."
            ),
        ]

    def criteria(self) -> list:
        catalogue = load_catalogue()
        story = [self.p("Assessment criteria", self.h1)]
        for body_id in self.evidence.body_ids:
            story.append(self.p(catalogue.body(body_id).name, self.h2))
            rows = [
                [
                    self._numbered(row.number, row.criterion_id),
                    row.text,
                    row.status,
                    row.basis,
                ]
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

    def _numbered(self, number: str, criterion_id: str) -> list:
        """A criterion's number in bold with its stable id small underneath."""
        return [
            self.para(f"<b>{escape(number or criterion_id)}</b>", self.small),
            self.p(criterion_id, self.tiny),
        ]

    def attempt(self, index: int, item: AttemptEvidence) -> list:
        story = [self.p(f"Attempt {index}: {item.title}", self.h1), self.header(item)]
        story += [self.p("The brief", self.h2)]
        story += _Brief(self).build(item.brief) or [self.p("(no brief)")]
        story += self.tasks(item)
        story += self.hints(item)
        story += self.writing(item)
        story += self.assessment(item)
        story += self.declaration(item)
        story += self.staff_actions(item)
        story += self.recorded_actions(item)
        story += self.verification(item)
        return story

    def header(self, item: AttemptEvidence):
        attempt = item.attempt
        w = self.width
        results = attempt.latest_results or {}
        before = results["score_before_hints"] if results.get("hint_cost") else attempt.latest_score
        score = "-" if before is None else f"{round(before * 100)}%"
        cost = sum(h.cost for h in item.hints)
        used = count_of(len(item.hints), "hint")
        if cost and attempt.latest_score is not None:
            used += (
                f", taking {_share(cost)} off the score: {round(attempt.latest_score * 100)}% "
                "at the last check"
            )
        return self.table(
            None,
            [
                ["Learner", item.attempt.learner.name],
                ["Group", item.group_name or "none"],
                ["Qualification", item.body_name],
                [
                    "Scenario",
                    [self.p(item.title, self.small), self.p(attempt.scenario_id, self.tiny)],
                ],
                ["Started", real_time(attempt.started_at) if attempt.started_at else "not started"],
                [
                    "Submitted",
                    real_time(attempt.submitted_at) if attempt.submitted_at else "not yet",
                ],
                ["Outcome", _outcome(item)],
                [
                    "Automatic checks",
                    f"{score} passed at the last check ({count_of(attempt.checks_run, 'run')})"
                    if attempt.checks_run
                    else "not run yet",
                ],
                ["Hints used", used],
            ],
            [w * 0.22, w * 0.78],
        )

    def writing(self, item: AttemptEvidence) -> list:
        """The writing report: each message the learner sent, with what the CRM found."""
        story = [self.p("Writing report", self.h2)]
        story.append(
            self.p(
                "Each message the learner sent: spelling against a British English dictionary, "
                "whether it answers what the customer asked (from the CRM's structure where it "
                "can be judged; otherwise for the assessor), its promise and whether it was "
                "kept, and anything it discloses about another person. Tone and empathy are "
                "for the assessor to judge.",
                self.small,
            )
        )
        if not item.writing:
            return story + [self.p("No message was sent in this attempt.", self.small)]
        w = self.width
        for message in item.writing:
            rows = [["Words", self.para(escape(message.words).replace("\n", "<br/>"), self.words)]]
            rows += [
                [label, self.para(escape(text), self.small)] for label, text in message.findings
            ]
            story.append(self.p(message.heading, self.h3))
            story.append(self.table(None, rows, [w * 0.22, w * 0.78]))
        return story

    def tasks(self, item: AttemptEvidence) -> list:
        story = [self.p("Tasks, the learner's evidence and the criteria", self.h2)]
        tasks = item.tasks()
        if not tasks:
            return story + [self.p("The work has not been checked yet.")]
        w = self.width
        for number, task in enumerate(tasks, start=1):
            story.append(self.p(f"Task {number}: {task.title}", self.h3))
            if task.instruction:
                story += _Brief(self, self.small).build(task.instruction)
            if task.records:
                words = [self._record(item, entry, text) for entry, text in task.records]
            else:
                words = [self.p("No record was cited by this task's checks.", self.small)]
            criteria = [
                self.para(
                    f"<b>{escape(c.number)}</b> {escape(c.text)} "
                    f'<font size="6.5" color="grey">{escape(c.id)}</font>',
                    self.small,
                )
                for c in task.criteria
            ] or [self.p("No criterion of this qualification.", self.small)]
            checks = [
                self.para(f"<b>{status}:</b> {escape(text)}", self.small)
                for status, text in task.checks
            ]
            table = self.table(
                ["The learner's own words and records", "Criteria evidenced"],
                [[words, criteria], [[self.p("Automatic checks", self.cell_label), *checks], ""]],
                [w * 0.64, w * 0.36],
            )
            table.setStyle([("SPAN", (0, 2), (1, 2))])  # the checks run across the table
            story.append(table)
        return story

    def _record(self, item: AttemptEvidence, entry, text: str) -> list:
        stamp = (
            f"{log_words.when(entry.sandbox_time)} (sandbox time) · "
            f"{log_words.actor_of(entry)} · log #{entry.seq}"
        )
        # One paragraph, so a page break never parts the words from when and who.
        return self.para(
            f'<font size="6.5" color="grey">{escape(stamp)}</font><br/>{escape(text)}',
            self.words,
        )

    def assessment(self, item: AttemptEvidence) -> list:
        from reportlab.platypus import Spacer

        story = [self.p("Assessment", self.h2)]
        if not item.judgements and not item.decisions:
            return story + [self.p("Not assessed yet.")]
        w = self.width
        latest = {j.criterion_id: j for j in item.latest_judgements}
        rows = []
        for criterion_id in (c.id for c in item.criteria):
            judgement = latest.get(criterion_id)
            rows.append(
                [
                    self._numbered(item.number_of(criterion_id), criterion_id),
                    _judgement_label(judgement.decision) if judgement else "not judged",
                    judgement.comment or "" if judgement else "",
                    judgement.assessor.name if judgement else "",
                    real_time(judgement.created_at) if judgement else "",
                ]
            )
        story.append(
            self.table(
                ["Criterion", "Judgement", "Comment", "Assessor", "When (real time)"],
                rows,
                [w * 0.12, w * 0.12, w * 0.38, w * 0.16, w * 0.22],
            )
        )
        earlier = [
            j
            for j in item.judgements
            if j.criterion_id in latest and latest[j.criterion_id] is not j
        ]
        if earlier:
            story.append(self.p("Earlier judgements (replaced by the ones above)", self.h3))
            story.append(
                self.table(
                    ["Criterion", "Judgement", "Comment", "Assessor", "When (real time)"],
                    [
                        [
                            self._numbered(item.number_of(j.criterion_id), j.criterion_id),
                            _judgement_label(j.decision),
                            j.comment or "",
                            j.assessor.name,
                            real_time(j.created_at),
                        ]
                        for j in earlier
                    ],
                    [w * 0.12, w * 0.12, w * 0.38, w * 0.16, w * 0.22],
                )
            )
        for decision in item.decisions:
            story += [
                Spacer(1, 6),
                self.p(
                    f"Decision: {_judgement_label(decision.outcome)}, signed by "
                    f"{decision.assessor.name} on {real_time(decision.created_at)}",
                    self.h3,
                ),
                self.p(decision.feedback or "(no feedback)"),
            ]
        return story

    def hints(self, item: AttemptEvidence) -> list:
        """The hints the learner opened: task, tier, text, when, and what each cost."""
        story = [self.p("Hints used", self.h2)]
        if not item.hints:
            return story + [self.p("The learner opened no hints.")]
        w = self.width
        rows = [
            [
                hint.task_title,
                f"{hint.number}: {hint.label}" + (f" (-{_share(hint.cost)})" if hint.cost else ""),
                hint.text,
                f"{log_words.when(hint.sandbox_time)} (sandbox time) · {real_time(hint.real_time)}"
                if hint.real_time
                else "not recorded (opened before hints were timed)",
            ]
            for hint in item.hints
        ]
        return story + [
            self.table(
                ["Task", "Hint", "Text", "When"], rows, [w * 0.2, w * 0.18, w * 0.37, w * 0.25]
            )
        ]

    def declaration(self, item: AttemptEvidence) -> list:
        story = [self.p("The learner's declaration", self.h2)]
        attempt = item.attempt
        if not attempt.declaration:
            return story + [self.p("Not submitted: no declaration has been made.")]
        submitted = item.submitted_entry
        when = submitted.real_time if submitted is not None else attempt.submitted_at
        return story + [
            self.p(f"“{attempt.declaration}”", self.quote_style(1)),
            self.p(
                f"Ticked by {attempt.learner.name} when submitting the work on {real_time(when)}.",
                self.small,
            ),
        ]

    def staff_actions(self, item: AttemptEvidence) -> list:
        story = [self.p("Staff actions", self.h2)]
        if not item.staff_actions:
            return story + [self.p("None recorded.")]
        w = self.width
        rows = [
            [
                real_time(entry.real_time),
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

    def recorded_actions(self, item: AttemptEvidence) -> list:
        story = [
            self.p("Everything recorded in the learner's practice CRM", self.h2),
            self.p(
                "Oldest first, in the sandbox's business time (the scenario's own clock). "
                "The number is the entry's place in the hash-chained log.",
                self.small,
            ),
        ]
        w = self.width
        rows = [
            [
                self.p(str(entry.seq), self.tiny),
                log_words.when(entry.sandbox_time),
                self.p(item.words(entry), self.small),
                _actor_label(entry),
            ]
            for entry in item.entries
        ]
        story.append(
            self.table(
                ["#", "Sandbox time", "What was done", "By"],
                rows,
                [w * 0.06, w * 0.2, w * 0.54, w * 0.2],
            )
        )
        return story

    def verification(self, item: AttemptEvidence) -> list:
        sandbox = item.attempt.sandbox
        rows = [
            ["Log entries", str(sandbox.log_seq)],
            ["Log head hash (SHA-256)", sandbox.log_head],
            ["Keyed checkpoint (HMAC)", sandbox.log_mac or "none"],
        ]
        rows += [[f"{name} (SHA-256)", digest] for name, digest in self.file_hashes.items()]
        w = self.width
        return [
            self.p("Verifying this record", self.h2),
            self.p(
                f"Run {VERIFY_COMMAND} on the ZIP this report came in: it checks every file "
                "against manifest.json, recomputes each entry's hash from the one before, and "
                "(given the college's log key) the keyed checkpoint. The chain must end at the "
                "head hash below after the number of entries shown.",
                self.small,
            ),
            self.table(None, rows, [w * 0.3, w * 0.7]),
        ]


def _judgement_label(decision: str) -> str:
    return {"met": "Met", "not_yet_met": "Not yet met"}.get(decision, decision.replace("_", " "))


def _outcome(item: AttemptEvidence) -> str:
    if item.decisions:
        last = item.decisions[-1]
        return f"{_judgement_label(last.outcome)} (signed by {last.assessor.name})"
    return item.attempt.status_enum.label


def _staff_action_details(entry: StaffAuditEntry) -> str:
    after = _own_values(entry.after)
    before = staff_audit.describe(entry.before)
    if not before:
        return staff_audit.describe(after)
    # "from ... to ...": Helvetica in the PDF has no arrow glyph
    return f"from {before} to {staff_audit.describe(after)}"


def report_pdf(evidence: Evidence, file_hashes: dict[str, str] | None = None) -> bytes:
    """The human-readable report: cover, criteria map, then each attempt in full;
    `file_hashes` (the pack's other files' SHA-256) are printed for verification."""
    return _Report(evidence, file_hashes).build()
