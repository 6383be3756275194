"""Class load: the real app under gunicorn with a class of learners working in their sandboxes.

The set-up provisions one class (1,000 learners, each signed in, each with an attempt at a
library scenario in a sandbox of its own) and serves `crm_sandbox.wsgi:app` with the
production settings (2 sync workers, Secure cookies) on loopback. The client is an open-loop
generator (asyncio + aiohttp): actions start at a constant arrival rate whatever the server's
speed, each by a learner who is not busy, and a request's time runs from the moment it was due,
so a slow server shows as latency instead of slowing the client down. The session cookie is
sent as a header (the app marks it Secure; this is plain HTTP on loopback).

The mix, per action (weight; requests):
  dashboard 15 (1); contact list 20 (1); contact search 10 (1); contact page 25 (1);
  send a customer a message 10 (GET the form, POST it with the form's CSRF and one-time tokens,
  follow the redirect; in a scenario the customers answer back, so the app sends a learner who
  asks to log a note of a contact to this form instead);
  move a complaint on 10 (GET the complaint, POST the next move from its forms, follow);
  survey analysis 5 (1); Check my work 5 (GET the scenario page, POST the check, follow).

Levels: 30 learners at about 15 requests/s, then the first 1,000 at about 200 requests/s, on
the same server and database. After a short warm-up each level is measured for 30 s (5 s with
quick=True), as 5 consecutive windows: each figure is the median of the 5 windows with the
smallest and largest beside it (`n` is how many windows had answers: a window in which an
overloaded server answered nothing adds no latency figure, and `empty_windows` counts them).
`db_locked` counts "database is locked" in the server's log during the level. The client's
own CPU use (it shares the machine's cores with the server) is reported as
`client_cpu_percent`, the server's as `server_cpu_percent` (100 = one core).

Run on its own: `python -m benchmarks.load [--quick] [--database-url URL]`.
"""

from __future__ import annotations

import asyncio
import html.parser
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .classroom import (
    USER_AGENT,
    CpuPerRequest,
    Learner,
    app_server,
    prepare_class,
    process_cpu_seconds,
)
from .common import figure, standalone_main

LEVELS = ((30, 15.0), (1000, 200.0))
WINDOWS = 5
FULL_SECONDS = 30.0
QUICK_SECONDS = 5.0
WARMUP_SECONDS = 3.0
REQUEST_TIMEOUT = 10.0  # a request not answered by then counts as an error (TimeoutError)
DRAIN_SECONDS = 12.0  # after the schedule ends, how long actions still running may finish
TARGET_P95_MS = {30: 25.0, 1000: 100.0}

# action: (weight, requests it makes)
MIX = {
    "dashboard": (15, 1),
    "contact_list": (20, 1),
    "contact_search": (10, 1),
    "contact_page": (25, 1),
    "send_message": (10, 3),
    "move_complaint": (10, 3),
    "survey_analysis": (5, 1),
    "check_my_work": (5, 3),
}
MEAN_REQUESTS = sum(w * n for w, n in MIX.values()) / sum(w for w, _ in MIX.values())
SEARCH_TERMS = ("an", "son", "ley", "mar", "jo", "el", "ri", "@example", "07", "ltd")
# The complaint moves the client makes, in order of preference, and their form fields.
MOVES = {
    "acknowledge": {
        "ack-channel": "email",
        "ack-message": "Thank you for telling us. I am handling this and will reply by Friday.",
    },
    "investigate": {"note-note": "Asked the delivery team what happened."},
    "customer_replied": {"note-note": "The customer sent the order number."},
    "wait_for_customer": {"note-note": "Asked the customer for the order number."},
}
MOVE_RE = re.compile(
    r"/complaints/\d+/(acknowledge|investigate|customer_replied|wait_for_customer)$"
)


