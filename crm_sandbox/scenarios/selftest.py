"""Every scenario proves it can pass and fail: its model answer passes every check, and each
mistake walk-through fails exactly the checks that catch its mistake."""

from __future__ import annotations

from ..criteria import load_catalogue
from ..models import Role, User, db
from . import engine
from .loader import LIBRARY, ScenarioError, load_file


def _throwaway_learner(tag: str) -> User:
    user = User(
        name=f"Self-test learner {tag}",
        email=f"selftest-{tag}@selftest.invalid",
        role=Role.LEARNER.value,
        password_hash="!",  # noqa: S106 - not a hash, so nobody can sign in as this user
    )
    db.session.add(user)
    db.session.flush()
    return user


def run_one(scenario, source: str) -> dict:
    """Replay the model answer and each walk-through on fresh sandboxes (in a savepoint that is
    rolled back, so nothing is kept)."""
    report = {"scenario": scenario.id, "model_answer_passed": False, "walkthroughs": []}
    with db.session.begin_nested() as savepoint:
        learner = _throwaway_learner(scenario.id)
        attempt = engine.start_attempt(learner, scenario, source)
        engine.replay(attempt, scenario.model_answer)
        evaluation = engine.evaluate(attempt)
        report["model_answer_failing"] = evaluation.failing()
        report["model_answer_passed"] = not evaluation.failing()
        for walk in scenario.walkthroughs:
            attempt = engine.start_attempt(learner, scenario, source)
            engine.replay(attempt, walk.steps)
            failing = engine.evaluate(attempt).failing()
            report["walkthroughs"].append(
                {
                    "id": walk.id,
                    "mistake": walk.mistake,
                    "expected": sorted(walk.expect_failing),
                    "failing": sorted(failing),
                    "caught": sorted(failing) == sorted(walk.expect_failing),
                }
            )
        savepoint.rollback()
    return report


def run(paths=None) -> dict:
    """Self-test every scenario in the library (or the files given); one summary object."""
    files = paths or sorted(LIBRARY.glob("*.yaml"))
    summary = {
        "scenarios": 0,
        "model_answers_passed": 0,
        "walkthroughs": 0,
        "walkthroughs_caught": 0,
        "failures": [],
    }
    for path in files:
        summary["scenarios"] += 1
        try:
            scenario = load_file(path)
        except ScenarioError as exc:
            summary["failures"].extend(str(p) for p in exc.problems)
            continue
        source = path.read_text(encoding="utf-8")
        try:
            report = run_one(scenario, source)
        except Exception as exc:  # noqa: BLE001 - a broken step is reported, not a traceback
            db.session.rollback()
            summary["failures"].append(f"{scenario.id}: the replay stopped: {exc}")
            continue
        if report["model_answer_passed"]:
            summary["model_answers_passed"] += 1
        else:
            summary["failures"].append(
                f"{scenario.id}: model answer fails {', '.join(report['model_answer_failing'])}"
            )
        for walk in report["walkthroughs"]:
            summary["walkthroughs"] += 1
            if walk["caught"]:
                summary["walkthroughs_caught"] += 1
            else:
                summary["failures"].append(
                    f"{scenario.id}/{walk['id']}: expected to fail {walk['expected']}, "
                    f"failed {walk['failing']}"
                )
    return summary


def coverage(scenarios) -> dict:
    """Which catalogue criteria and common mistakes at least one check in a scenario maps to."""
    catalogue = load_catalogue()
    criteria = [c.id for c in catalogue.all_criteria()]
    mistakes = [m.id for m in catalogue.mistakes]
    hit_c, hit_m = set(), set()
    for scenario in scenarios:
        for _, check in scenario.checks():
            hit_c.update(check.criteria)
            hit_m.update(check.mistakes)
    return {
        "criteria": len(criteria),
        "covered": len([c for c in criteria if c in hit_c]),
        "uncovered": [c for c in criteria if c not in hit_c],
        "mistakes": len(mistakes),
        "mistakes_covered": len([m for m in mistakes if m in hit_m]),
        "mistakes_uncovered": [m for m in mistakes if m not in hit_m],
    }
