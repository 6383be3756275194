"""Two app instances behind nginx, on PostgreSQL and Redis, with one worker: the production
layout on one machine, for `make multi`, `.ci/run` and the tests in tests/multi/.

    python -m deploy.multi test [--postgres URL] [--redis URL] [-- PYTEST ARGS]
        run tests/multi, which start the environment, test through nginx and stop it
        (exit status: pytest's)
    python -m deploy.multi up [--postgres URL] [--redis URL]
        start it and keep it up until Ctrl-C (sign in at the printed address)
    python -m deploy.multi nginx-site --server-name crm.college.example \\
            --upstream 10.0.0.11:8000 --upstream 10.0.0.12:8000 --cert ... --key ...
        print the nginx site (deploy/nginx-crm-sandbox.conf filled in) for a real deployment

`--postgres` names the server (its database part is ignored): a fresh database with a unique
name is created there, migrated, and dropped at the end. `--redis` is the Redis database for the
sign-in rate limits (and the queue). Each instance is `gunicorn crm_sandbox.wsgi:app` (the
production entry point, with its deploy checks) on a free loopback port; they share the secret
key, the log key and the instance folder (the LTI key), exactly as two servers must. nginx is
Debian's, run as this user (as `nobody` when this runs as root) with its own prefix, pid file and
temp folders (`daemon off`), on a free port with a self-signed certificate (the cookies are
Secure). The worker is `crm-sandbox
worker` when this version has it, else `crm-sandbox outbox run` (`--worker-command` overrides).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = Path(__file__).with_name("nginx-crm-sandbox.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
SERVED_BY = "X-Crm-Upstream"  # the test environment's header: which instance answered
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(
    upstreams: list[str],
    server_name: str,
    certificate: str,
    certificate_key: str,
    https_listen: str = "443",
    http_listen: str = "80",
    extra_server_lines: str = "",
) -> str:
    """The nginx site (deploy/nginx-crm-sandbox.conf) with its @NAMES@ filled in."""
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    values = {
        "@UPSTREAM_SERVERS@": servers,
        "@SERVER_NAME@": server_name,
        "@TLS_CERTIFICATE@": certificate,
        "@TLS_CERTIFICATE_KEY@": certificate_key,
        "@HTTPS_LISTEN@": https_listen,
        "@HTTP_LISTEN@": http_listen,
        "@EXTRA_SERVER_LINES@": extra_server_lines,
    }
    text = SITE_TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (the tests trust exactly this file)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls.crt", folder / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin_connection(server_url: str):
    import psycopg

    parts = urlsplit(server_url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def default_worker_command() -> list[str]:
    """`crm-sandbox worker` where this version has it (the task queue), else the outbox sender."""
    cli = str(BIN / "crm-sandbox")
    probe = subprocess.run(  # noqa: S603
        [cli, "worker", "--help"], capture_output=True, env=_quiet_env(), check=False
    )
    if probe.returncode == 0:
        return [cli, "worker"]
    return [cli, "outbox", "run", "--interval", "1"]


def _quiet_env() -> dict:
    env = dict(os.environ)
    env.pop("CRM_SANDBOX_TEST_DATABASE_URL", None)
    return env


def _no_control_socket() -> list[str]:
    from gunicorn.config import KNOWN_SETTINGS

    known = any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
    return ["--no-control-socket"] if known else []


@dataclass
class Environment:
    """The running environment: where everything is, and how to stop and start its parts."""

    folder: Path
    url: str  # https://127.0.0.1:<port>, nginx
    certificate: Path  # trust this for `url`
    database_url: str
    server_url: str  # the PostgreSQL server (to drop the database)
    database_name: str
    redis_url: str
    env: dict  # the app's environment (every instance and the worker)
    worker_command: list[str]
    nginx_prefix: str = ""  # nginx's own folder: config, pid, temp folders, logs
    own_folder: bool = False  # made by start(): removed by stop() (it holds the keys)
    instances: dict[str, int] = field(default_factory=dict)  # name -> port
    pids: dict[str, int] = field(default_factory=dict)  # "a", "b", "worker", "nginx" -> pid
    processes: dict[str, subprocess.Popen] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------ where things are

    def save(self) -> None:
        """state.json in the folder: what runs where (pids, ports), for a person looking in."""
        data = {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in self.__dict__.items()
            if k != "processes"
        }
        (self.folder / "state.json").write_text(json.dumps(data, indent=1))

    def instance_of(self, upstream_addr: str) -> str | None:
        """Which instance ("a" or "b") an `$upstream_addr` names (the last one nginx tried)."""
        last = upstream_addr.split(",")[-1].strip()
        for name, port in self.instances.items():
            if last == f"127.0.0.1:{port}":
                return name
        return None

    # ------------------------------------------------------------ processes

    def _spawn(self, key: str, command: list[str], log_name: str) -> None:
        log = open(self.folder / log_name, "ab")  # noqa: SIM115  # kept by the child
        # nginx as an unprivileged user even when this runs as root (CI): see nginx_prefix.
        as_user = _unprivileged() if key == "nginx" and os.geteuid() == 0 else None
        process = subprocess.Popen(  # noqa: S603
            command,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,  # its own process group: stopped with its workers
            **({"user": as_user[0], "group": as_user[1], "extra_groups": []} if as_user else {}),
        )
        log.close()
        self.pids[key] = process.pid
        self.processes[key] = process
        self.save()

    def alive(self, key: str) -> bool:
        process = self.processes.get(key)
        return process is not None and process.poll() is None

    def signal(self, key: str, sig: int = signal.SIGKILL, wait: float = 20) -> None:
        """Send `sig` to a part and all its processes; for a stopping signal, wait until the
        part is gone."""
        pid = self.pids.get(key)
        if not pid:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        if sig in (signal.SIGSTOP, signal.SIGCONT):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGCONT)  # a stopped part must run to hear SIGTERM
        deadline = time.monotonic() + wait
        while self.alive(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive(key):
            os.killpg(pid, signal.SIGKILL)
            while self.alive(key):
                time.sleep(0.05)
        self.processes.pop(key).wait()
        self.pids.pop(key, None)
        self.save()

    def start_instance(self, name: str) -> None:
        port = self.instances[name]
        command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            *_no_control_socket(),
            "crm_sandbox.wsgi:app",
        ]
        self._spawn(name, command, f"instance-{name}.log")
        self._wait_for(name, lambda: _answers(f"http://127.0.0.1:{port}/login", https=True))

    def start_worker(self) -> None:
        self._spawn("worker", self.worker_command, "worker.log")

    def start_nginx(self) -> None:
        self._spawn("nginx", [NGINX, "-p", self.nginx_prefix, "-c", "nginx.conf"], "nginx.log")
        self._wait_for("nginx", lambda: _answers(self.url + "/login", verify=str(self.certificate)))

    def _wait_for(self, key: str, ready, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive(key):
                raise RuntimeError(f"{key} stopped at once:\n{self.log_tail(key)}")
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{key} did not answer within {timeout:.0f} s:\n{self.log_tail(key)}")

    def log_tail(self, key: str, lines: int = 40) -> str:
        names = {"worker": "worker.log", "nginx": "nginx.log"}
        path = self.folder / names.get(key, f"instance-{key}.log")
        text = path.read_text(errors="replace") if path.exists() else ""
        error_log = Path(self.nginx_prefix or self.folder) / "error.log"
        if key == "nginx" and error_log.exists():
            text += error_log.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop every part (nginx first, then the instances and the worker) and drop the
        database."""
        for key in ("nginx", "a", "b", "worker"):
            self.signal(key, signal.SIGTERM)
        if self.nginx_prefix and Path(self.nginx_prefix) != self.folder / "nginx":
            shutil.rmtree(self.nginx_prefix, ignore_errors=True)
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        with _admin_connection(self.server_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')


def _answers(url: str, https: bool = False, verify: str | bool = True) -> bool:
    import requests

    headers = {"X-Forwarded-Proto": "https"} if https else {}
    try:
        return requests.get(url, headers=headers, verify=verify, timeout=3).status_code == 200
    except requests.RequestException:
        return False


def _unprivileged() -> tuple[int, int]:
    """nobody's user id and nogroup's group id (when this runs as root)."""
    import grp
    import pwd

    user = pwd.getpwnam("nobody")
    try:
        group = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        group = user.pw_gid
    return user.pw_uid, group


def nginx_prefix(folder: Path, certificate: Path, key: Path) -> tuple[Path, Path, Path]:
    """nginx's folder (config, pid, logs, temp folders) with its own copy of the certificate.
    Run as root (CI), nginx runs as nobody, so its folder is a fresh one of nobody's in the
    system's temp folder (the environment's own folder may be closed to others)."""
    if os.geteuid() != 0:
        prefix = folder / "nginx"
        prefix.mkdir(exist_ok=True)
    else:
        prefix = Path(tempfile.mkdtemp(prefix="crm-multi-nginx-"))
    shutil.copy(certificate, prefix / "tls.crt")
    shutil.copy(key, prefix / "tls.key")
    if os.geteuid() == 0:
        uid, gid = _unprivileged()
        for path in (prefix, prefix / "tls.crt", prefix / "tls.key"):
            os.chown(path, uid, gid)
    return prefix, prefix / "tls.crt", prefix / "tls.key"


def nginx_conf(prefix: str | Path, site: str, worker_connections: int = 256) -> str:
    """A whole nginx.conf around `site` for an nginx of its own in `prefix` (in the foreground,
    one worker process, so its round-robin is predictable)."""
    return f"""daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""


def start(
    postgres: str = DEFAULT_POSTGRES,
    redis_url: str = DEFAULT_REDIS,
    worker_command: list[str] | None = None,
    extra_env: dict | None = None,
    folder: Path | None = None,
) -> Environment:
    """Start everything; on any failure, stop what started and raise."""
    own_folder = folder is None
    folder = Path(folder or tempfile.mkdtemp(prefix="crm-multi-"))
    (folder / "instance").mkdir(parents=True, exist_ok=True)
    (folder / "instance").chmod(0o700)
    name = f"crm_multi_{os.getpid()}_{int(time.time())}"
    server_url = postgres
    with _admin_connection(server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = _with_database(postgres, name)
    app_env = _quiet_env()
    app_env.update(
        CRM_SANDBOX_DATABASE_URL=database_url,
        CRM_SANDBOX_INSTANCE_PATH=str(folder / "instance"),
        CRM_SANDBOX_SECRET_KEY=secrets.token_hex(32),
        CRM_SANDBOX_LOG_KEY=secrets.token_hex(32),
        CRM_SANDBOX_RATELIMIT_STORAGE_URI=redis_url,
        # the task queue too: the instances queue, the one worker takes
        CRM_SANDBOX_TASK_QUEUE_URL=redis_url,
        CRM_SANDBOX_TRUSTED_PROXIES="1",
        CRM_SANDBOX_SECURE_COOKIES="1",
        CRM_SANDBOX_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    app_env.update(extra_env or {})
    ports = {"a": free_port(), "b": free_port()}
    https_port, http_port = free_port(), free_port()
    certificate, key = self_signed(folder)
    env = Environment(
        folder=folder,
        url=f"https://127.0.0.1:{https_port}",
        certificate=certificate,
        database_url=database_url,
        server_url=server_url,
        database_name=name,
        redis_url=redis_url,
        env=app_env,
        worker_command=worker_command or default_worker_command(),
        instances=ports,
        own_folder=own_folder,
    )
    env.save()
    try:
        subprocess.run(  # noqa: S603
            [str(BIN / "crm-sandbox"), "db", "upgrade"],
            env=app_env,
            check=True,
            capture_output=True,
        )
        # The instance folder's LTI key, made once here: both instances read the same file.
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", _MAKE_LTI_KEY], env=app_env, check=True, capture_output=True
        )
        for instance in ports:
            env.start_instance(instance)
        prefix, nginx_cert, nginx_key = nginx_prefix(folder, certificate, key)
        env.nginx_prefix = str(prefix)
        site = render_site(
            [f"127.0.0.1:{p}" for p in ports.values()],
            "127.0.0.1 localhost",
            str(nginx_cert),
            str(nginx_key),
            https_listen=f"127.0.0.1:{https_port}",
            http_listen=f"127.0.0.1:{http_port}",
            # Test only: which instance answered (the last address nginx tried).
            extra_server_lines=f"    add_header {SERVED_BY} $upstream_addr always;\n",
        )
        (prefix / "nginx.conf").write_text(nginx_conf(prefix, site))
        env.start_nginx()
        env.start_worker()
    except BaseException:
        env.stop()
        raise
    return env


_MAKE_LTI_KEY = (
    "from crm_sandbox import create_app\n"
    "from crm_sandbox.services.lti import keys\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    keys.current()\n"
)


def _arguments(argv):
    parser = argparse.ArgumentParser(
        prog="python -m deploy.multi", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("test", "up"):
        p = sub.add_parser(name)
        p.add_argument(
            "--postgres", default=os.environ.get("CRM_SANDBOX_MULTI_POSTGRES", DEFAULT_POSTGRES)
        )
        p.add_argument("--redis", default=os.environ.get("CRM_SANDBOX_MULTI_REDIS", DEFAULT_REDIS))
        p.add_argument("--worker-command", help="the worker, as one shell-quoted string")
        p.add_argument("pytest_args", nargs="*")
    site = sub.add_parser("nginx-site")
    site.add_argument("--server-name", required=True)
    site.add_argument("--upstream", action="append", required=True, help="host:port, repeated")
    site.add_argument("--cert", required=True)
    site.add_argument("--key", required=True)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    if args.command == "nginx-site":
        print(render_site(args.upstream, args.server_name, args.cert, args.key))
        return 0
    worker = shlex.split(args.worker_command) if args.worker_command else None
    # A service manager's or CI's SIGTERM stops everything as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.command == "test":
        # The tests start (and stop) the environment themselves: they run a small LRS for the
        # worker to send to, which every instance must be told about when it starts.
        child_env = dict(os.environ, CRM_SANDBOX_MULTI="1")
        child_env.update(
            CRM_SANDBOX_MULTI_POSTGRES=args.postgres, CRM_SANDBOX_MULTI_REDIS=args.redis
        )
        if args.worker_command:
            child_env["CRM_SANDBOX_MULTI_WORKER"] = args.worker_command
        child_env.pop("CRM_SANDBOX_TEST_DATABASE_URL", None)
        pytest = [sys.executable, "-m", "pytest", "-m", "multi", "tests/multi", *args.pytest_args]
        return subprocess.run(pytest, cwd=ROOT, env=child_env, check=False).returncode  # noqa: S603
    env = start(args.postgres, args.redis, worker)
    try:
        print(
            f"CRM Sandbox: two instances behind nginx at {env.url} (certificate {env.certificate})"
        )
        print(
            f"  database {env.database_name}, Redis {env.redis_url}, "
            f"worker: {shlex.join(env.worker_command)}"
        )
        print(f"  logs in {env.folder} (removed when it stops)")
        print("  create the first admin with: " + _admin_hint(env))
        print("Ctrl-C stops everything.")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
        return 0
    finally:
        env.stop()
        print("CRM Sandbox: stopped nginx, both instances and the worker; database dropped")


def _admin_hint(env: Environment) -> str:
    keys = ("CRM_SANDBOX_DATABASE_URL", "CRM_SANDBOX_INSTANCE_PATH", "CRM_SANDBOX_LOG_KEY")
    prefix = " ".join(f"{k}={shlex.quote(env.env[k])}" for k in keys)
    return f"{prefix} {BIN / 'crm-sandbox'} init"


if __name__ == "__main__":
    sys.exit(main())
