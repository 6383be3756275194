"""The `crm-sandbox` command line, through Flask's click integration."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade as migrate_upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from seed import profiles as seed_profiles

from .app import create_app
from .cli_audit import audit_group
from .cli_data import register as register_data_commands
from .cli_evidence import evidence_group
from .config import SettingsError, deploy_problems
from .extensions import db
from .models import Role, Sandbox
from .scenarios import selftest
from .scenarios.loader import ScenarioError, library, load_file
from .services import accounts, action_log, assignments, demo, provisioning, user_import
from .services import groups as group_service
from .services.context import SandboxContext
from .services.errors import ServiceError

# Ids and seeds are database integers: a larger number gets click's own clear message rather
# than an overflow from the database driver.
DATABASE_INT = click.IntRange(0, 2**31 - 1)


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def upgrade_database() -> None:
    """Bring the database schema up to the latest migration."""
    migrate_upgrade(directory=current_app.extensions["migrate"].directory)


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


@click.group("users")
def users_group():
    """Create and import user accounts."""


@users_group.command("create")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", help="Asked for if not given; --generate-password makes one.")
@click.option("--generate-password", is_flag=True, help="Make a random password and print it.")
@with_appcontext
def users_create(name, email, role, password, generate_password):
    """Create one user account."""
    if generate_password:
        password = accounts.generate_password()
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(name=name, email=email, role=role, password=password)
    except ServiceError as exc:
        db.session.rollback()
        _fail(f"Not created: {exc.message}")
    db.session.commit()
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")
    if generate_password:
        click.echo(f"Password: {password}")


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tutor", "tutor_email", help="Tutor who owns groups the file does not give a tutor."
)
@with_appcontext
def users_import(csv_file: Path, tutor_email: str | None):
    """Import users from a CSV file with the columns name,email,role,group.

    If any row is bad, nothing is imported and every bad row is listed with its line number.
    """
    default_tutor = None
    if tutor_email:
        default_tutor = accounts.find_user_by_email(tutor_email)
        if default_tutor is None or default_tutor.role_enum != Role.TUTOR:
            _fail(f"--tutor: no tutor account with the email {tutor_email}.")
    if csv_file.stat().st_size > user_import.MAX_FILE_BYTES:
        _fail(f"{csv_file}: the file is larger than {user_import.MAX_FILE_BYTES // 1024} KiB.")
    with click.progressbar(length=1, label="Preparing passwords", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        result = user_import.import_users(
            csv_file.read_bytes(), default_tutor=default_tutor, progress=progress
        )
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.secho(f"{csv_file}: {problem}", fg="red", err=True)
        _fail(f"Nothing was imported: {len(result.problems)} problem(s) to fix first.")
    db.session.commit()
    for user, password in result.created:
        click.echo(f"{user.role:9} {user.email:40} password: {password}")
    if result.groups_created:
        click.echo("Groups created: " + ", ".join(result.groups_created))
    click.echo(f"Imported {len(result.created)} user(s). Give each their password privately.")


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
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


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


@click.group("sandbox")
def sandbox_group():
    """Provision and reset learners' sandbox CRMs."""


def _learners(learner_email: str | None, group_name: str | None) -> list:
    if bool(learner_email) == bool(group_name):
        _fail("Name either --learner EMAIL or --group NAME.")
    if learner_email:
        user = accounts.find_user_by_email(learner_email)
        if user is None or user.role_enum != Role.LEARNER:
            _fail(f"No learner account with the email {learner_email}.")
        return [user]
    group = group_service.find_group(group_name)
    if group is None:
        _fail(f"No group called {group_name!r}.")
    if not group.learners:
        _fail(f"Group {group.name!r} has no learners.")
    return list(group.learners)


@sandbox_group.command("provision")
@click.option("--learner", "learner_email", help="The learner's email.")
@click.option("--group", "group_name", help="Every learner in this group.")
@click.option("--profile", default=provisioning.DEFAULT_PROFILE, show_default=True)
@click.option("--seed", default=provisioning.DEFAULT_SEED, show_default=True, type=DATABASE_INT)
@click.option(
    "--size",
    default=provisioning.DEFAULT_SIZE,
    show_default=True,
    type=click.Choice(provisioning.SIZES),
)
@with_appcontext
def sandbox_provision(learner_email, group_name, profile, seed, size):
    """Give learners their practice sandbox (skipping those who have one)."""
    learners = _learners(learner_email, group_name)
    try:
        with click.progressbar(
            length=len(learners), label="Provisioning sandboxes", file=sys.stderr, show_pos=True
        ) as bar:
            # copied together, a class at a time (one transaction, committed below)
            made = provisioning.provision_missing(
                learners, profile=profile, seed=seed, size=size, progress=bar.update
            )
            bar.update(len(learners) - made)  # those who already had one
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Provisioned {made} sandbox(es); {len(learners) - made} already had one.")


@sandbox_group.command("profiles")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sandbox_profiles(paths):
    """Check organisation profile files (every shipped one if none are given): one line per
    profile, or one per problem (file:line: field: message); exit 1 if any has a problem."""
    bad = 0
    for path in paths or seed_profiles.profile_files():
        try:
            profile = seed_profiles.load_file(path)
        except seed_profiles.ProfileError as exc:
            bad += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(
            f"{path.name}: ok ({profile.key}: {profile.name}, "
            f"{len(profile.departments)} departments)"
        )
    if bad:
        sys.exit(1)


