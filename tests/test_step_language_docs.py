"""docs/step-language.md is generated from the step registry (`crm-sandbox scenarios steps`)
and cannot drift: every step type is documented with an example that validates."""

from pathlib import Path

import yaml

from crm_sandbox.scenarios import engine  # noqa: F401 - import order: services before steps
from crm_sandbox.scenarios.step_docs import DOCS, markdown
from crm_sandbox.scenarios.steps import STEPS

DOC = Path(__file__).resolve().parent.parent / "docs" / "step-language.md"


def test_the_committed_step_language_is_the_generated_one():
    assert DOC.read_text(encoding="utf-8") == markdown(), (
        "docs/step-language.md is out of date: run `make docs` "
        "(crm-sandbox scenarios steps --write docs/step-language.md)"
    )


def test_every_step_type_has_a_description_and_an_example_that_validates():
    assert set(STEPS) <= set(DOCS), f"undocumented step types: {sorted(set(STEPS) - set(DOCS))}"
    for name, (what, example) in DOCS.items():
        assert name in STEPS, f"{name} is documented but is not a step type"
        assert what.strip()
        parsed = yaml.safe_load(example)
        assert parsed.pop("do") == name
        assert STEPS[name].validate(parsed) == [], name


def test_the_steps_command_prints_the_documentation(runner):
    result = runner.invoke(args=["scenarios", "steps"])
    assert result.exit_code == 0
    assert result.output == markdown()
    for name in STEPS:
        assert f"### `{name}`" in result.output
    assert "crm-sandbox scenarios try SCENARIO STEPS.yaml" in result.output
