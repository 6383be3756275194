"""Unsafe settings are reported: `crm-sandbox check-deploy` names each one and what is expected
(exit 1 when any is fatal), the production entry point refuses to start on the fatal ones, and
every start refuses settings that cannot work at all (a rate limit that does not parse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_sandbox import create_app
from crm_sandbox.config import SettingsError, sqlite_file
from crm_sandbox.deploy_checks import deploy_problems, gunicorn_workers, startup_problems
from crm_sandbox.wsgi_check import create_production_app

from .conftest import TEST_DATABASE_URL

STRONG = "9f2c4e1a7b3d5f60818293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"


def safe_config(**changes) -> dict:
    """A configuration that is fit for production; each test spoils one thing."""
    config = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://crm@db/crm",
        "SECRET_KEY": STRONG,
        "LOG_KEY": STRONG[::-1],
        "DEBUG": False,
        "TESTING": False,
        "SESSION_COOKIE_SECURE": True,
        "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
        "LOGIN_RATE_LIMIT_ADDRESS": "60 per minute",
        "LOGIN_RATE_LIMIT_ACCOUNT": "5 per minute; 20 per hour",
        "SESSION_IDLE_MINUTES": 60,
        "SESSION_MAX_HOURS": 12,
        "IDLE_MINUTES": 10,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
    config.update(changes)
    return config


def problems_of(config, environ=None, **kwargs):
    return deploy_problems(config, environ=environ or {}, argv=[], **kwargs)


def only_problem(config, environ=None, **kwargs):
    found = problems_of(config, environ, **kwargs)
    assert len(found) == 1, found
    return found[0]


def test_a_safe_configuration_has_no_problems():
    assert problems_of(safe_config()) == []


@pytest.mark.parametrize(
    ("changes", "variable", "expected"),
    [
        ({"DEBUG": True}, "CRM_SANDBOX_DEBUG", "debug is on"),
        ({"TESTING": True}, "TESTING", "testing mode is on"),
        ({"SESSION_COOKIE_SECURE": False}, "CRM_SANDBOX_SECURE_COOKIES", "expected 1"),
        ({"SECRET_KEY": "short-but-random-7f3a"}, "CRM_SANDBOX_SECRET_KEY", "at least 32"),
        ({"SECRET_KEY": "changeme"}, "CRM_SANDBOX_SECRET_KEY", "well-known"),
        ({"SECRET_KEY": "Secret"}, "CRM_SANDBOX_SECRET_KEY", "well-known"),
        ({"SECRET_KEY": "testing-only-secret-key"}, "CRM_SANDBOX_SECRET_KEY", "well-known"),
        (
            {"SECRET_KEY": "e2e-only-secret-key-0123456789abcdef"},
            "CRM_SANDBOX_SECRET_KEY",
            "well-known",
        ),
        ({"SECRET_KEY": "k" * 40}, "CRM_SANDBOX_SECRET_KEY", "not random"),
        ({"LOG_KEY": "testing-only-log-key"}, "CRM_SANDBOX_LOG_KEY", "well-known"),
        ({"LOG_KEY": "abc123"}, "CRM_SANDBOX_LOG_KEY", "at least 32"),
        ({"MAX_CONTENT_LENGTH": 500 * 1024 * 1024}, "CRM_SANDBOX_MAX_REQUEST_BYTES", "at most"),
        ({"MAX_CONTENT_LENGTH": 0}, "CRM_SANDBOX_MAX_REQUEST_BYTES", "above 0"),
        ({"SESSION_IDLE_MINUTES": 0}, "CRM_SANDBOX_SESSION_IDLE_MINUTES", "above 0"),
        ({"SESSION_MAX_HOURS": -3}, "CRM_SANDBOX_SESSION_MAX_HOURS", "above 0"),
        ({"IDLE_MINUTES": 0}, "CRM_SANDBOX_IDLE_MINUTES", "above 0"),
        (
            {"LOGIN_RATE_LIMIT_ACCOUNT": "five a minute"},
            "CRM_SANDBOX_LOGIN_RATE_LIMIT_ACCOUNT",
            "is not a rate limit",
        ),
        (
            {"LOGIN_RATE_LIMIT_ADDRESS": "0 per minute"},
            "CRM_SANDBOX_LOGIN_RATE_LIMIT_ADDRESS",
            "no attempts at all",
        ),
    ],
)
def test_each_unsafe_setting_is_fatal_and_names_its_variable(changes, variable, expected):
    problem = only_problem(safe_config(**changes))
    assert problem.fatal
    assert problem.setting == variable
    assert expected in str(problem) and str(problem).startswith(variable + ": ")


def test_debug_is_caught_by_every_route():
    assert only_problem(safe_config(), {"FLASK_DEBUG": "1"}).setting == "FLASK_DEBUG"
    assert problems_of(safe_config(), {"FLASK_DEBUG": "0"}) == []
    assert only_problem(safe_config(), debug=True).setting == "CRM_SANDBOX_DEBUG"


def test_memory_rate_limits_are_fatal_with_several_workers_and_a_warning_when_unknown():
    config = safe_config(RATELIMIT_STORAGE_URI="memory://")
    several = only_problem(config, workers=4)
    assert several.fatal and "each of the 4 workers" in several.message
    assert only_problem(config, {"WEB_CONCURRENCY": "3"}).fatal
    assert problems_of(config, workers=1) == []
    unknown = only_problem(config)
    assert not unknown.fatal and "--workers" in unknown.message


def test_the_worker_count_is_read_from_gunicorns_command_line_and_environment():
    assert gunicorn_workers({}, ["/usr/bin/gunicorn", "-w", "4", "app:app"]) == 4
    assert gunicorn_workers({}, ["gunicorn", "--workers=2", "app:app"]) == 2
    assert gunicorn_workers({"GUNICORN_CMD_ARGS": "--bind :80 --workers 5"}, ["x"]) == 5
    assert gunicorn_workers({"WEB_CONCURRENCY": "3"}, ["gunicorn", "app:app"]) == 3
    assert gunicorn_workers({}, ["python", "-w", "9"]) is None  # not gunicorn's -w
    assert gunicorn_workers({"GUNICORN_CMD_ARGS": "-w lots"}, []) is None


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite files")
def test_a_sqlite_file_others_can_read_is_fatal(tmp_path):
    path = tmp_path / "crm.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"")
    wal.chmod(0o600)
    config = safe_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")

    problem = only_problem(config)

    assert problem.setting == "CRM_SANDBOX_DATABASE_URL"
    assert "mode 0644" in problem.message and f"chmod 600 {path}" in problem.message
    path.chmod(0o600)
    assert problems_of(config) == []


def test_every_start_refuses_an_unparseable_rate_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_SANDBOX_LOGIN_RATE_LIMIT_ADDRESS", "sixty a minute")
    with pytest.raises(SettingsError, match="CRM_SANDBOX_LOGIN_RATE_LIMIT_ADDRESS: 'sixty"):
        create_app({"TESTING": True})
    assert startup_problems(safe_config()) == []


def check_deploy_command(tmp_path, **settings) -> subprocess.CompletedProcess:
    """`crm-sandbox check-deploy` run as an IT person would, with these environment variables
    (and neither debug variable unless given)."""
    env = {**os.environ, "CRM_SANDBOX_INSTANCE_PATH": str(tmp_path)}
    env.pop("FLASK_DEBUG", None)
    env.pop("CRM_SANDBOX_DEBUG", None)
    return subprocess.run(  # noqa: S603 - the project's own command
        [str(Path(sys.executable).parent / "crm-sandbox"), "check-deploy"],
        env={**env, **settings},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_command_line_prints_a_bad_setting_without_a_traceback(tmp_path):
    done = check_deploy_command(tmp_path, CRM_SANDBOX_SESSION_MAX_HOURS="0")
    assert done.returncode == 1
    assert "CRM_SANDBOX_SESSION_MAX_HOURS: 0: expected a whole number above 0" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("variable", ["CRM_SANDBOX_DEBUG", "FLASK_DEBUG"])
def test_the_command_line_catches_debug_set_by_either_variable(tmp_path, variable):
    done = check_deploy_command(tmp_path, **{variable: "1"})
    assert done.returncode == 1
    assert f"- {variable}: debug is on" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_deploy_exits_1_on_a_fatal_problem_and_0_on_warnings_only(app_factory):
    app = app_factory(
        TESTING=False,
        SECRET_KEY=STRONG,
        LOG_KEY=None,
        SESSION_COOKIE_SECURE=True,
        LOGIN_RATE_LIMIT_ACCOUNT="5 per minute",
        LOGIN_RATE_LIMIT_ADDRESS="60 per minute",
    )
    database = sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if database is not None:  # the test harness copies its database file with the umask
        database.chmod(0o600)
    runner = app.test_cli_runner()

    warned = runner.invoke(args=["check-deploy"])
    assert warned.exit_code == 0, warned.output
    assert "(warning) CRM_SANDBOX_RATELIMIT_STORAGE_URI" in warned.output
    assert "Configuration is ready for production." in warned.output

    assert runner.invoke(args=["check-deploy", "--workers", "1"]).output.startswith(
        "Configuration is ready"
    )
    refused = runner.invoke(args=["check-deploy", "--workers", "3"])
    assert refused.exit_code == 1
    assert "- CRM_SANDBOX_RATELIMIT_STORAGE_URI: memory:// counts" in refused.output
    assert "Not ready for production." in refused.output


def test_the_production_entry_point_refuses_several_workers_on_memory_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_SANDBOX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_SANDBOX_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("CRM_SANDBOX_SECURE_COOKIES", "1")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 4")
    with pytest.raises(SystemExit) as refused:
        create_production_app()
    assert "CRM_SANDBOX_RATELIMIT_STORAGE_URI" in str(refused.value)
    assert "4 workers" in str(refused.value)

    monkeypatch.setenv("CRM_SANDBOX_SECRET_KEY", "changeme")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 1")
    with pytest.raises(SystemExit, match="CRM_SANDBOX_SECRET_KEY: the key is a well-known"):
        create_production_app()

    monkeypatch.setenv("CRM_SANDBOX_SECRET_KEY", STRONG)
    monkeypatch.setenv("CRM_SANDBOX_LOGIN_RATE_LIMIT_ACCOUNT", "5 a minute")
    with pytest.raises(SystemExit, match="cannot start with these settings"):
        create_production_app()