class FormParser(html.parser.HTMLParser):
    """The POST forms of a page: action -> hidden fields (the CSRF token among them)."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = self.forms.setdefault(a.get("action") or "", {})
        elif tag == "input" and self._current is not None and a.get("type") == "hidden":
            self._current[a.get("name") or ""] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(page: str) -> dict[str, dict[str, str]]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


@dataclass
class Sample:
    done: float  # loop time the response was read
    ms: float
    page: str
    ok: bool


@dataclass
class Drive:
    base_url: str
    cookie_name: str
    learners: list[Learner]
    rate: float
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    late_starts: int = 0
    # Through nginx (benchmarks/behind_nginx.py): HTTPS with the server's certificate, and
    # connections kept alive as browsers keep them; direct: plain HTTP, one connection each.
    ssl_context: object = None
    keep_alive: bool = False

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def fetch(self, http, learner, page, method, path, due, data=None):
        """One request; returns (status, body, location) or None when it failed outright."""
        import aiohttp

        loop = asyncio.get_running_loop()
        headers = {"Cookie": f"{self.cookie_name}={learner.cookie}", "User-Agent": USER_AGENT}
        if method == "POST":
            # As a browser sends it: over HTTPS the app's CSRF check wants a same-site Referer.
            headers["Referer"] = self.base_url + path
        try:
            async with http.request(
                method, self.base_url + path, data=data, headers=headers, allow_redirects=False
            ) as resp:
                body = await resp.text()
                status, location = resp.status, resp.headers.get("Location", "")
                morsel = resp.cookies.get(self.cookie_name)
                if morsel is not None and morsel.value:
                    learner.cookie = morsel.value
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.samples.append(Sample(loop.time(), (loop.time() - due) * 1000, page, False))
            self.error(type(exc).__name__)
            return None
        ok = status == 200 if method == "GET" else status in (302, 303)
        if "/login" in location:
            ok = False  # the session was not accepted
        self.samples.append(Sample(loop.time(), (loop.time() - due) * 1000, page, ok))
        if not ok:
            self.error(f"{method} {page} -> {status}")
            return None
        return status, body, location

    async def post_and_follow(self, http, learner, page, path, fields, after_page, due):
        loop = asyncio.get_running_loop()
        got = await self.fetch(http, learner, page, "POST", path, due, data=fields)
        if got is None:
            return
        got = await self.fetch(http, learner, after_page, "GET", got[2], loop.time())
        if got is not None and "Nothing was saved" in got[1]:
            self.error(f"{page} refused")

    async def action(self, http, learner: Learner, kind: str, due: float) -> None:
        s = f"/s/{learner.sandbox_id}"
        rng = self.rng
        if kind == "dashboard":
            await self.fetch(http, learner, "dashboard", "GET", s + "/", due)
        elif kind == "contact_list":
            await self.fetch(http, learner, "contacts", "GET", s + "/contacts", due)
        elif kind == "contact_search":
            term = rng.choice(SEARCH_TERMS)
            await self.fetch(http, learner, "search", "GET", f"{s}/contacts?q={term}", due)
        elif kind == "contact_page":
            cid = rng.choice(learner.contact_ids)
            await self.fetch(http, learner, "contact", "GET", f"{s}/contacts/{cid}", due)
        elif kind == "survey_analysis":
            sid = rng.choice(learner.survey_ids)
            await self.fetch(http, learner, "analysis", "GET", f"{s}/feedback/{sid}/analysis", due)
        elif kind == "send_message":
            await self.send_message(http, learner, s, due)
        elif kind == "move_complaint":
            await self.move_complaint(http, learner, s, due)
        elif kind == "check_my_work":
            await self.check_my_work(http, learner, due)

    async def send_message(self, http, learner: Learner, s: str, due: float) -> None:
        loop = asyncio.get_running_loop()
        rng = self.rng
        cid = rng.choice(learner.contact_ids)
        path = f"{s}/contacts/{cid}/messages/new"
        got = await self.fetch(http, learner, "message_form", "GET", path, due)
        if got is None:
            return
        forms = post_forms(got[1])
        fields = dict(forms.get(path) or forms.get("", {}))  # the form posts to its page
        fields.update(
            channel=rng.choice(("phone", "email", "letter")),
            purpose="follow_up",
            summary="Following up on your order: it left our warehouse today.",
        )
        await self.post_and_follow(
            http, learner, "message_post", path, fields, "contact", loop.time()
        )

    async def move_complaint(self, http, learner: Learner, s: str, due: float) -> None:
        loop = asyncio.get_running_loop()
        cid = self.rng.choice(learner.complaint_ids)
        got = await self.fetch(http, learner, "complaint", "GET", f"{s}/complaints/{cid}", due)
        if got is None:
            return
        forms = post_forms(got[1])
        moves = {MOVE_RE.search(a).group(1): a for a in forms if MOVE_RE.search(a)}
        move = next((m for m in MOVES if m in moves), None)
        if move is None:
            self.error("complaint with no move left")
            return
        fields = {**forms[moves[move]], **MOVES[move]}
        await self.post_and_follow(
            http, learner, "complaint_post", moves[move], fields, "complaint", loop.time()
        )

    async def check_my_work(self, http, learner: Learner, due: float) -> None:
        loop = asyncio.get_running_loop()
        path = f"/learner/scenarios/{learner.attempt_id}"
        got = await self.fetch(http, learner, "scenario", "GET", path, due)
        if got is None:
            return
        fields = post_forms(got[1]).get(path + "/check")
        if fields is None:
            self.error("no Check my work form")
            return
        await self.post_and_follow(
            http, learner, "check_post", path + "/check", fields, "scenario", loop.time()
        )

    async def run_action(self, http, index: int, kind: str, due: float) -> None:
        self.busy.add(index)
        try:
            await self.action(http, self.learners[index], kind, due)
        finally:
            self.busy.discard(index)

    def pick_learner(self, next_index: int) -> int:
        """The next learner in turn who is not in the middle of an action (any if all are)."""
        n = len(self.learners)
        for step in range(n):
            i = (next_index + step) % n
            if i not in self.busy:
                return i
        return next_index % n

    async def go(self, seconds: float) -> tuple[float, float]:
        """Start actions at the arrival rate for `seconds`; wait for the last ones to finish.
        Returns the loop time the schedule started and ended."""
        import aiohttp

        kinds = list(MIX)
        weights = [MIX[k][0] for k in kinds]
        interval = MEAN_REQUESTS / self.rate
        loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(
            limit=0, force_close=not self.keep_alive, ssl=self.ssl_context or True
        )
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as http:
            tasks = set()
            start = loop.time() + 0.05
            end = start + seconds
            i = 0
            while True:
                due = start + i * interval
                if due >= end:
                    break
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                elif delay < -0.05:
                    self.late_starts += 1
                learner = self.pick_learner(i)
                task = asyncio.create_task(
                    self.run_action(http, learner, self.rng.choices(kinds, weights)[0], due)
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            if tasks:
                _, unfinished = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
                for task in unfinished:  # an overloaded server: bound the run
                    task.cancel()
                    self.error("unfinished at the end of the run")
                if unfinished:
                    await asyncio.wait(unfinished)
        return start, end


def _percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[round(q * 10) - 1]


def summarise(samples: list[Sample], start: float, seconds: float) -> dict:
    """Per-window percentiles, errors and rate over [start, start + seconds)."""
    width = seconds / WINDOWS
    windows = [[] for _ in range(WINDOWS)]
    for s in samples:
        k = int((s.done - start) // width)
        if 0 <= k < WINDOWS:
            windows[k].append(s)
    per = {"p50_ms": [], "p95_ms": [], "p99_ms": [], "errors": [], "rate_rps": []}
    for w in windows:
        per["errors"].append(sum(1 for s in w if not s.ok))
        per["rate_rps"].append(len(w) / width)
        if not w:
            continue  # nothing answered in this window (an overloaded server): no latency
        ms = [s.ms for s in w]
        per["p50_ms"].append(_percentile(ms, 50))
        per["p95_ms"].append(_percentile(ms, 95))
        per["p99_ms"].append(_percentile(ms, 99))
    out = {k: figure(v, 0 if k == "errors" else 1) if v else None for k, v in per.items()}
    out["empty_windows"] = sum(1 for w in windows if not w)
    measured = [s for w in windows for s in w]
    pages: dict[str, list[float]] = {}
    for s in measured:
        pages.setdefault(s.page, []).append(s.ms)
    out["requests"] = len(measured)
    out["pages"] = {
        page: {
            "count": len(ms),
            "p50_ms": round(_percentile(ms, 50), 1),
            "p95_ms": round(_percentile(ms, 95), 1),
        }
        for page, ms in sorted(pages.items())
    }
    return out


def count_locked(log: str) -> int:
    return log.count("database is locked")


def measure_level(server, room, learners: int, rate: float, seconds: float, seed: int) -> dict:
    """Warm up, then measure one level; returns its JSON section."""
    chosen = room.learners[:learners]
    if len(chosen) < learners:
        raise RuntimeError(f"the class has {len(room.learners)} learners, not {learners}")
    over = {
        "ssl_context": getattr(server, "ssl_context", None),
        "keep_alive": getattr(server, "keep_alive", False),
    }
    warm = Drive(server.base_url, room.cookie_name, chosen, rate, random.Random(seed), **over)  # noqa: S311 - not for secrets
    asyncio.run(warm.go(min(WARMUP_SECONDS, seconds)))
    log_before = count_locked(server.log_text())
    workers = server.worker_pids()
    cpu = CpuPerRequest(server, room.database_url)
    cpu.start()
    server_cpu0, wall0 = process_cpu_seconds(workers), time.perf_counter()
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    drive = Drive(server.base_url, room.cookie_name, chosen, rate, random.Random(seed + 1), **over)  # noqa: S311
    start, _ = asyncio.run(drive.go(seconds))
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - wall0
    server_cpu = process_cpu_seconds(workers) - server_cpu0
    cpu.stop(len(drive.samples))
    client_cpu = (own1.ru_utime - own0.ru_utime) + (own1.ru_stime - own0.ru_stime)
    result = {
        "learners": learners,
        "target_rps": rate,
        "seconds": seconds,
        **summarise(drive.samples, start, seconds),
        "errors_total": sum(drive.errors.values()),
        "error_kinds": dict(sorted(drive.errors.items())),
        "db_locked": count_locked(server.log_text()) - log_before,
        "late_starts": drive.late_starts,
        "client_cpu_percent": round(100 * client_cpu / wall, 1),
        "server_cpu_percent": round(100 * server_cpu / wall, 1),
        # CPU time per request answered: the app's workers, the database's server processes
        "cpu_per_request": cpu.figures(),
        "target_p95_ms": TARGET_P95_MS.get(learners),
    }
    return result


def run(database_url: str | None, quick: bool = False, servers=None) -> dict:
    """The `load` section: both levels on one class and one server.

    `database_url`: None or a SQLite URL runs on a new temporary SQLite file; a PostgreSQL URL
    runs on a scratch database created on that server and dropped afterwards (the database
    the URL names is not touched). `quick`: shorter measurement, same set-up.

    `servers` is the hook for "through nginx" (issue 20: two instances behind nginx): a
    function `(room, log_path)` returning a context manager that serves the app on
    `room.database_url` with `room.secret_key` (as `classroom.app_server` does) and has
    `base_url` (nginx's), `worker_pids()` (every instance's workers, for the CPU figures) and
    `log_text()`. Default: one gunicorn with 2 sync workers on this host."""
    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    room = prepare_class(database_url, max(n for n, _ in LEVELS), tag="load")
    try:
        log_path = Path(tempfile.mkstemp(prefix="crm-bench-load-", suffix=".log")[1])
        try:
            with (servers or app_server)(room, log_path) as server:
                levels = {
                    str(n): measure_level(server, room, n, rate, seconds, seed=n)
                    for n, rate in LEVELS
                }
                server_errors = server.log_text().count("Traceback")
        finally:
            log_path.unlink(missing_ok=True)
    finally:
        room.close()
    return {
        "method": (
            "open loop at a constant arrival rate (asyncio + aiohttp client on the same "
            f"machine), {WINDOWS} consecutive windows of {seconds / WINDOWS:g} s after a "
            f"{min(WARMUP_SECONDS, seconds):g} s warm-up; figures are the median of the "
            "windows with min and max; gunicorn 2 sync workers, crm_sandbox.wsgi:app"
        ),
        "database": room.database_url.split(":", 1)[0],
        "servers": "one gunicorn, this host"
        if servers is None
        else getattr(servers, "__doc__", None) or servers.__name__,
        "setup_seconds": round(room.setup_seconds, 1),
        "mix": {k: w for k, (w, _) in MIX.items()},
        "server_tracebacks": server_errors,
        **levels,  # one object per class size, keyed "30" and "1000"
    }


def _levels(section: dict) -> list[dict]:
    return [value for key, value in section.items() if key.isdigit()]


def table(section: dict) -> str:
    rows = [
        f"{'learners':>8} {'rate_rps':>16} {'p50_ms':>16} {'p95_ms':>18} {'p99_ms':>18} "
        f"{'errors':>6} {'db_locked':>9} {'client_cpu':>10}"
    ]

    def fig(f: dict | None) -> str:
        return f"{f['median']:g} ({f['min']:g}-{f['max']:g})" if f else "no answers"

    for level in _levels(section):
        rows.append(
            f"{level['learners']:>8} {fig(level['rate_rps']):>16} {fig(level['p50_ms']):>16} "
            f"{fig(level['p95_ms']):>18} {fig(level['p99_ms']):>18} {level['errors_total']:>6} "
            f"{level['db_locked']:>9} {level['client_cpu_percent']:>9}%"
        )
    for level in _levels(section):
        rows.append(f"\n{level['learners']} learners, by page (p50 / p95 ms, count):")
        for page, p in level["pages"].items():
            rows.append(f"  {page:<18} {p['p50_ms']:>7} {p['p95_ms']:>7} {p['count']:>7}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    return standalone_main("load", __doc__, run, table, "5 s per level instead of 30 s", argv)


if __name__ == "__main__":
    sys.exit(main())
