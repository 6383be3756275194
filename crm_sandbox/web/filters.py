"""Jinja filters: sandbox business time is always shown with its label, in UK style."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask


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
