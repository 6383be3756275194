"""`crm-sandbox worker`: run the task queue's consumer (Huey) until stopped.

SIGTERM (systemd's stop) stops it gracefully: running tasks finish (for at
most `--shutdown-timeout` seconds); SIGINT (Ctrl+C) stops at once. A task cut short is queued
again (Huey's interrupted signal), and queued tasks stay in the
queue's storage for the next start.
"""

from __future__ import annotations

import logging

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
