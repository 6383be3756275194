"""Charts drawn on the server with matplotlib, as SVG: no script and no CDN in the browser."""

from __future__ import annotations

import io
import re
from datetime import date

from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

BLUE = "#0d6efd"
RED = "#dc3545"
GREY = "#6c757d"


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
        ax.axhline(target, color=RED, linestyle="--", label=f"Target {target:g}{unit}")
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
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit.strip() or "value")
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
    height = max(2.5, 0.35 * len(labels)) if horizontal else 3
    fig = Figure(figsize=(6, height), dpi=100)
    ax = fig.add_subplot()
    short = [label if len(label) <= 28 else label[:27] + "…" for label in labels]
    if horizontal:
        ax.barh(short[::-1], values[::-1], color=BLUE)
    else:
        ax.bar(short, values, color=BLUE)
    ax.set_title(title, fontsize=10)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3, axis="x" if horizontal else "y")
    return _svg(fig)
