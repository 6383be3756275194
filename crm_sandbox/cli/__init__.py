"""The `crm-sandbox` command line, through Flask's click integration.

A module per command group: `deploy` (init, demo, check-deploy), `users`, `sandbox`, `log`,
`scenarios`, `criteria`, `evidence`, `audit`, `eqa`, `outbox`, `lti`, `worker` (the task
queue's consumer) and `data` (backup, restore, users export and erase); `common` holds what
they share. `main` is the console script's entry point and `register_commands` attaches every
group to an app.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from ..app import create_app
from ..config import SettingsError
from .audit import audit_group
from .common import _fail, upgrade_database
from .criteria import criteria_group
from .data import register as register_data_commands
from .deploy import check_deploy_command, demo_command, init_command
from .eqa import eqa_group
from .evidence import evidence_group
from .log import log_group
from .lti import lti_group
from .outbox import outbox_group
from .sandbox import sandbox_group
from .scenarios import scenarios_group
from .users import users_group
from .worker import worker_command

__all__ = ["main", "register_commands", "upgrade_database"]


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
        eqa_group,
        outbox_group,
        lti_group,
        worker_command,
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
