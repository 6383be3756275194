"""The production entry point's check: refuse to serve an unsafe configuration."""

from __future__ import annotations

import sys

from flask import Flask

from .app import create_app
from .config import SettingsError
from .deploy_checks import deploy_problems


def create_production_app() -> Flask:
    """Build the app for real users; exit with every fatal problem listed if it is not safe
    to serve (warnings are printed, and the app starts). The worker count is read from
    gunicorn's command line, GUNICORN_CMD_ARGS or WEB_CONCURRENCY where this process sees it."""
    try:
        app = create_app()
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    problems = deploy_problems(app.config, debug=app.debug)
    fatal = [p for p in problems if p.fatal]
    for warning in (p for p in problems if not p.fatal):
        print(f"CRM Sandbox warning: {warning}", file=sys.stderr)
    if fatal:
        raise SystemExit(
            "CRM Sandbox refuses to start in production:\n" + "\n".join(f"  - {p}" for p in fatal)
        )
    return app
