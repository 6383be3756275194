"""Checking settings: every start refuses settings that cannot work (`startup_problems`: a
rate limit that does not parse, a session or body limit of zero), and a production start is
also checked like Django's `check --deploy` (`deploy_problems`): debug, weak keys, insecure
cookies, per-process rate limits under several workers, a database file others can read.
"""

from __future__ import annotations

import argparse
import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

from .config import ENV_PREFIX, sqlite_file

MIN_KEY_BYTES = 32
MAX_BODY_BYTES = 100 * 1024 * 1024
RATE_LIMIT_SETTINGS = {
    "LOGIN_RATE_LIMIT_ADDRESS": ENV_PREFIX + "LOGIN_RATE_LIMIT_ADDRESS",
    "LOGIN_RATE_LIMIT_ACCOUNT": ENV_PREFIX + "LOGIN_RATE_LIMIT_ACCOUNT",
}
# Keys that appear in this repository, its docs and tutorials everywhere: anyone can sign
# cookies (or log checkpoints) with them. Matched case-insensitively; one ending in "-" is a
# prefix (the rest of such a key is a short random suffix).
WELL_KNOWN_KEYS = (
    "testing-only-secret-key",
    "testing-only-log-key",
    "e2e-only-secret-key-",
    "selftest",
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "secret-key",
    "secret_key",
    "mysecret",
    "supersecret",
    "your-secret-key",
    "replace-me",
    "password",
    "dev",
    "development",
    "example",
    "test",
)


@dataclass(frozen=True)
class Problem:
    """One unsafe setting: which variable, what is expected, and whether it stops a start."""

    setting: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def startup_problems(config) -> list[Problem]:
    """Settings no start can work with (checked by every start, not only production)."""
    problems = []
    for key, variable in RATE_LIMIT_SETTINGS.items():
        value = config.get(key)
        try:
            limits = parse_many(value) if isinstance(value, str) else None
        except ValueError:
            limits = None
        if not limits:
            problems.append(
                Problem(
                    variable,
                    f"{value!r} is not a rate limit; expected e.g. '5 per minute' "
                    "(Flask-Limiter's notation; several separated by ';')",
                )
            )
        elif any(limit.amount < 1 for limit in limits):
            problems.append(
                Problem(variable, f"{value!r} allows no attempts at all; expected at least 1")
            )
    for key in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "IDLE_MINUTES"):
        value = config.get(key)
        if not isinstance(value, int) or value <= 0:
            problems.append(
                Problem(ENV_PREFIX + key, f"{value!r}: expected a whole number above 0")
            )
    body = config.get("MAX_CONTENT_LENGTH")
    if body is not None and (not isinstance(body, int) or body <= 0):
        problems.append(
            Problem(
                ENV_PREFIX + "MAX_REQUEST_BYTES",
                f"{body!r}: expected a number of bytes above 0 (the default is 2097152)",
            )
        )
    return problems


def _weak_key(key) -> str | None:
    """Why a signing key is unsafe, or None."""
    if not key:
        return "is not set"
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    lowered = text.strip().lower()
    if any(lowered == k or (k.endswith("-") and lowered.startswith(k)) for k in WELL_KNOWN_KEYS):
        return "is a well-known example or test key"
    if len(text.encode("utf-8")) < MIN_KEY_BYTES:
        return f"is {len(text.encode('utf-8'))} bytes long; expected at least {MIN_KEY_BYTES}"
    if len(set(text)) < 8:
        return "repeats a few characters (it is not random)"
    return None