@sandbox_group.command("reset")
@click.option("--learner", "learner_email", required=True, help="The learner's email.")
@click.option(
    "--sandbox", "sandbox_id", type=DATABASE_INT, help="Which sandbox (default: practice)."
)
@click.option("--reason", default="reset from the command line", show_default=True)
@with_appcontext
def sandbox_reset(learner_email, sandbox_id, reason):
    """Put a learner's sandbox back to its starting state."""
    learner = _learners(learner_email, None)[0]
    sandbox = (
        db.session.get(Sandbox, sandbox_id)
        if sandbox_id
        else provisioning.practice_sandbox(learner)
    )
    if sandbox is None or sandbox.owner_id != learner.id:
        _fail(f"{learner.email} has no such sandbox.")
    try:
        provisioning.reset(SandboxContext(sandbox, None, "Command line"), reason)
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Sandbox {sandbox.id} of {learner.email} is back to its starting state.")


@click.group("log")
def log_group():
    """Check the tamper-evident action logs."""


@log_group.command("verify")
@click.option("--sandbox", "sandbox_id", type=DATABASE_INT, help="One sandbox (default: all).")
@with_appcontext
def log_verify(sandbox_id):
    """Recompute each log's hash chain; exit 1 and name the first broken entry if any."""
    if sandbox_id is not None:
        if db.session.get(Sandbox, sandbox_id) is None:
            _fail(f"No sandbox {sandbox_id}.")
        ids = [sandbox_id]
    else:
        ids = list(
            db.session.scalars(
                select(Sandbox.id).where(Sandbox.kind != "template").order_by(Sandbox.id)
            )
        )
    key = action_log.existing_log_key()
    if key is None and db.session.scalar(
        select(Sandbox.id).where(Sandbox.id.in_(ids), Sandbox.log_seq > 0).limit(1)
    ):
        _fail(
            "No log key here (CRM_SANDBOX_LOG_KEY, or instance/log_key beside the app that "
            "wrote the logs): the keyed checkpoints cannot be checked. Nothing was verified."
        )
    broken = 0
    for sid in ids:
        result = action_log.verify(sid, key)
        if result.ok:
            click.echo(str(result))
        else:
            broken += 1
            click.secho(str(result), fg="red", err=True)
    if broken:
        _fail(f"{broken} of {len(ids)} log(s) failed verification.")
    click.echo(f"All {len(ids)} log(s) verified.")


@click.group("scenarios")
def scenarios_group():
    """List, validate, self-test and assign scenarios."""


@scenarios_group.command("list")
@with_appcontext
def scenarios_list():
    """The scenarios in the library."""
    for scenario in library().values():
        click.echo(
            f"{scenario.id:32} L{scenario.level} {scenario.estimated_minutes:>3} min  "
            f"{scenario.profile:12} {scenario.title}"
        )


@scenarios_group.command("validate")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def scenarios_validate(paths):
    """Check scenario files; one line per problem (file:line: field: message); exit 1 if any."""
    bad = 0
    for path in paths:
        try:
            scenario = load_file(path)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(
            f"{path}: ok ({scenario.id}, {len(scenario.tasks)} tasks, "
            f"{sum(len(t.checks) for t in scenario.tasks)} checks)"
        )
    if bad:
        sys.exit(1)


@scenarios_group.command("selftest")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenarios_selftest(as_json, paths):
    """Replay every model answer and mistake walk-through on fresh sandboxes, in a temporary
    database of its own (the real one is not touched)."""

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="crm-selftest-") as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/selftest.sqlite3",
                "SECRET_KEY": "selftest",
                # A throwaway log key: the self-test must not create the instance's real one.
                "LOG_KEY": secrets.token_hex(32),
            }
        )
        with app.app_context():
            upgrade_database()
            logging.getLogger("alembic").setLevel(logging.WARNING)
            summary = selftest.run(list(paths) or None)
            db.session.rollback()
            db.engine.dispose()
    if as_json:
        click.echo(json.dumps(summary, allow_nan=False))
    else:
        click.echo(
            f"{summary['scenarios']} scenarios: {summary['model_answers_passed']} model "
            f"answers pass, {summary['walkthroughs_caught']} of "
            f"{summary['walkthroughs']} walk-throughs caught"
        )
        for failure in summary["failures"]:
            click.echo(f"  FAIL {failure}")
    if summary["failures"] or summary["model_answers_passed"] < summary["scenarios"]:
        sys.exit(1)


@scenarios_group.command("assign")
@click.option("--scenario", "scenario_id", required=True)
@click.option("--learner", "learner_email", help="The learner's email.")
@click.option("--group", "group_name", help="Every learner in this group.")
@with_appcontext
def scenarios_assign(scenario_id, learner_email, group_name):
    """Give learners an attempt at a scenario (each in a sandbox of its own)."""
    learners = _learners(learner_email, group_name)
    # Set for a group, the work is that group's (its tutor and assessors see it, no other's).
    group = group_service.find_group(group_name) if group_name else None
    try:
        made = assignments.assign(
            scenario_id, learners, set_by=None, group_id=group.id if group else None
        )
    except ServiceError as exc:
        db.session.rollback()
        _fail(exc.message)
    db.session.commit()
    click.echo(f"Assigned {scenario_id!r} to {made} learner(s).")


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


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI group."""
    for command in (
        init_command,
        users_group,
        demo_command,
        check_deploy_command,
        sandbox_group,
        log_group,
        scenarios_group,
        criteria_group,
        evidence_group,
        audit_group,
    ):
        app.cli.add_command(command)

    register_data_commands(app, users_group)


def _create_app_for_cli() -> Flask:
    try:
        return create_app()
    except SettingsError as exc:  # a bad setting is a message, not a traceback
        _fail(str(exc))


main = FlaskGroup(
    create_app=_create_app_for_cli,
    # The app's debug flag comes from CRM_SANDBOX_DEBUG (create_app), not from FLASK_DEBUG.
    set_debug_flag=False,
    add_version_option=False,
    load_dotenv=False,
    help="CRM Sandbox: set up, manage users, run the demo. Run a command with --help for more.",
)
