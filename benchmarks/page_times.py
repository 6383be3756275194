"""How long each page of the load mix takes in the app itself: a simple repeated-request timing.

One learner of a small class (each with an attempt at a scenario, as in `benchmarks.load`) asks
for each page many times through Flask's test client, in this process, with the production
settings: no HTTP server, no network, so the figure is the app's own time per request
(routing, session, queries, templates). Both the CPU time of this process (steadier than the
wall clock on a busy machine; SQLite runs in-process) and the wall-clock time are reported.
Pages are timed in turns (round robin), so a busy moment of the machine spreads over all of
them. `--profile PAGE` runs pyinstrument (installed ad hoc) over that page instead.

Run: `python -m benchmarks.page_times [--repeat 100] [--database-url URL] [--profile contacts]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .classroom import USER_AGENT, build_app, prepare_class
from .common import figure

# name: (method, path template); POSTs need a CSRF token and are timed by `benchmarks.load`.
PAGES = {
    "dashboard": "/s/{sandbox}/",
    "contacts": "/s/{sandbox}/contacts",
    "search": "/s/{sandbox}/contacts?q=son",
    "contact": "/s/{sandbox}/contacts/{contact}",
    "interaction_form": "/s/{sandbox}/contacts/{contact}/interactions/new",
    "complaint": "/s/{sandbox}/complaints/{complaint}",
    "complaints": "/s/{sandbox}/complaints",
    "analysis": "/s/{sandbox}/feedback/{survey}/analysis",
    "scenario": "/learner/scenarios/{attempt}",
    "learner_home": "/learner/",
}


def _paths(learner) -> dict[str, str]:
    values = {
        "sandbox": learner.sandbox_id,
        "contact": learner.contact_ids[0],
        "complaint": learner.complaint_ids[0],
        "survey": learner.survey_ids[0],
        "attempt": learner.attempt_id,
    }
    return {name: path.format(**values) for name, path in PAGES.items()}


def time_pages(database_url: str | None, repeat: int = 100, learners: int = 30) -> dict:
    room = prepare_class(database_url, learners, tag="pages")
    try:
        app = build_app(room.database_url, room.instance_path, room.secret_key)
        learner = room.learners[0]
        headers = {"User-Agent": USER_AGENT}
        client = app.test_client()
        client.set_cookie(room.cookie_name, learner.cookie)  # the jar ignores Cookie headers
        paths = _paths(learner)
        for path in paths.values():  # warm up: templates compiled, caches filled
            resp = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if resp.status_code != 200:
                raise RuntimeError(f"{path} answered {resp.status_code}")
        wall = {name: [] for name in paths}
        cpu = {name: [] for name in paths}
        for _ in range(repeat):
            for name, path in paths.items():
                t, c = time.perf_counter(), time.process_time()
                client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
                cpu[name].append((time.process_time() - c) * 1000)
                wall[name].append((time.perf_counter() - t) * 1000)
        return {
            name: {"cpu_ms": figure(cpu[name]), "wall_ms": figure(wall[name])} for name in paths
        }
    finally:
        room.close()


def profile_page(database_url: str | None, page: str, repeat: int = 50) -> None:
    from pyinstrument import Profiler

    room = prepare_class(database_url, 30, tag="pages")
    try:
        app = build_app(room.database_url, room.instance_path, room.secret_key)
        learner = room.learners[0]
        headers = {"User-Agent": USER_AGENT}
        client = app.test_client()
        client.set_cookie(room.cookie_name, learner.cookie)
        path = _paths(learner)[page]
        env = {"REMOTE_ADDR": "127.0.0.1"}
        client.get(path, headers=headers, environ_base=env)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            client.get(path, headers=headers, environ_base=env)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    finally:
        room.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", choices=sorted(PAGES))
    args = parser.parse_args(argv)
    if args.profile:
        profile_page(args.database_url, args.profile, args.repeat)
        return 0
    result = time_pages(args.database_url, args.repeat)
    print(f"{'page':<18} {'CPU ms (min-max)':>24} {'wall ms (min-max)':>24}")
    for name, r in result.items():
        c, w = r["cpu_ms"], r["wall_ms"]
        print(
            f"{name:<18} {c['median']:>8.2f} ({c['min']:.2f}-{c['max']:.2f})"
            f" {w['median']:>8.2f} ({w['min']:.2f}-{w['max']:.2f})"
        )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
