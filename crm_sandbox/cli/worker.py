"""`crm-sandbox worker`: run the task queue's consumer (Huey) until stopped.

SIGTERM (systemd's stop) stops it gracefully: running tasks finish (for at
most `--shutdown-timeout` seconds); SIGINT (Ctrl+C) stops at once. A task cut short is queued
again (Huey's interrupted signal), and queued tasks stay in the
queue's storage for the next start.
"""

from __future__ import annotations

import logging
import os
import subprocess  # noqa: S404 - the demo starts its worker as a child process
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..tasks import huey_of, queue_file
from .common import _fail


@click.command("worker")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Tasks run at once (threads).",
)
@click.option(
    "--shutdown-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds running tasks get to finish when the worker is stopped.",
)
@with_appcontext
def worker_command(workers: int, shutdown_timeout: float) -> None:
    """Run background tasks (imports, provisioning, evidence packs, the outbox) until stopped."""
    huey = huey_of(current_app)
    if huey.immediate:
        _fail("The task queue runs tasks at once here (TASK_QUEUE_IMMEDIATE): no worker needed.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    path = queue_file(current_app.config, current_app.instance_path)
    where = str(path) if path is not None else "Redis"
    click.echo(f"Worker: {workers} at once, tasks kept in {where}. Stop with Ctrl+C or SIGTERM.")
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.1,
        backoff=1.5,
        max_delay=2.0,
        scheduler_interval=1,
        check_worker_health=True,
        graceful_signal="TERM",
        shutdown_timeout=shutdown_timeout,
    )
    consumer.run()


def start_worker_process(app, workers: int = 2) -> subprocess.Popen:
    """`crm-sandbox worker` in a child process with this process's settings and instance
    folder (the demo's worker: the same database and queue file as the app it serves)."""
    env = {**os.environ, "CRM_SANDBOX_INSTANCE_PATH": app.instance_path}
    command = [sys.executable, "-c", "from crm_sandbox.cli import main; main()", "worker"]
    return subprocess.Popen([*command, "--workers", str(workers)], env=env)  # noqa: S603


def stop_worker_process(process: subprocess.Popen, timeout: float = 30) -> int:
    """Stop a worker started by `start_worker_process` (SIGTERM: running tasks finish first;
    killed after `timeout` seconds); its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
