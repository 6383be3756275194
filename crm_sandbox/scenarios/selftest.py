"""Validity is tested, not assumed: every scenario proves that its checks pass the competent
thing and refuse the rest.

For each scenario, on fresh sandboxes (in a savepoint that is rolled back, so nothing is kept):
- its **model answer** and each **competent variant** (the competent thing done another valid
  way) must pass every check; a check they fail is a *false fail*;
- each **mistake walk-through** must fail exactly the checks that name its mistake; an expected
  check that passes is a *false pass*, any other check that fails is a *false fail*;
- each **gaming attempt** (the minimum a careless learner tries for green) must fail every
  check it targets; a targeted check that passes is a *false pass*.

`try_steps` replays any list of steps the same way, for `crm-sandbox scenarios try`.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..criteria import load_catalogue
from ..models import Role, User, db
from . import engine
from .loader import LIBRARY, ScenarioError, _check_step, load_file
from .schema import StepSpec
from .steps import STEPS

# What the library promises of each of its scenarios (issue: validity is tested).
MIN_VARIANTS = 2
MIN_GAMING = 3
# Whether the library's self-test counts a scenario short of them as a miss.
ENFORCE_MINIMUM = True


class StepsError(ValueError):
    """A list of steps that cannot be replayed: each problem names the step."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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


def _evaluate(learner, scenario, source, steps):
    attempt = engine.start_attempt(learner, scenario, source)
    engine.replay(attempt, steps)
    return engine.evaluate(attempt)


def _all_checks(scenario) -> list[str]:
    return [check.id for _, check in scenario.checks()]


def run_one(scenario, source: str) -> dict:
    """Replay the model answer, the variants, the walk-throughs and the gaming attempts of one
    scenario; what each passed and failed, and the false passes and false fails among them."""
    checks = _all_checks(scenario)
    report = {
        "scenario": scenario.id,
        "checks": len(checks),
        "model_answer_passed": False,
        "variants": [],
        "walkthroughs": [],
        "gaming": [],
        "false_passes": [],  # (kind, id, check): a check that passed where it must fail
        "false_fails": [],  # (kind, id, check): a check that failed where it must pass
        "pass_opportunities": 0,  # how many (run, check) pairs must fail
        "fail_opportunities": 0,  # how many (run, check) pairs must pass
    }
    with db.session.begin_nested() as savepoint:
        learner = _throwaway_learner(scenario.id)
        failing = _evaluate(learner, scenario, source, scenario.model_answer).failing()
        report["model_answer_failing"] = failing
        report["model_answer_passed"] = not failing
        report["fail_opportunities"] += len(checks)
        report["false_fails"] += [["model_answer", "model_answer", c] for c in failing]
        for variant in scenario.variants:
            failing = _evaluate(learner, scenario, source, variant.steps).failing()
            report["variants"].append(
                {"id": variant.id, "failing": sorted(failing), "passed": not failing}
            )
            report["fail_opportunities"] += len(checks)
            report["false_fails"] += [["variant", variant.id, c] for c in failing]
        for walk in scenario.walkthroughs:
            failing = set(_evaluate(learner, scenario, source, walk.steps).failing())
            expected = set(walk.expect_failing)
            report["walkthroughs"].append(
                {
                    "id": walk.id,
                    "mistake": walk.mistake,
                    "expected": sorted(expected),
                    "failing": sorted(failing),
                    "caught": failing == expected,
                }
            )
            report["pass_opportunities"] += len(expected)
            report["fail_opportunities"] += len(set(checks) - expected)
            report["false_passes"] += [
                ["walkthrough", walk.id, c] for c in sorted(expected - failing)
            ]
            report["false_fails"] += [
                ["walkthrough", walk.id, c] for c in sorted(failing - expected)
            ]
        for attempt in scenario.gaming:
            passing = set(_evaluate(learner, scenario, source, attempt.steps).passing())
            passed_targets = sorted(set(attempt.targets) & passing)
            report["gaming"].append(
                {
                    "id": attempt.id,
                    "kind": attempt.kind,
                    "targets": sorted(attempt.targets),
                    "passed_targets": passed_targets,
                    "refused": not passed_targets,
                }
            )
            report["pass_opportunities"] += len(set(attempt.targets))
            report["false_passes"] += [["gaming", attempt.id, c] for c in passed_targets]
        savepoint.rollback()
    return report


def _rate(count: int, out_of: int) -> float:
    return round(count / out_of, 4) if out_of else 0.0


def _scenario_line(report: dict) -> dict:
    """One scenario's figures, as the summary lists them."""
    return {
        "scenario": report["scenario"],
        "model_answer_passed": report["model_answer_passed"],
        "variants": len(report["variants"]),
        "variants_passed": sum(v["passed"] for v in report["variants"]),
        "walkthroughs": len(report["walkthroughs"]),
        "walkthroughs_caught": sum(w["caught"] for w in report["walkthroughs"]),
        "gaming_attempts": len(report["gaming"]),
        "gaming_refused": sum(g["refused"] for g in report["gaming"]),
        "false_passes": len(report["false_passes"]),
        "false_fails": len(report["false_fails"]),
    }


