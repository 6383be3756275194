"""`crm-sandbox init`, `demo` and `check-deploy`: set up the database and first admin, run
the demo cohort, and say whether the configuration is safe for production."""

from __future__ import annotations

import signal

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from ..deploy_checks import deploy_problems
from ..extensions import db
from ..models import Role
from ..services import accounts, demo
from ..services.errors import ServiceError
from .common import _fail, upgrade_database
from .worker import start_worker_process, stop_worker_process


@click.command("init")
@click.option("--admin-email", help="Email of the first admin (asked for if not given).")
@click.option("--admin-name", default="Administrator", show_default=True)
@click.option("--admin-password", help="Password of the first admin (asked for if not given).")
@with_appcontext
def init_command(admin_email, admin_name, admin_password):
    """Create or upgrade the database and create the first admin."""
    upgrade_database()
    click.echo("Database is up to date.")
    if demo.has_admin():
        click.echo("An admin account exists already; nothing else to do.")
        return
    admin_email = admin_email or click.prompt("Email of the first admin")
    admin_password = admin_password or click.prompt(
        "Password (at least 8 characters)", hide_input=True, confirmation_prompt=True
    )
    try:
        user = accounts.create_user(
            name=admin_name, email=admin_email, role=Role.ADMIN, password=admin_password
        )
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Could not create the admin: {exc.message}")
    db.session.commit()
    click.echo(f"Created admin {user.email}.")


@click.command("demo")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="Set up the demo and stop without serving.")
@with_appcontext
def demo_command(port: int, host: str, no_serve: bool):
    """Set up the demo cohort (reusing what is there) and serve the app."""
    upgrade_database()
    cohort = demo.ensure_demo_cohort()
    db.session.commit()
    if demo.ensure_demo_assignment():
        click.echo(f"Assigned the scenario {demo.DEMO_SCENARIO!r} to the demo learners.")
    db.session.commit()
    click.echo("Demo cohort (sign in with these):")
    for row in cohort:
        click.echo(f"  {row.role:9} {row.email:38} password: {row.password}")
    if no_serve:
        return

    click.echo(f"Serving the demo on http://{host}:{port}/  (press Ctrl+C to stop)")
    app: Flask = current_app._get_current_object()
    # The demo runs a worker beside the app (production runs `crm-sandbox worker` as a service
    # of its own: README, "Running in production"): imports, provisioning, evidence packs,
    # grades and xAPI statements. Queued tasks wait in the instance folder between runs.
    worker = start_worker_process(app)
    click.echo(
        "A background worker runs the tasks (imports, provisioning, evidence packs, grades "
        "and xAPI statements; see Admin > Tasks)."
    )
    # SIGTERM too ends the demo through `finally`, so its worker never outlives it.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_worker_process(worker)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(0)


@click.command("check-deploy")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="How many server processes will run (default: gunicorn's WEB_CONCURRENCY if set).",
)
@with_appcontext
def check_deploy_command(workers: int | None):
    """Say whether this configuration is safe to serve to real users (exit 1 if not)."""
    problems = deploy_problems(current_app.config, workers=workers, debug=current_app.debug)
    for problem in problems:
        label = "" if problem.fatal else "(warning) "
        click.secho(f"- {label}{problem}", fg="red" if problem.fatal else "yellow", err=True)
    if any(p.fatal for p in problems):
        _fail("Not ready for production.")
    click.echo("Configuration is ready for production.")
