"""Validity is tested, not assumed: the self-test counts competent variants that fail as false
fails and gaming attempts that pass as false passes, and `crm-sandbox scenarios try` lets a
tutor or quality reviewer probe a scenario with their own steps."""

from __future__ import annotations

import json

import pytest
import yaml

from crm_sandbox.scenarios import selftest
from crm_sandbox.scenarios.loader import LIBRARY, library, load_file
from tests import trying

EXAMPLE = "first-complaint"
ACKNOWLEDGE = {
    "do": "acknowledge",
    "complaint": "late_sofa",
    "channel": "email",
    "message": "Dear Mrs Okafor, I am sorry your sofa did not arrive. I will call you by 5pm.",
    "promise_in_hours": 8,  # the acknowledgement's "next contact by"
}


def scenario_file(tmp_path, variants=(), gaming=()):
    """The example scenario with the given variants and gaming attempts added."""
    data = yaml.safe_load((LIBRARY / f"{EXAMPLE}.yaml").read_text())
    data["variants"] = list(variants)
    data["gaming"] = list(gaming)
    path = tmp_path / f"{EXAMPLE}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_a_variant_that_passes_everything_and_a_refused_gaming_attempt_are_no_misses(app, tmp_path):
    model = yaml.safe_load((LIBRARY / f"{EXAMPLE}.yaml").read_text())["model_answer"]
    path = scenario_file(
        tmp_path,
        variants=[
            {"id": "same-again", "title": "The model answer", "differs": "-", "steps": model}
        ],
        gaming=[
            {
                "id": "untouched",
                "title": "Nothing",
                "kind": "doing_nothing",
                "steps": [],
                "targets": ["ack-in-time", "confirmed-close"],
            },
        ],
    )
    summary = selftest.run([path])

    assert summary["failures"] == []
    assert summary["variants"] == summary["variants_passed"] == 1
    assert summary["gaming_attempts"] == summary["gaming_refused"] == 1
    assert summary["false_passes"] == summary["false_fails"] == 0
    assert summary["false_pass_rate"] == summary["false_fail_rate"] == 0.0
    [line] = summary["per_scenario"]
    assert line["scenario"] == EXAMPLE and line["model_answer_passed"]


def test_a_failing_variant_is_a_false_fail_and_a_passing_gaming_target_a_false_pass(app, tmp_path):
    path = scenario_file(
        tmp_path,
        variants=[
            {"id": "only-acks", "title": "Stops early", "differs": "-", "steps": [ACKNOWLEDGE]}
        ],
        gaming=[
            {
                "id": "acks",
                "title": "Acknowledges",
                "kind": "bare_minimum",
                "steps": [ACKNOWLEDGE],
                "targets": ["ack-in-time"],
            }
        ],
    )
    summary = selftest.run([path])
    checks = len(load_file(path).checks())

    assert summary["variants_passed"] == 0 and summary["gaming_refused"] == 0
    assert summary["false_passes"] == 1  # ack-in-time passed for the gaming attempt
    assert summary["false_fails"] == checks - 1  # every check but ack-in-time failed the variant
    assert 0 < summary["false_pass_rate"] <= 1 and 0 < summary["false_fail_rate"] < 1
    assert any("only-acks: competent variant fails" in f for f in summary["failures"])
    assert any(
        "acks: gaming attempt (bare_minimum) passes ack-in-time" in f for f in summary["failures"]
    )


def test_the_selftest_command_exits_1_on_a_miss_and_prints_the_figures(runner, tmp_path):
    path = scenario_file(
        tmp_path,
        gaming=[
            {
                "id": "acks",
                "title": "Acknowledges",
                "kind": "bare_minimum",
                "steps": [ACKNOWLEDGE],
                "targets": ["ack-in-time"],
            }
        ],
    )
    result = runner.invoke(args=["scenarios", "selftest", str(path)])

    assert result.exit_code == 1
    assert "gaming refused 0/1" in result.output
    assert "false passes 1" in result.output and "FAIL first-complaint/acks" in result.output