def gunicorn_workers(environ=None, argv=None) -> int | None:
    """The worker count gunicorn was given, where the process can see it: -w/--workers on
    its command line or in GUNICORN_CMD_ARGS, else WEB_CONCURRENCY (gunicorn's default for
    --workers). None when none of these says (e.g. not under gunicorn, or a config file)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-w", "--workers", type=int)
    sources = [shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))]
    if argv and Path(argv[0]).name.startswith("gunicorn"):
        sources.insert(0, list(argv[1:]))
    for args in sources:
        try:
            found, _ = parser.parse_known_args(args)
        except SystemExit:  # argparse's way of saying "-w needs a number"
            continue
        if found.workers is not None:
            return found.workers
    raw = environ.get("WEB_CONCURRENCY", "").strip()
    return int(raw) if raw.isdigit() else None


def _file_problems(path: Path) -> list[Problem]:
    problems = []
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            problems.append(
                Problem(
                    ENV_PREFIX + "DATABASE_URL",
                    f"the SQLite file {candidate} has mode {mode:04o} (others can read the "
                    f"password hashes); expected 0600: chmod 600 {candidate}",
                )
            )
    return problems


def deploy_problems(
    config, environ=None, workers: int | None = None, argv=None, debug: bool = False
) -> list[Problem]:
    """What makes this configuration unsafe to serve to real users (empty when it is fine).

    `workers` is the number of server processes (None: read gunicorn's settings where
    visible); `debug` is the app's own debug flag (`app.debug`)."""
    environ = os.environ if environ is None else environ
    problems = list(startup_problems(config))
    flask_debug = environ.get("FLASK_DEBUG", "").strip().lower() not in ("", "0", "false", "no")
    # The variable itself too: a command line may have set the app's flag from elsewhere.
    env_debug = environ.get(ENV_PREFIX + "DEBUG", "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
    )
    if config.get("DEBUG") or debug or env_debug:
        problems.append(Problem(ENV_PREFIX + "DEBUG", "debug is on; expected 0 (the default)"))
    if flask_debug:
        problems.append(
            Problem("FLASK_DEBUG", "debug is on through Flask's own variable; expected it unset")
        )
    if config.get("TESTING"):
        problems.append(Problem("TESTING", "testing mode is on; expected it off"))
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append(
            Problem(
                ENV_PREFIX + "SECURE_COOKIES",
                "cookies are not marked Secure; expected 1 (with the site served over HTTPS)",
            )
        )
    problems += _key_problems(config)
    body = config.get("MAX_CONTENT_LENGTH")
    if isinstance(body, int) and body > MAX_BODY_BYTES:
        problems.append(
            Problem(
                ENV_PREFIX + "MAX_REQUEST_BYTES",
                f"{body} bytes lets one request fill the server's memory; expected at most "
                f"{MAX_BODY_BYTES} (100 MB)",
            )
        )
    if workers is None:
        workers = gunicorn_workers(environ, argv)
    problems += _rate_limit_storage_problems(config, workers)
    database = sqlite_file(str(config.get("SQLALCHEMY_DATABASE_URI", "")))
    if database is not None:
        problems += _file_problems(database)
    return problems


def _key_problems(config) -> list[Problem]:
    """The signing keys (the session's and the action log's) that are weak."""
    problems = []
    for key, variable in (("SECRET_KEY", "SECRET_KEY"), ("LOG_KEY", "LOG_KEY")):
        if key == "LOG_KEY" and not config.get(key):
            continue  # generated into the instance folder on first use: random
        weak = _weak_key(config.get(key))
        if weak:
            problems.append(
                Problem(
                    ENV_PREFIX + variable,
                    f"the key {weak}; expected a long random value, e.g. "
                    "python -c 'import secrets; print(secrets.token_hex(32))'",
                )
            )
    return problems


def _rate_limit_storage_problems(config, workers: int | None) -> list[Problem]:
    """Per-process rate-limit storage under several workers (fatal), or when the worker
    count cannot be seen (a warning)."""
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if not storage.startswith("memory://"):
        return []
    variable = ENV_PREFIX + "RATELIMIT_STORAGE_URI"
    if workers is not None and workers > 1:
        return [
            Problem(
                variable,
                f"memory:// counts sign-in attempts in each of the {workers} workers "
                "separately (the limits are multiplied); expected shared storage, "
                "e.g. redis://host:6379/0",
            )
        ]
    if workers is None:
        return [
            Problem(
                variable,
                "memory:// counts sign-in attempts per process: fine for one worker, "
                "but with more than one expected shared storage, e.g. redis://host:6379/0 "
                "(give --workers N to check)",
                fatal=False,
            )
        ]
    return []
