"""Jinja filters: sandbox business time is always shown with its label, in UK style."""

from __future__ import annotations

from datetime import date, datetime

import nh3
from flask import Flask
from markupsafe import Markup


def sandbox_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"


def sandbox_date(value: date | None) -> str:
    if value is None:
        return "—"
    return f"{value:%a} {value.day} {value:%b %Y}"


def real_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"


def register(app: Flask) -> None:
    app.jinja_env.filters["sbx"] = sandbox_time
    app.jinja_env.filters["sbxdate"] = sandbox_date
    app.jinja_env.filters["utc"] = real_time
    app.jinja_env.filters["markdown"] = markdown


_markdown = None


def markdown(text: str | None) -> Markup:
    """Markdown (from scenario briefs) to HTML, passed through an allow-list sanitiser."""
    global _markdown
    if _markdown is None:
        from markdown_it import MarkdownIt

        _markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    html = _markdown.render(text or "")
    # Safe to mark as HTML: nh3 has just removed every tag and attribute not on the allow-list
    # (scripts, event handlers, javascript: links); tests/test_security.py proves it.
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}})
    return Markup(clean)  # noqa: S704  # nosec B704


ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "hr",
}
