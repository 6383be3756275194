"""Small helpers the check types share (not a check type: the leading underscore keeps it
out of the registry's automatic imports)."""

from __future__ import annotations

from datetime import datetime

from ..scenarios.state import as_log
from ..wording import datetime_text

__all__ = ["all_of", "as_log", "first", "level_rule", "when"]


def first(
    log,
    verb: str,
    object_type: str | None = None,
    object_id: int | None = None,
    after_seq: int = 0,
    where=None,
):
    """The first log item with this verb (and object), after a given seq."""
    log = as_log(log)
    for item in log.of(verb) if object_id is None else log.about(object_id):
        if item.seq <= after_seq or item.verb != verb:
            continue
        if object_type is not None and item.object_type != object_type:
            continue
        if object_id is not None and item.object_id != object_id:
            continue
        if where is not None and not where(item):
            continue
        return item
    return None


def all_of(log, verb: str, object_type: str | None = None, object_id: int | None = None):
    return [
        i
        for i in as_log(log).of(verb)
        if i.verb == verb
        and (object_type is None or i.object_type == object_type)
        and (object_id is None or i.object_id == object_id)
    ]


def when(dt: datetime) -> str:
    """A sandbox time in a check's message, in the pages' one style."""
    return datetime_text(dt)


def level_rule(procedure: dict, level: str, which: str) -> dict | None:
    for entry in procedure.get("levels", []):
        if entry.get("key") == level:
            return entry.get(which)
    return None
