"""Organisation profiles as data: every shipped file validates, and a broken one is refused
with `file:line: field: message` for every problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from seed.profiles import (
    PROFILE_DIR,
    ProfileError,
    get_profile,
    load_all,
    load_file,
    parse,
    parse_shared,
    profile_files,
)
from seed.vocabulary import CHANNELS, SEGMENTS

RETAIL = (PROFILE_DIR / "retail.yaml").read_text(encoding="utf-8")
SHARED = parse_shared((PROFILE_DIR / "_common.yaml").read_text(encoding="utf-8"))


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProfileError) as error:
        parse(text, "retail.yaml", SHARED)
    return [str(p) for p in error.value.problems]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_every_shipped_profile_file_validates_and_is_known_by_its_file_name():
    keys = [path.stem for path in profile_files()]
    assert keys == sorted(load_all())
    assert {"retail", "leisure", "housing", "it_services"} <= set(keys)
    for key in keys:
        assert get_profile(key).key == key


def test_a_profile_leaving_out_the_shared_parts_gets_them_from_the_common_file():
    retail = get_profile("retail")
    assert retail.other_contacts == SHARED.other_contacts
    assert retail.interaction_topics["supplier_inbound"] == SHARED.supplier_inbound


def test_profile_weights_use_only_the_vocabulary():
    for profile in load_all().values():
        assert set(profile.segment_weights) <= set(SEGMENTS)
        assert set(profile.channel_weights) <= set(CHANNELS)


def test_a_misspelt_field_is_refused_with_its_line():
    text = RETAIL.replace("\nsector:", "\nsectr:")
    assert f"retail.yaml:{line_of(text, 'sectr:')}: sectr: Extra inputs are not permitted" in (
        problems_of(text)
    )


def test_an_unknown_segment_is_refused_naming_the_allowed_ones():
    text = RETAIL.replace("\n  key_account:", "\n  vip:")
    [problem] = [p for p in problems_of(text) if "segment_weights" in p]
    assert problem.startswith(f"retail.yaml:{line_of(text, '  vip:')}: segment_weights.vip")
    assert "'key_account'" in problem


def test_an_unknown_placeholder_in_a_template_is_refused():
    text = RETAIL.replace("{ref}", "{reference}", 1)
    [problem] = problems_of(text)
    assert "unknown placeholder {reference}" in problem
    assert problem.startswith("retail.yaml:")


def test_every_problem_is_reported_at_once():
    text = RETAIL.replace("opens_at: '09:00'", "opens_at: '9am'").replace(
        "business_share: 0.25", "business_share: 2"
    )
    problems = problems_of(text)
    assert any(
        p.startswith(f"retail.yaml:{line_of(text, 'opens_at')}: opens_at:") for p in problems
    )
    assert any("business_share: Input should be less than or equal to 1" in p for p in problems)


def test_rules_across_fields_name_the_field_and_line():
    text = RETAIL.replace("- department: Finance", "- department: Accounts", 1)
    [problem] = problems_of(text)
    assert "internal_complaints.1.department: not one of the departments: 'Accounts'" in problem
    line = line_of(text, "- department: Accounts")
    assert problem.startswith(f"retail.yaml:{line}:")


def test_opening_hours_must_close_after_they_open():
    text = RETAIL.replace("closes_at: '17:30'", "closes_at: '08:00'")
    assert problems_of(text) == [
        f"retail.yaml:{line_of(text, 'closes_at')}: closes_at: must be after opens_at"
    ]


def test_a_file_that_is_not_yaml_or_not_a_mapping_is_refused_plainly():
    assert problems_of("key: [unclosed")[0].startswith("retail.yaml:")
    assert "not valid YAML" in problems_of("key: [unclosed")[0]
    assert problems_of("- a list") == ["retail.yaml:1: a profile must be a mapping of fields"]


def test_a_profile_file_must_be_named_after_its_key(tmp_path: Path):
    path = tmp_path / "shop.yaml"
    path.write_text(RETAIL, encoding="utf-8")
    with pytest.raises(ProfileError, match="shop.yaml:1: key: must be the file name, 'shop'"):
        load_file(path)


def test_the_profiles_command_checks_every_shipped_profile(runner):
    result = runner.invoke(args=["sandbox", "profiles"])
    assert result.exit_code == 0, result.output
    assert "retail.yaml: ok (retail: Harbour & Vine Home Stores, 7 departments)" in result.output
    assert len(result.output.splitlines()) == len(profile_files())


def test_the_profiles_command_lists_each_problem_of_a_broken_file_and_fails(runner, tmp_path):
    path = tmp_path / "retail.yaml"
    path.write_text(RETAIL.replace("business_share: 0.25", "business_share: lots"), "utf-8")
    result = runner.invoke(args=["sandbox", "profiles", str(path)])
    assert result.exit_code == 1
    line = line_of(path.read_text(encoding="utf-8"), "business_share")
    assert result.output.startswith(f"retail.yaml:{line}: business_share: Input should be")
