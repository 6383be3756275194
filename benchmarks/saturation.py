"""Saturation: how many contact-list pages per second the real app serves, next to a minimal
reference page that reads the same 50 rows.

Both run under the same gunicorn settings (2 sync workers, on loopback) on the same database:
the real app is `crm_sandbox.wsgi:app` with the production settings, its page the contact list
of a signed-in learner's sandbox (50 rows); the reference is `benchmarks.reference_app` (the
same 50 rows with SQLAlchemy Core, a plain template). The load is a closed loop of 30
connections: `wrk` (a C client that costs little CPU; `apt-get install wrk`) when it is
installed, else a Python client (asyncio + aiohttp), which costs more CPU and so lowers both
figures. 10 s per app in full mode (5 s in quick mode) as 5 alternating rounds: app, then
reference, five times over, so that a busy moment of the machine hits both alike; each figure
is the median of the 5 rounds with min and max, and `saturation_ratio` is the median of the
rounds' ratios.

Run on its own: `python -m benchmarks.saturation [--quick] [--database-url URL]`.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .classroom import USER_AGENT, CpuPerRequest, GunicornServer, app_server, prepare_class
from .common import figure, standalone_main

CONNECTIONS = 30
ROUNDS = 5
FULL_SECONDS = 10.0  # per app, over all rounds
QUICK_SECONDS = 5.0
WARMUP_SECONDS = 1.0
TARGET_RATIO = 0.5
ROWS = 50
ROW_RE = re.compile(r"<tr>\s*<td><a href=\"/s/\d+/contacts/\d+\"")


def wrk_round(url: str, headers: dict[str, str], seconds: float) -> dict:
    """One closed-loop round with wrk; requests per second and failed responses."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        # connect/write/timeout are failures; sync workers close each connection after the
        # response, which wrk may count as a read error although the response was complete.
        c, _, w, t = (int(x) for x in socket_errors.groups())
        errors += c + w + t
    return {"rps": rps, "errors": errors, "requests": requests}


async def _python_round_async(url: str, headers: dict[str, str], seconds: float) -> dict:
    import aiohttp

    done = errors = 0
    end = time.monotonic() + seconds

    async def connection(http):
        nonlocal done, errors
        while time.monotonic() < end:
            try:
                async with http.get(url, headers=headers, allow_redirects=False) as resp:
                    await resp.read()
                    if resp.status == 200:
                        done += 1
                    else:
                        errors += 1
            except (aiohttp.ClientError, TimeoutError):
                errors += 1

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as http:
        started = time.monotonic()
        await asyncio.gather(*(connection(http) for _ in range(CONNECTIONS)))
        elapsed = time.monotonic() - started
    return {"rps": done / elapsed, "errors": errors, "requests": done + errors}


def python_round(url: str, headers: dict[str, str], seconds: float) -> dict:
    return asyncio.run(_python_round_async(url, headers, seconds))


def check_page(url: str, headers: dict[str, str]) -> None:
    """The page answers 200 with the 50 rows (a login page or an error would be fast too)."""
    import urllib.request

    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
        body = resp.read().decode()
        if resp.status != 200 or resp.url != url:
            raise RuntimeError(f"{url} answered {resp.status} at {resp.url}")
    rows = len(ROW_RE.findall(body))
    if rows != ROWS:
        raise RuntimeError(f"{url} shows {rows} contact rows, not {ROWS}")


