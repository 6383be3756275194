"""Charts drawn on the server with matplotlib, as SVG: no script and no CDN in the browser.

Every text on a chart that a user wrote (a standard's title and unit, a question, an option)
is drawn as plain text, never parsed: matplotlib reads `$...$` as math, and a learner's
`$\\frac{a}$` would fail the drawing. Titles are Text objects with `parse_math=False`; tick
and legend labels, which matplotlib makes itself, have their dollar signs escaped (`\\$`,
matplotlib's own way to draw a literal `$`). TeX is never used (`usetex=False`).
"""

from __future__ import annotations

import io
import re
from datetime import date

from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..wording import shorten

BLUE = "#0d6efd"
RED = "#dc3545"
GREY = "#6c757d"


def plain(text: str) -> str:
    """User text for a label matplotlib makes itself: `$` escaped so no math is parsed."""
    return text.replace("$", r"\$")


def _title(ax, title: str) -> None:
    ax.set_title(title, fontsize=10, parse_math=False, usetex=False)


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    # Drop the DOCTYPE: it names a DTD on the web, which a browser with no network access
    # may wait for before drawing the image.
    return re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", buffer.getvalue(), count=1)


def compliance_chart(
    points: list[tuple[date, float | None, int]], target: float | None, unit: str, title: str
) -> bytes:
    """Compliance per period as a line, with the target as a dashed line."""
    fig = Figure(figsize=(7, 3), dpi=100)
    ax = fig.add_subplot()
    shown = [(d, v) for d, v, _ in points if v is not None]
    if shown:
        ax.plot(
            [d for d, _ in shown], [v for _, v in shown], marker="o", color=BLUE, label="Measured"
        )
    if target is not None:
        ax.axhline(target, color=RED, linestyle="--", label=plain(f"Target {target:g}{unit}"))
    if not shown:
        ax.text(
            0.5,
            0.5,
            "No cases in this period yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=GREY,
        )
    _title(ax, title)
    ax.set_ylabel(unit.strip() or "value", parse_math=False, usetex=False)
    if unit.strip() == "%":
        ax.set_ylim(0, 105)
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))
    if shown or target is not None:
        ax.legend(loc="lower right", fontsize=8)
    fig.autofmt_xdate()
    return _svg(fig)


def bar_chart(
    labels: list[str], values: list[float], title: str, xlabel: str = "", horizontal: bool = False
) -> bytes:
    """A plain bar chart of counts (answer distributions, themes, segments)."""
    return _svg(bar_figure(labels, values, title, xlabel, horizontal))


def bar_figure(
    labels: list[str], values: list[float], title: str, xlabel: str = "", horizontal: bool = False
) -> Figure:
    """The figure of `bar_chart`: its count axis has whole-number ticks only (no "0.2 of a
    response"), from 0 up to at least 1."""
    height = max(2.5, 0.35 * len(labels)) if horizontal else 3
    fig = Figure(figsize=(6, height), dpi=100)
    ax = fig.add_subplot()
    short = [plain(shorten(label, 28)) for label in labels]
    if horizontal:
        ax.barh(short[::-1], values[::-1], color=BLUE)
    else:
        ax.bar(short, values, color=BLUE)
    _title(ax, title)
    if xlabel:
        ax.set_xlabel(xlabel, parse_math=False, usetex=False)
    ax.grid(alpha=0.3, axis="x" if horizontal else "y")
    counts = ax.xaxis if horizontal else ax.yaxis
    counts.set_major_locator(MaxNLocator(integer=True))
    top = max([*values, 1])
    (ax.set_xlim if horizontal else ax.set_ylim)(0, top * 1.05)
    return fig


def message_chart(message: str) -> bytes:
    """A chart-sized image that says why there is no chart (e.g. a period that cannot be
    shown), drawn as plain text."""
    fig = Figure(figsize=(7, 1.2), dpi=100)
    # (no wrap=True: matplotlib 3.11 measures wrapped lines as math whatever parse_math says)
    fig.text(0.5, 0.5, message, ha="center", va="center", color=RED, parse_math=False)
    return _svg(fig)
