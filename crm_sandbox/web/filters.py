"""Jinja filters: sandbox business time is always shown with its label, in UK style."""

from __future__ import annotations

import enum
import functools
from datetime import date, datetime

import nh3
from flask import Flask, request, url_for
from markupsafe import Markup

from ..models import Segment
from ..wording import amount_of, article, count_of, date_text, datetime_text, pounds, shorten


def sandbox_time(value: datetime | None) -> str:
    """Sandbox (business) time: "Thu 16 Apr 2026, 10:00"."""
    return datetime_text(value)


def sandbox_date(value: date | None) -> str:
    """A sandbox date: "Thu 16 Apr 2026"."""
    return date_text(value)


def real_time(value: datetime | None) -> str:
    """Real time, in the same style with its zone: "Sun 6 Dec 2026, 01:27 UTC"."""
    if value is None:
        return "—"
    return f"{datetime_text(value)} UTC"


def segment_label(value: str | None) -> str:
    """A customer segment as the pages name it; a response with no segment (anonymous, or from
    a contact with none) is "Not given", never "None"."""
    if not value or value == "none":
        return "Not given"
    try:
        return Segment(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


class RowUrl:
    """`url_for` for the rows of a table: the URL is built once, with a marker in place of the
    row's id, and each row's URL is then a string join (a table of 50 rows would otherwise
    build 50 URLs through the router). For endpoints whose last varying part is an int id."""

    MARKER = 2**31 - 1  # the largest id the int converter accepts; never a real row in a test

    def __init__(self, endpoint: str, key: str, **values):
        url = url_for(endpoint, **{key: self.MARKER}, **values)
        self._head, found, self._tail = url.rpartition(str(self.MARKER))
        if not found:
            raise ValueError(f"{endpoint}: the URL does not show {key}")

    def __call__(self, object_id: int) -> str:
        return f"{self._head}{int(object_id)}{self._tail}"

    @classmethod
    def cached(cls, endpoint: str, key: str, **values) -> RowUrl:
        """The same, kept for the next request with the same script root and values."""
        return _row_url(request.script_root, endpoint, key, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=4096)
def _row_url(_script_root: str, endpoint: str, key: str, values: tuple) -> RowUrl:
    return RowUrl(endpoint, key, **dict(values))


@functools.lru_cache(maxsize=256)
def enum_options(choices: type[enum.Enum], selected: str = "") -> Markup:
    """The `<option>` elements of a select over an enum of the code (value and label each
    escaped), `selected` marked: built once per enum and choice, not option by option on
    every page."""
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            member.value, Markup(" selected") if member.value == selected else "", member.label
        )
        for member in choices
    )


def register(app: Flask) -> None:
    app.jinja_env.globals["row_url"] = RowUrl
    app.jinja_env.globals["enum_options"] = enum_options
    app.jinja_env.filters["sbx"] = sandbox_time
    app.jinja_env.filters["sbxdate"] = sandbox_date
    app.jinja_env.filters["utc"] = real_time
    # The same styles for real dates and times shown without a zone (due dates).
    app.jinja_env.filters["date_text"] = date_text
    app.jinja_env.filters["datetime_text"] = datetime_text
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["segment_label"] = segment_label
    app.jinja_env.filters["count_of"] = count_of
    app.jinja_env.filters["amount_of"] = amount_of
    app.jinja_env.filters["article"] = article
    app.jinja_env.filters["pounds"] = pounds
    app.jinja_env.filters["shorten"] = shorten


_markdown = None


def markdown(text: str | None) -> Markup:
    """Markdown (from scenario briefs) to HTML, passed through an allow-list sanitiser."""
    global _markdown
    if _markdown is None:
        # Deferred on purpose: the parser is built on the first brief shown, not at app start.
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
