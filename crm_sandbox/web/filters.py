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
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}))  # noqa: S704 - sanitised just above


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