def test_a_gaming_attempt_must_target_checks_that_exist(tmp_path):
    path = scenario_file(
        tmp_path,
        gaming=[
            {
                "id": "x",
                "title": "X",
                "kind": "doing_nothing",
                "steps": [],
                "targets": ["no-such-check"],
            }
        ],
    )
    result = selftest.run([path])
    assert any("no check with id 'no-such-check'" in f for f in result["failures"])


# ---------------------------------------------------------------- scenarios try


def steps_file(tmp_path, steps) -> str:
    path = tmp_path / "steps.yaml"
    path.write_text(steps if isinstance(steps, str) else yaml.safe_dump(steps))
    return str(path)


def test_try_replays_steps_and_prints_every_check_with_its_feedback(runner, tmp_path):
    result = runner.invoke(args=["scenarios", "try", EXAMPLE, steps_file(tmp_path, [ACKNOWLEDGE])])

    assert result.exit_code == 0, result.output
    scenario = load_file(LIBRARY / f"{EXAMPLE}.yaml")
    for _, check in scenario.checks():
        assert check.id in result.output
    assert "PASS           ack-in-time" in result.output
    assert "feedback: " in result.output  # what a learner reads for a check not passed
    assert "1 step(s) replayed" in result.output


def test_try_as_json_gives_every_check_and_the_score(runner, tmp_path):
    result = runner.invoke(
        args=["scenarios", "try", "--json", EXAMPLE, steps_file(tmp_path, {"steps": []})]
    )
    report = json.loads(result.output)
    checks = [c for t in report["tasks"] for c in t["checks"]]

    assert report["scenario"] == EXAMPLE and report["steps"] == 0
    assert checks and not any(c["passed"] for c in checks)  # nothing done, nothing earned
    assert {"id", "passed", "pending", "message", "feedback"} <= set(checks[0])


def test_try_refuses_a_bad_steps_file_clearly(runner, tmp_path):
    cases = {
        "must hold a list of steps": "do: acknowledge\n",
        "unknown step 'nonsense'": "- do: nonsense\n",
        "step 'acknowledge' needs 'channel'": (
            "- {do: acknowledge, complaint: late_sofa, message: x}\n"
        ),
        "not valid YAML": "- [unclosed\n",
    }
    for expected, text in cases.items():
        result = runner.invoke(args=["scenarios", "try", EXAMPLE, steps_file(tmp_path, text)])
        assert result.exit_code == 1, text
        assert expected in result.output, (expected, result.output)
        assert "Traceback" not in result.output


def test_try_names_the_step_the_crm_refused(runner, tmp_path):
    close_first = [{"do": "close", "complaint": "late_sofa", "root_cause": "x", "lessons": "y"}]
    result = runner.invoke(args=["scenarios", "try", EXAMPLE, steps_file(tmp_path, close_first)])

    assert result.exit_code == 1
    assert "step 1 (close) was refused" in result.output and "Traceback" not in result.output


def test_try_names_an_unknown_scenario(runner, tmp_path):
    result = runner.invoke(args=["scenarios", "try", "no-such", steps_file(tmp_path, [])])
    assert result.exit_code == 1 and "No scenario 'no-such'" in result.output


# ---------------------------------------------------------------- the shipped library

IDLE = [{"do": "advance", "next_working_day": True}] * 6


@pytest.mark.parametrize("scenario_id", sorted(library()))
def test_nothing_is_earned_by_doing_nothing(app, scenario_id):
    """No credit for doing nothing: on an untouched attempt, and on one where only time
    passes, no check passes (so no criterion shows "working towards" from it)."""
    for steps in ([], IDLE):
        passing = trying.evaluate(scenario_id, steps).passing()
        assert passing == [], (scenario_id, len(steps), passing)


def test_every_library_scenario_ships_its_variants_and_gaming_attempts():
    for scenario_id, scenario in library().items():
        assert len(scenario.variants) >= selftest.MIN_VARIANTS, scenario_id
        assert len(scenario.gaming) >= selftest.MIN_GAMING, scenario_id
