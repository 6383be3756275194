"""The production entry point's check: refuse to serve an unsafe configuration."""

from __future__ import annotations

from flask import Flask

from .app import create_app
from .config import deploy_problems


def create_production_app() -> Flask:
    """Build the app for real users; exit with every problem listed if it is not safe to serve."""
    app = create_app()
    problems = deploy_problems(app.config)
    if problems:
        raise SystemExit(
            "CRM Sandbox refuses to start in production:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return app
