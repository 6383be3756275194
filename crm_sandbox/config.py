"""Settings: defaults, then `CRM_SANDBOX_*` environment variables, then the test config.

The checks of the settings read here (`startup_problems` on every start, `deploy_problems`
for production) live in `crm_sandbox.deploy_checks`.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

ENV_PREFIX = "CRM_SANDBOX_"

# Werkzeug's default scrypt cost (N=2^15) is below OWASP's minimum; N=2^16, r=8, p=1 meets it.
PASSWORD_HASH_METHOD = "scrypt:65536:8:1"  # noqa: S105 - a method name, not a password
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

# Settings that may come from the environment, with how to read them.
_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
    "": False,
}


class SettingsError(RuntimeError):
    """A setting no start can work with; the message names the variable and what is expected."""


def _as_bool(value: str) -> bool:
    try:
        return _BOOL[value.strip().lower()]
    except KeyError:
        raise ValueError(f"expected a yes/no value, got {value!r}") from None


def lrs_url(value: str) -> str:
    """The LRS's xAPI base URL (http or https, with a host), ending in "/"; "" switches the
    LRS off. Anything else is refused with what was expected."""
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port is a number in range
    except ValueError:
        raise ValueError(f"expected the LRS's xAPI address, got {value!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            "expected the LRS's xAPI address starting http:// or https://, such as "
            f"https://lrs.college.example/xAPI/, got {value!r}"
        )
    if parts.username or parts.password:
        raise ValueError(
            "put the LRS's user name and password in CRM_SANDBOX_LRS_USERNAME and "
            "CRM_SANDBOX_LRS_PASSWORD (or _PASSWORD_FILE), not in the address"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"expected an address without ?query or #fragment, got {value!r}")
    return value if value.endswith("/") else value + "/"


def secret_from_file(path: str) -> str:
    """A secret kept in a file (its first line), such as the LRS password."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    secret = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not secret:
        raise ValueError(f"{path} is empty")
    return secret


def task_queue_url(value: str) -> str:
    """Where the task queue keeps its tasks: "" (a SQLite file in the instance folder),
    redis://host:port/db (or rediss://), or sqlite:////absolute/path/to/file. Anything else is
    refused with what was expected."""
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks the port is a number in range
    except ValueError:
        raise ValueError(f"expected redis://host:6379/N or sqlite:////path: {value!r}") from None
    if parts.scheme in ("redis", "rediss") and parts.hostname:
        db_part = parts.path.strip("/")
        if db_part and not db_part.isdigit():
            raise ValueError(f"expected a Redis database number after the host, got {value!r}")
        return value
    if parts.scheme == "sqlite" and parts.path.startswith("//") and len(parts.path) > 2:
        return value
    raise ValueError(
        "expected the task queue's address: redis://host:6379/N (Redis) or "
        f"sqlite:////absolute/path/tasks.sqlite3 (a file), got {value!r}"
    )


def whole_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"expected 0 or more, got {value!r}")
    return number


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"expected a number of seconds, got {value!r}") from None
    if not 0 < seconds <= 300:
        raise ValueError(f"expected between 0 and 300 seconds, got {value!r}")
    return seconds


ENV_SETTINGS: dict[str, tuple[str, object]] = {
    # name after the prefix: (Flask config key, parser)
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "LOG_KEY": ("LOG_KEY", str),
    "DEBUG": ("DEBUG", _as_bool),
    "SECURE_COOKIES": ("SESSION_COOKIE_SECURE", _as_bool),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", str),
    "LOGIN_RATE_LIMIT_ADDRESS": ("LOGIN_RATE_LIMIT_ADDRESS", str),
    "LOGIN_RATE_LIMIT_ACCOUNT": ("LOGIN_RATE_LIMIT_ACCOUNT", str),
    "PASSWORD_CHECK_RATE_LIMIT_ADDRESS": ("PASSWORD_CHECK_RATE_LIMIT_ADDRESS", str),
    "PASSWORD_CHECK_RATE_LIMIT_ACCOUNT": ("PASSWORD_CHECK_RATE_LIMIT_ACCOUNT", str),
    "SESSION_IDLE_MINUTES": ("SESSION_IDLE_MINUTES", int),
    "SESSION_MAX_HOURS": ("SESSION_MAX_HOURS", int),
    "IDLE_MINUTES": ("IDLE_MINUTES", int),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "MAX_REQUEST_BYTES": ("MAX_CONTENT_LENGTH", int),
    "BACKUP_DIR": ("BACKUP_DIR", str),
    # xAPI statements to a Learning Record Store (services/xapi.py): off without a URL.
    "LRS_URL": ("LRS_URL", lrs_url),
    "LRS_USERNAME": ("LRS_USERNAME", str),
    "LRS_PASSWORD": ("LRS_PASSWORD", str),
    "LRS_PASSWORD_FILE": ("LRS_PASSWORD", secret_from_file),
    "LRS_TIMEOUT": ("LRS_TIMEOUT", positive_seconds),
    # The task queue (crm_sandbox/tasks): a SQLite file in the instance folder unless a URL.
    "TASK_QUEUE_URL": ("TASK_QUEUE_URL", task_queue_url),
    "TASK_RETRIES": ("TASK_RETRIES", whole_number),
    "TASK_RETRY_DELAY": ("TASK_RETRY_DELAY", whole_number),
}


