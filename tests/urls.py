"""Concrete paths from URL-map rules, for tests that walk every route."""

from __future__ import annotations

import re


def fill_rule(rule, values: dict, default=None) -> str:
    """The rule's path with each argument replaced by `values[arg]` (or `default` when given
    and the argument has no value; a missing argument without a default is a KeyError)."""
    path = rule.rule
    for arg in rule.arguments:
        value = values[arg] if default is None else values.get(arg, default)
        path = re.sub(rf"<(?:[^:>]+:)?{arg}(?:\([^)]*\))?>", str(value), path)
    return path
