"""Class load as a college runs it: two app instances behind nginx, on PostgreSQL and Redis.

The same class, mix and levels as `load` (benchmarks/load.py), served by two gunicorn instances
of `crm_sandbox.wsgi:app` (2 sync workers each, production settings, one secret key, sign-in
counts in Redis, `CRM_SANDBOX_TRUSTED_PROXIES=1`) behind Debian's nginx running the production
site (`deploy/nginx-crm-sandbox.conf`: round-robin, no sticky sessions, HTTPS with a
self-signed certificate the client trusts), as `make multi` starts them. The client speaks
HTTPS to nginx and keeps its connections alive, as browsers do (the direct `load` benchmark
opens a connection per request on plain HTTP).

PostgreSQL only (two instances on one SQLite file is not a production layout): with a SQLite
BENCH_DATABASE_URL, or none, the section says so and measures nothing. Needs nginx
(`apt-get install nginx`).

Run on its own: `python -m benchmarks.behind_nginx --database-url postgresql+psycopg://...`.
"""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import load
from .classroom import GunicornServer, app_server
from .common import is_postgres, standalone_main

INSTANCES = 2
WORKERS_EACH = 2


class TwoInstancesBehindNginx:
    """two gunicorn instances (2 sync workers each) behind nginx (round-robin, HTTPS, keep-alive)"""

    keep_alive = True

    def __init__(self, room, log_path: Path):
        self.room = room
        self.log_path = log_path
        self.folder = Path(tempfile.mkdtemp(prefix="crm-bench-nginx-"))
        self.instances: list[GunicornServer] = []
        self.nginx: subprocess.Popen | None = None

    def __enter__(self) -> TwoInstancesBehindNginx:
        from deploy import multi

        try:
            for n in range(INSTANCES):
                server = app_server(
                    self.room, self.log_path.with_suffix(f".{n}.log"), workers=WORKERS_EACH
                )
                server.env = {**server.env, "CRM_SANDBOX_TRUSTED_PROXIES": "1"}
                self.instances.append(server.__enter__())
            certificate, key = multi.self_signed(self.folder)
            prefix, nginx_cert, nginx_key = multi.nginx_prefix(self.folder, certificate, key)
            self.prefix = prefix
            https_port, http_port = multi.free_port(), multi.free_port()
            site = multi.render_site(
                [f"127.0.0.1:{s.port}" for s in self.instances],
                "127.0.0.1 localhost",
                str(nginx_cert),
                str(nginx_key),
                https_listen=f"127.0.0.1:{https_port}",
                http_listen=f"127.0.0.1:{http_port}",
            )
            (prefix / "nginx.conf").write_text(
                multi.nginx_conf(prefix, site, worker_connections=4096)
            )
            self.base_url = f"https://127.0.0.1:{https_port}"
            self.ssl_context = ssl.create_default_context(cafile=str(certificate))
            self._start_nginx(multi)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_nginx(self, multi) -> None:
        as_user = multi._unprivileged() if os.geteuid() == 0 else None  # noqa: SLF001 - our own
        self._nginx_log = open(self.prefix / "nginx.out", "ab")  # noqa: SIM115 - closed on exit
        self.nginx = subprocess.Popen(  # noqa: S603 - our own command line
            [multi.NGINX, "-p", str(self.prefix), "-c", "nginx.conf"],
            stdout=self._nginx_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **({"user": as_user[0], "group": as_user[1], "extra_groups": []} if as_user else {}),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log_text()[-2000:]}")
            try:
                with urllib.request.urlopen(  # noqa: S310 - loopback
                    self.base_url + "/healthz", timeout=2, context=self.ssl_context
                ) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer within 30 s")

    def worker_pids(self) -> list[int]:
        """Every instance's gunicorn workers (nginx's own CPU is not the app's)."""
        return [pid for server in self.instances for pid in server.worker_pids()]

    def log_text(self) -> str:
        texts = [server.log_text() for server in self.instances]
        error_log = getattr(self, "prefix", None) and self.prefix / "error.log"
        if error_log and error_log.exists():
            texts.append(error_log.read_text(errors="replace"))
        return "\n".join(texts)

    def __exit__(self, *exc) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            try:
                self.nginx.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        if self.nginx is not None:
            self._nginx_log.close()
        for server in reversed(self.instances):
            server.__exit__(None, None, None)
            server.log_path.unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        if getattr(self, "prefix", None) and self.prefix != self.folder / "nginx":
            shutil.rmtree(self.prefix, ignore_errors=True)


def run(database_url: str | None, quick: bool = False) -> dict:
    """The class-load levels through nginx, on PostgreSQL."""
    if not database_url or not is_postgres(database_url):
        return {
            "skipped": "PostgreSQL only: set BENCH_DATABASE_URL=postgresql+psycopg://... "
            "(several instances on one SQLite file is not a production layout)"
        }
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        return {"error": "nginx not found: apt-get install nginx"}
    section = load.run(database_url, quick=quick, servers=TwoInstancesBehindNginx)
    section["method"] += (
        f"; through nginx (HTTPS, keep-alive) to {INSTANCES} instances of "
        f"{WORKERS_EACH} sync workers each, round-robin"
    )
    return section


def main(argv: list[str] | None = None) -> int:
    return standalone_main(
        "behind_nginx", __doc__, run, load.table, "5 s per level instead of 30 s", argv
    )


if __name__ == "__main__":
    sys.exit(main())
