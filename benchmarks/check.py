"""Check my work: every shipped scenario's checks on a sandbox whose log has 500 entries, and
on one with 100,000; the cost must grow no faster than the log.

Each scenario gets an attempt (its opening data), its model answer replayed through the
services, then its log is filled up to the size with inbound interactions with seeded
customers (valid hash-chained entries, bulk-inserted outside the timing). Each sample is the
learner's press: `engine.check_my_work` (due events, every check, the logged press) and the
commit. The score with the filled log is reported beside the model answer's own.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from . import logfill
from .common import figure, fresh_app, make_learners, ms_since

SMALL, BIG = 500, 100_000
BIG_SCENARIOS = 2  # filling and checking 100,000 entries takes 20-60 s per scenario


def _fill_to(attempt, total: int) -> int:
    from crm_sandbox.extensions import db

    sandbox = attempt.sandbox
    missing = total - sandbox.log_seq
    if missing > 0:
        logfill.append(sandbox, logfill.inbound_interactions(sandbox, missing), "Bench filler")
        db.session.commit()
    return sandbox.log_seq


def _press(attempt, learner, reps: int) -> list[float]:
    import time

    from crm_sandbox.extensions import db
    from crm_sandbox.scenarios import engine

    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        engine.check_my_work(attempt, learner)
        db.session.commit()
        samples.append(ms_since(start))
    return samples


def run(database_url: str | None, quick: bool = False, only=()) -> dict:
    from crm_sandbox.extensions import db
    from crm_sandbox.scenarios import engine
    from crm_sandbox.scenarios.loader import LIBRARY, load_file
    from crm_sandbox.services import action_log

    small, big = (60, 400) if quick else (SMALL, BIG)
    reps = 2 if quick else 5
    big_count = 1 if quick else BIG_SCENARIOS
    paths = sorted(LIBRARY.glob("*.yaml"))
    if quick:
        paths = paths[:2]
    elif only:
        paths = [p for p in paths if p.stem in only]
    per_scenario = {}
    all_small, all_big, growth = [], [], []
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-check-") as tmp,
        fresh_app(database_url, Path(tmp), "check"),
    ):
        learners = make_learners(len(paths), "c")
        db.session.commit()
        attempts = {}
        for path, learner in zip(paths, learners, strict=True):
            scenario = load_file(path)
            attempt = engine.start_attempt(learner, scenario, path.read_text(encoding="utf-8"))
            engine.replay(attempt, scenario.model_answer)
            db.session.commit()
            model_score = engine.evaluate(attempt).score
            model_entries = attempt.sandbox.log_seq
            db.session.rollback()

            _fill_to(attempt, small - reps - 1)  # the presses add to the log
            engine.check_my_work(attempt, learner)  # warm up (parsing, first statements)
            db.session.commit()
            t_small = _press(attempt, learner, reps)
            attempts[scenario.id] = (attempt, learner, t_small)
            per_scenario[scenario.id] = {
                "checks": sum(len(t.checks) for t in scenario.tasks),
                "log_entries_model_answer": model_entries,
                "log_entries_small": attempt.sandbox.log_seq,
                "check_ms_small": figure(t_small),
                "model_answer_score": model_score,
                "score_small": attempt.latest_score,
            }
            all_small.extend(t_small)

        # The long log for the scenarios whose checks cost most on the short one.
        slowest = sorted(attempts, key=lambda k: -statistics.median(attempts[k][2]))
        for scenario_id in slowest[:big_count]:
            attempt, learner, t_small = attempts[scenario_id]
            log_small = per_scenario[scenario_id]["log_entries_small"]
            _fill_to(attempt, big - reps)
            t_big = _press(attempt, learner, reps)
            log_big = attempt.sandbox.log_seq
            score_big = attempt.latest_score
            db.session.rollback()
            if not growth:  # the first long log is verified like any other (it takes a while)
                verified = action_log.verify(attempt.sandbox_id)
                db.session.rollback()
            ratio = (statistics.median(t_big) / statistics.median(t_small)) / (log_big / log_small)
            per_scenario[scenario_id].update(
                {
                    "log_entries_big": log_big,
                    "check_ms_big": figure(t_big),
                    "score_big": score_big,
                    "growth_ratio": round(ratio, 4),
                    "big_log_chain_verified": verified.ok if not growth else None,
                }
            )
            all_big.extend(t_big)
            growth.append(ratio)
    return {
        "log_entries": {"small": small, "big": big},
        "scenarios": len(per_scenario),
        "check_ms_p95": figure(all_small),
        "check_ms_100k": figure(all_big),
        "check_growth_ratio": figure(growth, 4),
        "growth_ratio_definition": "(median t_big / median t_small) / (log_big / log_small), "
        "per scenario",
        "big_log_scenarios": slowest[:big_count],
        "scores_unchanged_by_filled_log": all(
            s["score_small"] == s["model_answer_score"] == s.get("score_big", s["score_small"])
            for s in per_scenario.values()
        ),
        "big_log_chain_verified": verified.ok,
        "per_scenario": per_scenario,
    }
