"""The files the README's production walk-through installs (deploy/env.example, the systemd
units in deploy/systemd/) are what the app and its commands accept: the settings file, filled
in as step 4 fills it, passes `crm-sandbox check-deploy` for the units' workers, and every
command line of the units names options the app's commands have."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def unit(name: str) -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key, value)
    return values


def filled_settings(tmp_path) -> dict[str, str]:
    """deploy/env.example with its CHANGE-MEs replaced, as the README's step 4 does."""
    settings = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            value = value.replace("CHANGE-ME-DB-PASSWORD", "d0c5a1b2")
            if value == "CHANGE-ME":
                value = os.urandom(32).hex()
            settings[key] = value
    settings["CRM_SANDBOX_INSTANCE_PATH"] = str(tmp_path)  # /var/lib/crm-sandbox there
    return settings


def test_the_settings_file_filled_in_passes_the_deploy_check(tmp_path):
    settings = filled_settings(tmp_path)
    assert "CHANGE-ME" not in "".join(settings.values())
    workers = unit("crm-sandbox@.service")["Environment"]
    workers = dict(item.split("=", 1) for item in shlex.split(workers))["APP_WORKERS"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_SANDBOX_")}
    env.update(settings)
    done = subprocess.run(  # noqa: S603 - our own command
        [str(Path(sys.executable).with_name("crm-sandbox")), "check-deploy", "--workers", workers],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ready for production" in done.stdout


def test_the_settings_file_with_a_key_left_unchanged_fails_the_deploy_check(tmp_path):
    settings = filled_settings(tmp_path)
    settings["CRM_SANDBOX_SECRET_KEY"] = "CHANGE-ME"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_SANDBOX_")}
    env.update(settings)
    done = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("crm-sandbox")), "check-deploy", "--workers", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "CRM_SANDBOX_SECRET_KEY" in done.stdout + done.stderr


def test_the_app_unit_runs_one_instance_per_port_and_the_worker_unit_the_worker():
    from click.testing import CliRunner

    from crm_sandbox.cli.worker import worker_command

    app = unit("crm-sandbox@.service")
    assert "--bind ${BIND_HOST}:%i" in app["ExecStart"]
    assert "--no-control-socket" in app["ExecStart"]  # two on one machine share no socket
    assert app["ExecStart"].endswith("crm_sandbox.wsgi:app")
    worker = unit("crm-sandbox-worker.service")
    options = re.findall(r"--[a-z-]+", worker["ExecStart"].split(" worker ", 1)[1])
    helped = CliRunner().invoke(worker_command, ["--help"]).output
    assert options and all(option in helped for option in options)
    for service in (app, worker):
        assert service["EnvironmentFile"] == "/etc/crm-sandbox/env"
        assert service["User"] == "crm-sandbox"
