"""Run every benchmark on this machine, print a table, write `benchmarks/latest.json`.

    python -m benchmarks [--quick] [--only NAME ...] [--out PATH]

SQLite (a temporary file) by default; `BENCH_DATABASE_URL=postgresql+psycopg://...` runs them
on that PostgreSQL database (emptied first; the scale benchmark uses two more databases
beside it, `<name>_scale20000` (a whole college: about 20 GB, its first build most of an
hour) and `<name>_scale1`, kept for the next run). `BENCH_QUICK=1` (or
`--quick`) is a smoke run on tiny sizes whose numbers mean nothing.

Each figure is an object {"median", "min", "max", "p95", "n"} over its samples (ms unless its
name says otherwise); each target below names the statistic it is judged on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sqlite3
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

BENCHMARKS = (
    "provision", "check", "conversations", "load", "behind_nginx", "saturation", "scale",
    "import_load",
)  # fmt: skip
OUT = Path(__file__).resolve().parent / "latest.json"

# (section, figure key, statistic, comparison, target, unit)
TARGETS = [
    ("provision", "provision_ms", "median", None, None, "ms"),
    ("provision", "provision_limit_ms", "median", None, None, "ms"),
    ("provision", "provision_ratio", "median", "<=", 2.0, "x"),
    ("provision", "provision_group30_ms", "median", "<=", 1000, "ms"),
    ("provision", "template_generate_ms", "median", None, None, "ms"),
    ("check", "check_ms_p95", "p95", "<=", 20, "ms"),
    ("check", "check_ms_100k", "p95", "<=", 2000, "ms"),
    ("check", "check_growth_ratio", "max", "<=", 1.0, "x"),
    ("scale", "sandboxes", "value", None, None, "sandboxes"),
    ("scale", "learners", "value", None, None, "learners"),
    ("scale", "size_big_mb", "value", None, None, "MB"),
    ("scale", "build_s", "median", None, None, "s"),
]
# Customers who answer back: 200 open conversations must not slow the pages (p95 within 1.2x
# of the same sandbox without them) and Check my work stays within the check target.
TARGETS += [
    ("conversations", "open_conversations", "value", None, None, "messages"),
    ("conversations", "dashboard.without_ms", "p95", None, None, "ms"),
    ("conversations", "dashboard.with_ms", "p95", None, None, "ms"),
    ("conversations", "dashboard.p95_ratio", "value", "<=", 1.2, "x"),
    ("conversations", "dashboard.cpu_p95_ratio", "value", None, None, "x"),
    ("conversations", "contact.without_ms", "p95", None, None, "ms"),
    ("conversations", "contact.with_ms", "p95", None, None, "ms"),
    ("conversations", "contact.p95_ratio", "value", "<=", 1.2, "x"),
    ("conversations", "contact.cpu_p95_ratio", "value", None, None, "x"),
    ("conversations", "check.without_ms", "p95", None, None, "ms"),
    ("conversations", "check.with_ms", "p95", "<=", 20, "ms"),
    ("conversations", "check.p95_ratio", "value", None, None, "x"),
    ("conversations", "check.median_ratio", "value", None, None, "x"),
]
# The class load on one gunicorn, and (issue 20, PostgreSQL) the same class through nginx to two
# instances, the production layout.
for _section in ("load", "behind_nginx"):
    for _n, _p95 in (("30", 25), ("1000", 100)):
        TARGETS += [
            (_section, f"{_n}.rate_rps", "median", None, None, "req/s"),
            (_section, f"{_n}.p50_ms", "median", None, None, "ms"),
            (_section, f"{_n}.p95_ms", "median", "<=", _p95, "ms"),
            (_section, f"{_n}.p99_ms", "median", None, None, "ms"),
            (_section, f"{_n}.errors_total", "value", "==", 0, "errors"),
            (_section, f"{_n}.db_locked", "value", "==", 0, "locked"),
            (_section, f"{_n}.cpu_per_request.app_ms", "value", None, None, "ms"),
            (_section, f"{_n}.cpu_per_request.db_ms", "value", None, None, "ms"),
        ]
TARGETS += [
    ("saturation", "app_rps", "median", None, None, "req/s"),
    ("saturation", "reference_rps", "median", None, None, "req/s"),
    ("saturation", "saturation_ratio", "median", ">=", 0.5, "x"),
    ("saturation", "errors", "value", "==", 0, "errors"),
    # CPU time a request costs the app's workers and the database's server (PostgreSQL).
    ("saturation", "cpu_per_request.app.app_ms", "value", None, None, "ms"),
    ("saturation", "cpu_per_request.app.db_ms", "value", None, None, "ms"),
    ("saturation", "cpu_per_request.app.total_ms", "value", None, None, "ms"),
    ("saturation", "cpu_per_request.reference.total_ms", "value", None, None, "ms"),
]
TARGETS += [
    ("import_load", "baseline.p95_ms", "median", None, None, "ms"),
    ("import_load", "during_import.p95_ms", "median", "<=", 100, "ms"),
    ("import_load", "during_import.errors_total", "value", "==", 0, "errors"),
    ("import_load", "during_import.db_locked", "value", "==", 0, "locked"),
    ("import_load", "import_s", "value", None, None, "s"),
]
PASSES = {"<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t, "==": lambda v, t: v == t}
SCALE_QUERIES = ("contacts_first_page", "contacts_late_page", "contacts_search",
                 "complaints_by_stage", "check_my_work", "dashboard", "contact_page",
                 "complaint_page")  # fmt: skip
for _q in SCALE_QUERIES:
    TARGETS.append(("scale", f"{_q}.big_ms", "p95", None, None, "ms"))
    TARGETS.append(("scale", f"{_q}.single_ms", "p95", None, None, "ms"))
    TARGETS.append(("scale", f"{_q}.scale_ratio", "value", "<=", 1.5, "x"))


def machine() -> dict:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "libraries": {
            name: version(name)
            for name in ("Flask", "SQLAlchemy", "psycopg", "Faker", "alembic", "pydantic")
        },
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _load(name: str):
    """The benchmark module, or None if it is not on this branch."""
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None
        raise


def run_all(names, database_url: str | None, quick: bool) -> dict:
    result = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database_url else "sqlite",
        "quick": quick,
        "machine": machine(),
        "figure_shape": "every figure: {median, min, max, p95, n} of its samples; ms unless "
        "the name says otherwise",
    }
    if database_url:
        result["postgresql"] = _postgres_version(database_url)
    for name in names:
        module = _load(name)
        if module is None:
            result[name] = {"error": "not available on this branch"}
            print(f"[{name}] not available on this branch", file=sys.stderr)
            continue
        print(f"[{name}] running...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            section = module.run(database_url, quick=quick)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            section = {"error": f"{type(exc).__name__}: {exc}"}
        section["elapsed_s"] = round(time.perf_counter() - start, 1)
        result[name] = section
        print(f"[{name}] done in {section['elapsed_s']} s", file=sys.stderr, flush=True)
    return result


def _postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


def _lookup(section: dict, key: str):
    value = section
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def table(result: dict) -> list[tuple[str, str, str, str, str]]:
    """Rows of (benchmark, figure, value, target, verdict)."""
    rows = []
    for name in BENCHMARKS:
        section = result.get(name)
        if section is None:
            continue
        if "error" in section:
            missing = section["error"] == "not available on this branch"
            rows.append((name, "-", section["error"], "", "n/a" if missing else "ERROR"))
            continue
        if "skipped" in section:
            rows.append((name, "-", section["skipped"], "", "n/a"))
            continue
        for bench, key, stat, op, target, unit in TARGETS:
            if bench != name:
                continue
            fig = _lookup(section, key)
            if fig is None:
                continue
            value = fig if stat == "value" else fig[stat]
            number = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
            shown = f"{number} {unit}" + (
                "" if stat == "value" else f" ({stat}; {fig['min']:,.2f}-{fig['max']:,.2f})"
            )
            if op is None:
                rows.append((name, key, shown, "", ""))
            else:
                verdict = "PASS" if PASSES[op](value, target) else "MISS"
                rows.append((name, key, shown, f"{op} {target:,} {unit}", verdict))
    return rows


def print_table(rows) -> None:
    headers = ("benchmark", "figure", "value", "target", "")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(5)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1"
    )
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON")
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_DATABASE_URL") or None
    names = args.only or list(BENCHMARKS)
    result = run_all(names, database_url, args.quick)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    print_table(table(result))
    if args.quick:
        print("\nQuick run (tiny sizes, few samples): a smoke test; its numbers mean nothing.")
    print(f"\nWritten to {args.out}")
    return 1 if any("error" in result.get(n, {}) for n in names if _load(n)) else 0


if __name__ == "__main__":
    sys.exit(main())
