"""The criteria catalogue: its packaged contents trace back to the curriculum texts, and a
broken catalogue file is refused with a message that names the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crm_sandbox.criteria import DEFAULT_PATH, CatalogueError, load_catalogue

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

REQUIRED_MISTAKES = {
    "needs_vs_preferences",
    "needs_assumed",
    "internal_overlooked",
    "no_segmentation",
    "reactive_only",
    "satisfaction_vs_loyalty",
    "vague_standards",
    "feedback_not_used",
    "procedure_not_followed",
    "data_protection_optional",
    "crm_not_linked_to_outcomes",
}


def normalise(text: str) -> str:
    # The texts use curly apostrophes and wrap bullets with uneven indentation.
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def write_catalogue(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def minimal_catalogue() -> dict:
    return {
        "unit": "Principles of customer relationships",
        "version": 1,
        "bodies": [
            {
                "id": "alpha",
                "name": "Alpha body",
                "source_files": ["a.txt"],
                "learning_outcomes": [{"id": "alpha.lo1", "text": "Know customers."}],
                "criteria": [
                    {
                        "id": "alpha.ac1",
                        "number": "1.1",
                        "text": "Names two.",
                        "learner_text": "Show that you can name two.",
                        "outcome_ids": ["alpha.lo1"],
                    }
                ],
            },
            {
                "id": "beta",
                "name": "Beta body",
                "source_files": ["b.txt"],
                "learning_outcomes": [{"id": "beta.lo1", "text": "Know feedback."}],
                "criteria": [
                    {
                        "id": "beta.ac1",
                        "number": "1.1",
                        "text": "Uses two.",
                        "learner_text": "Show that you can use two.",
                        "outcome_ids": ["beta.lo1"],
                    }
                ],
            },
        ],
        "mistakes": [
            {
                "id": "oops",
                "title": "Oops",
                "description": "A mistake.",
                "sources": [{"body": "alpha", "quote": "A mistake."}],
                "what_it_looks_like_in_the_crm": "Does the wrong thing.",
            }
        ],
    }


def test_the_packaged_catalogue_loads_for_the_unit():
    catalogue = load_catalogue()

    assert catalogue.unit == "Principles of customer relationships"
    assert catalogue.version == 3
    assert load_catalogue() is catalogue  # cached
    assert load_catalogue(DEFAULT_PATH) is catalogue


def test_the_catalogue_has_the_four_bodies_in_order():
    catalogue = load_catalogue()

    assert [body.id for body in catalogue.bodies] == ["vtct", "focus", "icq", "generic"]
    assert catalogue.body("vtct").source_files == (
        "000_b97e98555512b341.txt",
        "002_c96072a929ee2e30.txt",
    )


@pytest.mark.parametrize(
    ("body_id", "outcomes", "criteria"),
    [("vtct", 4, 4), ("focus", 5, 6), ("icq", 3, 4), ("generic", 4, 5)],
)
def test_each_body_has_the_texts_outcomes_and_criteria(body_id, outcomes, criteria):
    body = load_catalogue().body(body_id)

    if body_id == "generic":  # derived from the synopsis, so at least the cycle's main steps
        assert len(body.learning_outcomes) >= outcomes
    else:
        assert len(body.learning_outcomes) == outcomes
    assert len(body.criteria) == criteria
    assert [c.id for c in body.criteria] == [f"{body_id}.ac{n}" for n in range(1, criteria + 1)]
    assert [o.id for o in body.learning_outcomes] == [
        f"{body_id}.lo{n}" for n in range(1, len(body.learning_outcomes) + 1)
    ]


def test_icq_outcomes_are_split_from_the_single_bullet():
    texts = [outcome.text for outcome in load_catalogue().body("icq").learning_outcomes]

    assert [normalise(text) for text in texts] == [
        "Understand customers and their needs",
        "Understand an organisation's responses to customer relationships",
        "Understand the principles of customer relationship management",
    ]


def test_every_criterion_has_keywords_and_outcomes_of_its_own_body():
    catalogue = load_catalogue()

    for criterion in catalogue.all_criteria():
        body_id = criterion.id.split(".")[0]
        assert criterion.keywords, criterion.id
        assert all(o.startswith(f"{body_id}.") for o in criterion.outcome_ids), criterion.id
    assert len(catalogue.all_criteria()) == 19


def test_the_required_mistakes_exist_with_crm_evidence():
    catalogue = load_catalogue()

    assert not REQUIRED_MISTAKES - {mistake.id for mistake in catalogue.mistakes}
    for mistake in catalogue.mistakes:
        assert mistake.title and mistake.what_it_looks_like_in_the_crm, mistake.id
        # The description quotes one of the mistake's own sources.
        assert mistake.description in {source.quote for source in mistake.sources}, mistake.id


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"curriculum texts not found at {SEEDS}")
def test_criteria_and_mistakes_quote_their_source_texts_verbatim():
    catalogue = load_catalogue()
    texts = {
        body.id: [
            normalise((SEEDS / name).read_text(encoding="utf-8")) for name in body.source_files
        ]
        for body in catalogue.bodies
    }

    def in_sources(body_id: str, quote: str) -> bool:
        return any(normalise(quote) in text for text in texts[body_id])

    quoted = []
    for body in catalogue.bodies:
        quoted += [(body.id, criterion.id, criterion.text) for criterion in body.criteria]
        quoted += [
            (body.id, outcome.id, outcome.derived_from or outcome.text)
            for outcome in body.learning_outcomes
        ]
    for mistake in catalogue.mistakes:
        quoted += [(source.body, mistake.id, source.quote) for source in mistake.sources]
    missing = [
        (item_id, quote) for body_id, item_id, quote in quoted if not in_sources(body_id, quote)
    ]

    assert not missing


def test_look_ups_find_items_by_id():
    catalogue = load_catalogue()

    assert catalogue.criterion("focus.ac3").text.startswith("Explain the benefits of maintaining")
    assert catalogue.outcome("icq.lo2").id == "icq.lo2"
    assert catalogue.mistake("vague_standards").sources[0].body == "generic"
    assert [c.id for c in catalogue.criteria_for("icq")] == [f"icq.ac{n}" for n in range(1, 5)]


@pytest.mark.parametrize(
    ("look_up", "unknown"),
    [
        ("body", "city_and_guilds"),
        ("criterion", "vtct.ac9"),
        ("mistake", "typo"),
        ("criteria_for", "nobody"),
    ],
)
def test_an_unknown_id_raises_key_error_naming_it(look_up, unknown):
    catalogue = load_catalogue()

    with pytest.raises(KeyError, match=unknown):
        getattr(catalogue, look_up)(unknown)


def test_the_catalogue_is_frozen():
    catalogue = load_catalogue()

    with pytest.raises(ValueError, match="frozen"):
        catalogue.version = 3


def test_a_minimal_valid_file_loads(tmp_path):
    catalogue = load_catalogue(write_catalogue(tmp_path, minimal_catalogue()))

    assert [body.id for body in catalogue.bodies] == ["alpha", "beta"]


def test_a_duplicate_id_is_refused(tmp_path):
    data = minimal_catalogue()
    data["mistakes"][0]["id"] = "beta.ac1"

    with pytest.raises(CatalogueError, match=r"duplicate id 'beta\.ac1'"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_criterion_pointing_to_another_bodys_outcome_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][1]["criteria"][0]["outcome_ids"] = ["alpha.lo1"]

    with pytest.raises(CatalogueError, match=r"'beta\.ac1' refers to outcome 'alpha\.lo1'"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_criterion_id_without_its_body_prefix_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"][0]["id"] = "ac1"

    with pytest.raises(CatalogueError, match=r"'ac1' must start with its body id 'alpha\.'"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_body_without_criteria_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"] = []

    with pytest.raises(CatalogueError, match=r"bodies\.0\.criteria"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_mistake_citing_an_unknown_body_is_refused(tmp_path):
    data = minimal_catalogue()
    data["mistakes"][0]["sources"][0]["body"] = "gamma"

    with pytest.raises(CatalogueError, match="unknown body 'gamma'"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_misspelt_field_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"][0]["outcomes"] = data["bodies"][0]["criteria"][0].pop(
        "outcome_ids"
    )

    with pytest.raises(CatalogueError, match=r"criteria\.0\.outcome_ids: Field required"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "criteria.yaml"
    path.write_text("unit: [unclosed\n", encoding="utf-8")

    with pytest.raises(CatalogueError, match="not valid YAML"):
        load_catalogue(path)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(CatalogueError, match="mapping at the top level"):
        load_catalogue(write_catalogue(tmp_path, ["unit", "version"]))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read criteria catalogue"):
        load_catalogue(tmp_path / "absent.yaml")


# ---------------------------------------------------------------- numbers, wording, themes


def test_every_criterion_has_learner_wording_apart_from_the_quoted_assessor_text():
    for criterion in load_catalogue().all_criteria():
        assert criterion.learner_text.startswith("Show that you can "), criterion.id
        assert "award credit" not in criterion.learner_text.lower(), criterion.id
        assert criterion.learner_text != criterion.text, criterion.id


def test_the_bodies_numbers_follow_their_outcomes():
    numbers = {c.id: c.number for c in load_catalogue().all_criteria()}

    assert [numbers[f"vtct.ac{n}"] for n in range(1, 5)] == ["1.1", "2.1", "3.1", "4.1"]
    assert [numbers[f"focus.ac{n}"] for n in range(1, 5)] == ["1.1", "4.1", "3.1", "4.2"]
    assert numbers["generic.ac3"] == "5.1"  # feedback: the feedback outcome, not monitoring


def test_every_criterion_is_in_a_theme_with_criteria_of_other_bodies():
    catalogue = load_catalogue()

    for criterion in catalogue.all_criteria():
        body_id = criterion.id.split(".")[0]
        others = {c.split(".")[0] for c in catalogue.related(criterion.id)} - {body_id}
        assert others, criterion.id


@pytest.mark.parametrize("number", ["1", "1.0", "0.1", "a.b", "1.1.1", " 1.1"])
def test_a_badly_formed_number_is_refused(tmp_path, number):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"][0]["number"] = number

    with pytest.raises(CatalogueError, match="learning outcome and a position"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_number_under_an_outcome_the_criterion_does_not_assess_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"][0]["number"] = "2.1"

    with pytest.raises(CatalogueError, match=r"'alpha\.ac1' is numbered 2\.1"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_number_used_twice_in_a_body_is_refused(tmp_path):
    data = minimal_catalogue()
    second = dict(data["bodies"][0]["criteria"][0], id="alpha.ac2")
    data["bodies"][0]["criteria"].append(second)

    with pytest.raises(CatalogueError, match=r"number 1\.1 is used twice"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_learner_wording_that_is_not_what_to_show_is_refused(tmp_path):
    data = minimal_catalogue()
    data["bodies"][0]["criteria"][0]["learner_text"] = "Award credit for naming two."

    with pytest.raises(CatalogueError, match="learner_text must start with"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_criterion_without_learner_wording_is_refused(tmp_path):
    data = minimal_catalogue()
    del data["bodies"][0]["criteria"][0]["learner_text"]

    with pytest.raises(CatalogueError, match=r"criteria\.0\.learner_text"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_a_theme_naming_an_unknown_criterion_is_refused(tmp_path):
    data = minimal_catalogue()
    data["themes"] = [{"id": "t.one", "title": "One", "criteria": ["alpha.ac1", "beta.ac9"]}]

    with pytest.raises(CatalogueError, match=r"names unknown criterion 'beta\.ac9'"):
        load_catalogue(write_catalogue(tmp_path, data))


def test_themes_that_leave_a_criterion_out_are_refused(tmp_path):
    data = minimal_catalogue()
    data["themes"] = [{"id": "t.one", "title": "One", "criteria": ["alpha.ac1"]}]

    with pytest.raises(CatalogueError, match=r"criteria in no theme: beta\.ac1"):
        load_catalogue(write_catalogue(tmp_path, data))