def strict_json(value) -> str:
    """JSON as the database stores it: standard JSON only (no NaN or Infinity)."""
    return json.dumps(value, allow_nan=False)


def defaults(instance_path: str) -> dict:
    """The settings a fresh install runs with before the environment is read."""
    db_file = Path(instance_path) / "crm_sandbox.sqlite3"
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
        # Where the admin page's "Take a backup" writes (the command line takes --out).
        "BACKUP_DIR": str(Path(instance_path) / "backups"),
        # JSON columns are written strictly too: a NaN or Infinity would be refused (ValueError)
        # rather than stored as a token PostgreSQL and strict parsers reject.
        "SQLALCHEMY_ENGINE_OPTIONS": {"json_serializer": strict_json},
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per address and per account: a classroom shares one address, so the address limit is
        # wider; the account limit is what stops guessing one learner's password.
        "LOGIN_RATE_LIMIT_ADDRESS": "60 per minute",
        "LOGIN_RATE_LIMIT_ACCOUNT": "5 per minute",
        # Wrong current passwords on the Account page (changing password or email): whoever
        # holds a stolen session must not be able to guess the password behind it. Only
        # failed checks count, as at sign-in.
        "PASSWORD_CHECK_RATE_LIMIT_ADDRESS": "60 per minute",
        "PASSWORD_CHECK_RATE_LIMIT_ACCOUNT": "5 per minute; 20 per hour",
        "SESSION_IDLE_MINUTES": 60,
        "SESSION_MAX_HOURS": 12,
        # The most one gap between a learner's requests adds to a scenario's clock.
        "IDLE_MINUTES": 10,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_NAME": "crm_sandbox_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "TRUSTED_PROXIES": 0,
        # The Learning Record Store (services/xapi.py); no URL, no statements sent.
        "LRS_URL": "",
        "LRS_USERNAME": "",
        "LRS_PASSWORD": "",
        "LRS_TIMEOUT": 10.0,
        # The task queue (crm_sandbox/tasks): "" is a SQLite file in the instance folder.
        "TASK_QUEUE_URL": "",
        # A failed task is tried again this many times, after 30 s, 60 s, 120 s...
        "TASK_RETRIES": 3,
        "TASK_RETRY_DELAY": 30,
    }


def from_environment(environ: os._Environ | dict) -> dict:
    """Read every `CRM_SANDBOX_*` setting that is set; a bad value raises a clear error."""
    found = {}
    for name, (key, parse) in ENV_SETTINGS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is None:
            continue
        try:
            found[key] = parse(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name}: {exc}") from None
    if "SESSION_COOKIE_SECURE" in found:
        found["REMEMBER_COOKIE_SECURE"] = found["SESSION_COOKIE_SECURE"]
    return found


def _instance_key(instance_path: str, name: str, create: bool = True) -> str | None:
    """A random key kept in a file of the instance folder, generated once (mode 0600)."""
    path = Path(instance_path) / name
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; never overwrite a key another process just wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def instance_secret_key(instance_path: str) -> str:
    """The secret key kept in the instance folder, generated once on first start."""
    return _instance_key(instance_path, "secret_key")


LOG_KEY_FILE = "log_key"


def instance_log_key(instance_path: str, create: bool = True) -> str | None:
    """The action log's HMAC key kept in the instance folder (generated once unless `create`
    is false: a verifier elsewhere must not invent a key of its own)."""
    return _instance_key(instance_path, LOG_KEY_FILE, create)


def sqlite_file(database_url) -> Path | None:
    """The file of a SQLite database URL, a string or SQLAlchemy URL (None for other
    databases and in-memory ones)."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - an unparseable URL is reported by the connection
        return None
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
