"""`crm-sandbox criteria coverage`: which criteria and common mistakes the scenario library's
checks cover."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from ..scenarios import selftest
from ..scenarios.loader import library


@click.group("criteria")
def criteria_group():
    """The assessment criteria catalogue."""


@criteria_group.command("coverage")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def criteria_coverage(as_json):
    """Which criteria and common mistakes the scenario library's checks cover (exit 1 if any
    is uncovered)."""

    report = selftest.coverage(library().values())
    if as_json:
        click.echo(json.dumps(report, allow_nan=False))
    else:
        click.echo(
            f"criteria covered: {report['covered']} of {report['criteria']}; "
            f"mistakes covered: {report['mistakes_covered']} of {report['mistakes']}"
        )
        for item in report["uncovered"] + report["mistakes_uncovered"]:
            click.echo(f"  uncovered: {item}")
    if report["uncovered"] or report["mistakes_uncovered"]:
        sys.exit(1)