def run(database_url: str | None, quick: bool = False) -> dict:
    """The `saturation` section.

    `database_url`: None or a SQLite URL runs on a new temporary SQLite file; a PostgreSQL URL
    runs on a scratch database created on that server and dropped afterwards (the database
    the URL names is not touched). `quick`: shorter measurement, same set-up."""
    seconds = (QUICK_SECONDS if quick else FULL_SECONDS) / ROUNDS
    client = "wrk" if shutil.which("wrk") else "python"
    one_round = wrk_round if client == "wrk" else python_round
    room = prepare_class(database_url, 1, tag="saturation")
    logs = Path(tempfile.mkdtemp(prefix="crm-bench-saturation-"))
    try:
        learner = room.learners[0]
        app_headers = {
            "Cookie": f"{room.cookie_name}={learner.cookie}",
            "User-Agent": USER_AGENT,
        }
        ref_headers = {"User-Agent": USER_AGENT}
        reference = GunicornServer(
            "benchmarks.reference_app:create_app()",
            {"CRM_BENCH_REFERENCE_DATABASE_URL": room.database_url},
            logs / "reference.log",
        )
        with app_server(room, logs / "app.log") as app, reference:
            app_url = f"{app.base_url}/s/{learner.sandbox_id}/contacts"
            ref_url = f"{reference.base_url}/contacts/{learner.sandbox_id}"
            check_page(app_url, app_headers)
            check_page(ref_url, ref_headers)
            one_round(app_url, app_headers, WARMUP_SECONDS)
            one_round(ref_url, ref_headers, WARMUP_SECONDS)
            app_rounds, ref_rounds = [], []
            app_cpu = CpuPerRequest(app, room.database_url)
            ref_cpu = CpuPerRequest(reference, room.database_url)
            for _ in range(ROUNDS):
                for rounds, cpu, url, headers in (
                    (app_rounds, app_cpu, app_url, app_headers),
                    (ref_rounds, ref_cpu, ref_url, ref_headers),
                ):
                    cpu.start()
                    rounds.append(one_round(url, headers, seconds))
                    cpu.stop(rounds[-1]["requests"])
            app_log = app.log_text()
    finally:
        shutil.rmtree(logs, ignore_errors=True)
        room.close()
    ratios = [a["rps"] / r["rps"] for a, r in zip(app_rounds, ref_rounds, strict=True)]
    return {
        "method": (
            f"closed loop, {CONNECTIONS} connections, {client} client; {ROUNDS} alternating "
            f"rounds of {seconds:g} s per app (app then reference); gunicorn 2 sync workers "
            "for both; figures are the median of the rounds with min and max"
        ),
        "client": client,
        "database": room.database_url.split(":", 1)[0],
        "page": f"contact list, {ROWS} rows",
        "app_rps": figure([a["rps"] for a in app_rounds]),
        "reference_rps": figure([r["rps"] for r in ref_rounds]),
        "saturation_ratio": figure(ratios, 2),
        "errors": sum(a["errors"] for a in app_rounds) + sum(r["errors"] for r in ref_rounds),
        # CPU time per request of the app's workers and of the database's server processes
        # (PostgreSQL; on SQLite the database runs inside the workers), over all rounds.
        "cpu_per_request": {"app": app_cpu.figures(), "reference": ref_cpu.figures()},
        "db_locked": app_log.count("database is locked"),
        "target_ratio": TARGET_RATIO,
    }


def table(section: dict) -> str:
    def fig(f: dict) -> str:
        return f"{f['median']:g} ({f['min']:g}-{f['max']:g}, n={f['n']})"

    return "\n".join(
        [
            f"client            {section['client']}",
            f"app_rps           {fig(section['app_rps'])}",
            f"reference_rps     {fig(section['reference_rps'])}",
            f"saturation_ratio  {fig(section['saturation_ratio'])}  "
            f"(target >= {section['target_ratio']})",
            f"errors            {section['errors']}",
            *(
                f"cpu/request {who:<9} app {c['app_ms']:g} ms + database "
                f"{'-' if c['db_ms'] is None else format(c['db_ms'], 'g')} ms "
                f"= {c['total_ms']:g} ms ({c['requests']} requests)"
                for who, c in section.get("cpu_per_request", {}).items()
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    return standalone_main("saturation", __doc__, run, table, "5 s per app instead of 10 s", argv)


if __name__ == "__main__":
    sys.exit(main())