def _failures(scenario, report: dict, require_minimum: bool) -> list[str]:
    sid = scenario.id
    out = []
    if not report["model_answer_passed"]:
        out.append(f"{sid}: model answer fails {', '.join(report['model_answer_failing'])}")
    for v in report["variants"]:
        if not v["passed"]:
            out.append(f"{sid}/{v['id']}: competent variant fails {', '.join(v['failing'])}")
    for w in report["walkthroughs"]:
        if not w["caught"]:
            out.append(f"{sid}/{w['id']}: expected to fail {w['expected']}, failed {w['failing']}")
    for g in report["gaming"]:
        if not g["refused"]:
            out.append(
                f"{sid}/{g['id']}: gaming attempt ({g['kind']}) passes "
                f"{', '.join(g['passed_targets'])}"
            )
    if require_minimum:
        if len(scenario.variants) < MIN_VARIANTS:
            out.append(
                f"{sid}: ships {len(scenario.variants)} competent variant(s), "
                f"at least {MIN_VARIANTS} needed"
            )
        if len(scenario.gaming) < MIN_GAMING:
            out.append(
                f"{sid}: ships {len(scenario.gaming)} gaming attempt(s), "
                f"at least {MIN_GAMING} needed"
            )
    return out


def run(paths=None, require_minimum: bool | None = None) -> dict:
    """Self-test every scenario in the library (or the files given); one summary object with
    the figures per scenario and in total. `failures` lists every miss."""
    files = paths or sorted(LIBRARY.glob("*.yaml"))
    if require_minimum is None:
        require_minimum = ENFORCE_MINIMUM and not paths
    summary = {
        "scenarios": 0,
        "model_answers_passed": 0,
        "variants": 0,
        "variants_passed": 0,
        "walkthroughs": 0,
        "walkthroughs_caught": 0,
        "gaming_attempts": 0,
        "gaming_refused": 0,
        "false_passes": 0,
        "false_fails": 0,
        "false_pass_rate": 0.0,
        "false_fail_rate": 0.0,
        "per_scenario": [],
        "failures": [],
    }
    must_fail = must_pass = 0
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
        line = _scenario_line(report)
        summary["per_scenario"].append(line)
        summary["model_answers_passed"] += int(line["model_answer_passed"])
        for name in (
            "variants",
            "variants_passed",
            "walkthroughs",
            "walkthroughs_caught",
            "gaming_attempts",
            "gaming_refused",
            "false_passes",
            "false_fails",
        ):
            summary[name] += line[name]
        must_fail += report["pass_opportunities"]
        must_pass += report["fail_opportunities"]
        summary["failures"].extend(_failures(scenario, report, require_minimum))
    summary["false_pass_rate"] = _rate(summary["false_passes"], must_fail)
    summary["false_fail_rate"] = _rate(summary["false_fails"], must_pass)
    return summary


def parse_steps(raw) -> list[StepSpec]:
    """A list of steps from a YAML document (a list, or a mapping with `steps:`), each checked
    against the step language; StepsError names every problem."""
    if isinstance(raw, dict) and set(raw) == {"steps"}:
        raw = raw["steps"]
    if not isinstance(raw, list):
        raise StepsError(["the file must hold a list of steps (or 'steps:' with a list)"])
    steps, problems = [], []
    for n, item in enumerate(raw, start=1):
        try:
            spec = StepSpec.model_validate(item)
        except ValidationError:
            problems.append(f"step {n}: each step is a mapping with 'do:' naming a step type")
            continue
        problems += [f"step {n}: {message}" for _, _, message in _check_step((n,), spec, STEPS)]
        steps.append(spec)
    if problems:
        raise StepsError(problems)
    return steps


def try_steps(scenario, source: str, steps: list[StepSpec]):
    """Replay `steps` on a fresh attempt at `scenario` and check the work; the evaluation and
    the sandbox time reached. Runs in a savepoint that is rolled back."""
    with db.session.begin_nested() as savepoint:
        learner = _throwaway_learner(f"try-{scenario.id}")
        attempt = engine.start_attempt(learner, scenario, source)
        runner = None  # one runner, so a key a step creates names it in the later steps
        for n, spec in enumerate(steps, start=1):
            try:
                if runner is None:
                    runner = engine.replay(attempt, [spec])
                else:
                    runner.run(spec)
            except Exception as exc:  # noqa: BLE001 - the step's refusal, in words
                savepoint.rollback()
                message = getattr(exc, "message", None) or str(exc)
                raise StepsError([f"step {n} ({spec.do}) was refused: {message}"]) from None
        evaluation = engine.evaluate(attempt)
        reached = engine.clock.sandbox_now(attempt.sandbox)
        savepoint.rollback()
    return evaluation, reached


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
