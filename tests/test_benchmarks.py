"""The benchmark runner (`make bench`): a quick smoke run writes the JSON every figure is read
from, in its documented shape, and the bulk log filler writes entries the chain accepts.
Speed itself is judged by the benchmarks, never here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks import logfill, run
from crm_sandbox.extensions import db
from crm_sandbox.services import action_log

ROOT = Path(__file__).resolve().parent.parent
FIGURE_KEYS = {"median", "min", "max", "p95", "n"}


def test_a_quick_run_writes_every_provisioning_and_scale_figure_in_the_documented_shape(tmp_path):
    out = tmp_path / "latest.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "CRM_SANDBOX_"))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--only",
            "provision",
            "scale",
            "--out",
            out,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["database"] == "sqlite"
    assert {"cores", "python", "sqlite", "libraries"} <= result["machine"].keys()
    section = result["provision"]
    for key in (
        "provision_ms",
        "provision_limit_ms",
        "provision_ratio",
        "provision_group30_ms",
        "template_generate_ms",
    ):
        assert set(section[key]) == FIGURE_KEYS, key
        assert section[key]["min"] <= section[key]["median"] <= section[key]["max"]
    assert section["rows_total"] == section["template_rows_total"] > 0
    assert section["same_rows_in_limit"] is True
    assert "provision_ratio" in done.stdout and ("PASS" in done.stdout or "MISS" in done.stdout)
    # Scale calls the services the pages call: a change to their signatures shows here.
    scale = result["scale"]
    assert "error" not in scale, scale
    for query in ("contacts_first_page", "contacts_late_page", "contacts_search"):
        assert scale[query]["scale_ratio"] > 0, query


def test_a_quick_conversations_run_times_both_sandboxes_and_judges_the_ratios(tmp_path):
    # It sends its open conversations through the service the pages call, so a change to
    # send_message's data or to the due-time hook shows here.
    out = tmp_path / "latest.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BENCH_", "CRM_SANDBOX_"))}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "conversations", "--out", out],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    section = json.loads(out.read_text())["conversations"]
    assert section["open_conversations"] == section["open_conversations_after"] == 20
    for page in ("dashboard", "contact", "check"):
        assert set(section[page]["without_ms"]) == set(section[page]["with_ms"]) == FIGURE_KEYS
        assert section[page]["p95_ratio"] > 0
    assert "dashboard.p95_ratio" in done.stdout and "check.with_ms" in done.stdout


def test_a_benchmark_missing_from_the_branch_is_reported_not_fatal():
    result = run.run_all(["no_such_benchmark"], None, quick=True)
    assert result["no_such_benchmark"] == {"error": "not available on this branch"}


def test_the_class_load_through_nginx_is_measured_on_postgresql_only():
    from benchmarks import behind_nginx

    section = behind_nginx.run(None, quick=True)
    assert "PostgreSQL only" in section["skipped"]
    rows = run.table({"behind_nginx": section})
    assert rows == [("behind_nginx", "-", section["skipped"], "", "n/a")]


def test_a_figure_is_the_median_min_max_and_p95_of_its_samples():
    assert run.TARGETS  # the table knows the targets
    from benchmarks.common import figure

    assert figure([5, 1, 3, 2, 4]) == {"median": 3, "min": 1, "max": 5, "p95": 5, "n": 5}


def test_the_table_judges_load_and_saturation_against_their_targets():
    def fig(value):
        return {"median": value, "min": value, "max": value, "p95": value, "n": 5}

    def level(p95, errors=0, locked=0):
        return {
            "rate_rps": fig(200.0),
            "p50_ms": fig(5.0),
            "p95_ms": fig(p95),
            "p99_ms": fig(p95),
            "errors_total": errors,
            "db_locked": locked,
        }

    result = {
        "load": {"30": level(20.0), "1000": level(150.0, errors=2)},
        "behind_nginx": {"30": level(20.0), "1000": level(95.0)},
        "saturation": {
            "app_rps": fig(300.0),
            "reference_rps": fig(800.0),
            "saturation_ratio": fig(0.38),
            "errors": 0,
        },
    }
    verdicts = {(bench, key): verdict for bench, key, _, _, verdict in run.table(result)}
    assert verdicts[("load", "30.p95_ms")] == "PASS"
    assert verdicts[("load", "1000.p95_ms")] == "MISS"
    assert verdicts[("load", "1000.errors_total")] == "MISS"
    assert verdicts[("load", "1000.db_locked")] == "PASS"
    assert verdicts[("behind_nginx", "1000.p95_ms")] == "PASS"
    assert verdicts[("behind_nginx", "1000.errors_total")] == "PASS"
    assert verdicts[("saturation", "saturation_ratio")] == "MISS"
    for ratio, expected in ((0.49, "MISS"), (0.5, "PASS"), (0.61, "PASS")):
        result["saturation"]["saturation_ratio"] = fig(ratio)
        verdicts = {(bench, key): verdict for bench, key, _, _, verdict in run.table(result)}
        assert verdicts[("saturation", "saturation_ratio")] == expected, ratio


def test_bulk_filled_log_entries_pass_the_chain_verification(provision):
    sandbox = provision()
    added = logfill.append(sandbox, logfill.inbound_interactions(sandbox, 120), "Bench filler")
    db.session.commit()
    assert added == 120
    assert sandbox.log_seq == 121  # after the "provisioned" entry
    verified = action_log.verify(sandbox.id)
    assert verified.ok, str(verified)
    assert verified.entries == 121


def test_cpu_per_request_divides_the_workers_and_database_cpu_by_the_requests():
    """`make bench` reports CPU per request: the app's workers (here this process stands in
    for them) and, on PostgreSQL, the server processes of the database's connections."""
    import os

    from sqlalchemy import create_engine, text

    from benchmarks.classroom import CpuPerRequest, database_backend_pids

    class Server:
        def worker_pids(self):
            return [os.getpid()]

    url = os.environ.get("CRM_SANDBOX_TEST_DATABASE_URL") or "sqlite://"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))  # a connection the database serves
            if url.startswith("postgresql"):
                backend = conn.execute(text("SELECT pg_backend_pid()")).scalar()
                assert backend in database_backend_pids(url)
            cpu = CpuPerRequest(Server(), url)
            cpu.start()
            sum(i * i for i in range(2_000_000))  # some CPU in the "worker"
            cpu.stop(requests=10)
    finally:
        engine.dispose()
    figures = cpu.figures()
    assert figures["requests"] == 10
    assert figures["app_ms"] > 0
    assert (figures["db_ms"] is None) == (not url.startswith("postgresql"))
    assert figures["total_ms"] >= figures["app_ms"]
