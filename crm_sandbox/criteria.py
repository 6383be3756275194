"""The assessment catalogue: awarding bodies, their learning outcomes and assessment criteria,
and the common mistakes the feedback names, loaded from data/criteria.yaml and validated.

A group studies one body's qualification, so an attempt is assessed against that body's
criteria only: `criteria_for_attempt` gives them, numbered the body's way ("1.1", "2.3").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select

from .resources import CRITERIA

if TYPE_CHECKING:
    from .models import Attempt
    from .scenarios.schema import Scenario

DEFAULT_PATH = CRITERIA

# The qualification of work that no one group's qualification decides (set from the command
# line for a learner in no group, or in groups of different bodies): the unit without an
# awarding body's own criteria.
DEFAULT_BODY = "generic"

_NUMBER = re.compile(r"^([1-9][0-9]*)\.([1-9][0-9]*)$")


class CatalogueError(ValueError):
    """The catalogue file is missing, is not valid YAML, or breaks one of its rules."""


class _Frozen(BaseModel):
    # Unknown keys are refused so a misspelt field in the YAML fails loudly instead of vanishing.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Outcome(_Frozen):
    """A learning outcome (objective) of one body; derived_from quotes the line it was drawn
    from when the text has no numbered outcomes."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    derived_from: str | None = None


class Criterion(_Frozen):
    """An assessment criterion, quoted from the text (the assessor's marking guidance), with
    the body's number for it, the learner's wording and the outcome(s) it assesses."""

    id: str = Field(min_length=1)
    number: str
    text: str = Field(min_length=1)
    learner_text: str = Field(min_length=1)
    outcome_ids: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    # Set when the body names no criterion for an outcome: the line the text quotes.
    derived_from: str | None = None

    @field_validator("number")
    @classmethod
    def _lo_dot_ac(cls, value: str) -> str:
        if not _NUMBER.match(value):
            raise ValueError(
                f"number {value!r} must be a learning outcome and a position, e.g. 1.2"
            )
        return value

    @field_validator("learner_text")
    @classmethod
    def _what_to_show(cls, value: str) -> str:
        # Learners read what they need to show, never the assessor's "Award credit for...".
        if not value.startswith("Show that you can "):
            raise ValueError("learner_text must start with 'Show that you can '")
        return value

    @property
    def sort_key(self) -> tuple[int, int]:
        """(learning outcome, position): numbers sort as numbers, so 2.10 follows 2.9."""
        outcome, position = self.number.split(".")
        return int(outcome), int(position)


class Body(_Frozen):
    """An awarding body's qualification, with the seed files its wording comes from."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    source_files: tuple[str, ...] = Field(min_length=1)
    learning_outcomes: tuple[Outcome, ...] = Field(min_length=1)
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _no_dot(cls, value: str) -> str:
        # Child ids are "<body>.<rest>", so a dot in a body id would make prefixes ambiguous.
        if "." in value:
            raise ValueError(f"body id {value!r} must not contain a dot")
        return value

    @model_validator(mode="after")
    def _children_belong_here(self) -> Body:
        prefix = f"{self.id}."
        outcome_ids = {outcome.id for outcome in self.learning_outcomes}
        for item in (*self.learning_outcomes, *self.criteria):
            if not item.id.startswith(prefix):
                raise ValueError(f"id {item.id!r} must start with its body id {prefix!r}")
        for criterion in self.criteria:
            for outcome_id in criterion.outcome_ids:
                if outcome_id not in outcome_ids:
                    raise ValueError(
                        f"criterion {criterion.id!r} refers to outcome {outcome_id!r}, "
                        f"which is not an outcome of body {self.id!r}"
                    )
        self._numbers_follow_outcomes()
        return self

    def _numbers_follow_outcomes(self) -> None:
        # "LO.AC": the LO part is the number of one of the criterion's own outcomes.
        numbers: set[str] = set()
        for criterion in self.criteria:
            if criterion.number in numbers:
                raise ValueError(f"number {criterion.number} is used twice in body {self.id!r}")
            numbers.add(criterion.number)
            owned = {str(self.outcome_number(o)) for o in criterion.outcome_ids}
            if criterion.number.split(".")[0] not in owned:
                raise ValueError(
                    f"criterion {criterion.id!r} is numbered {criterion.number}, but its "
                    f"outcomes are numbered {', '.join(sorted(owned))}"
                )

    def outcome_number(self, outcome_id: str) -> int:
        """The outcome's number in this body: its position in the body's list, from 1."""
        for index, outcome in enumerate(self.learning_outcomes, start=1):
            if outcome.id == outcome_id:
                return index
        raise KeyError(f"no learning outcome with id {outcome_id!r} in body {self.id!r}")

    def outcome_of(self, criterion: Criterion) -> Outcome:
        """The outcome a criterion's number places it under."""
        return self.learning_outcomes[criterion.sort_key[0] - 1]


class Source(_Frozen):
    """One body's line that names a mistake."""

    body: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class Mistake(_Frozen):
    """A common mistake from the texts and how it shows in a learner's CRM records."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    sources: tuple[Source, ...] = Field(min_length=1)
    what_it_looks_like_in_the_crm: str = Field(min_length=1)


class Theme(_Frozen):
    """Criteria of different bodies that assess the same competence."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    criteria: tuple[str, ...] = Field(min_length=1)


class Catalogue(_Frozen):
    """The whole catalogue for one unit; look-ups raise KeyError naming the unknown id."""

    unit: str = Field(min_length=1)
    version: int = Field(ge=1)
    bodies: tuple[Body, ...] = Field(min_length=1)
    mistakes: tuple[Mistake, ...] = ()
    themes: tuple[Theme, ...] = ()

    @model_validator(mode="after")
    def _ids_unique_and_sources_known(self) -> Catalogue:
        # One id space for the whole file, so any id names exactly one thing wherever it is used.
        seen: set[str] = set()
        every_id = (
            [
                item.id
                for body in self.bodies
                for item in (body, *body.learning_outcomes, *body.criteria)
            ]
            + [mistake.id for mistake in self.mistakes]
            + [theme.id for theme in self.themes]
        )
        for item_id in every_id:
            if item_id in seen:
                raise ValueError(f"duplicate id {item_id!r}")
            seen.add(item_id)
        body_ids = {body.id for body in self.bodies}
        for mistake in self.mistakes:
            for source in mistake.sources:
                if source.body not in body_ids:
                    raise ValueError(f"mistake {mistake.id!r} cites unknown body {source.body!r}")
        self._themes_name_criteria()
        return self

    def _themes_name_criteria(self) -> None:
        if not self.themes:
            return
        criterion_ids = {c.id for body in self.bodies for c in body.criteria}
        in_a_theme: set[str] = set()
        for theme in self.themes:
            for criterion_id in theme.criteria:
                if criterion_id not in criterion_ids:
                    raise ValueError(f"theme {theme.id!r} names unknown criterion {criterion_id!r}")
                in_a_theme.add(criterion_id)
        outside = sorted(criterion_ids - in_a_theme)
        if outside:
            raise ValueError(f"criteria in no theme: {', '.join(outside)}")

    def body(self, body_id: str) -> Body:
        """The body with this id."""
        for body in self.bodies:
            if body.id == body_id:
                return body
        raise KeyError(f"no awarding body with id {body_id!r} in the criteria catalogue")

    def criterion(self, criterion_id: str) -> Criterion:
        """The assessment criterion with this id."""
        for criterion in self.all_criteria():
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(f"no assessment criterion with id {criterion_id!r} in the catalogue")

    def outcome(self, outcome_id: str) -> Outcome:
        """The learning outcome with this id."""
        for body in self.bodies:
            for outcome in body.learning_outcomes:
                if outcome.id == outcome_id:
                    return outcome
        raise KeyError(f"no learning outcome with id {outcome_id!r} in the catalogue")

    def mistake(self, mistake_id: str) -> Mistake:
        """The common mistake with this id."""
        for mistake in self.mistakes:
            if mistake.id == mistake_id:
                return mistake
        raise KeyError(f"no common mistake with id {mistake_id!r} in the criteria catalogue")

    def all_criteria(self) -> list[Criterion]:
        """Every criterion, body by body, in the texts' order."""
        return [criterion for body in self.bodies for criterion in body.criteria]

    def criteria_for(self, body_id: str) -> list[Criterion]:
        """The criteria of one body, in the text's order."""
        return list(self.body(body_id).criteria)

    def related(self, criterion_id: str) -> set[str]:
        """Every criterion sharing a theme with this one (itself included)."""
        related = {criterion_id}
        for theme in self.themes:
            if criterion_id in theme.criteria:
                related.update(theme.criteria)
        return related


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate the catalogue (the packaged one by default); cached per file path.
    Raises CatalogueError naming the file and the problem."""
    return _load(Path(path) if path is not None else DEFAULT_PATH)


@lru_cache(maxsize=8)
def _load(path: Path) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"cannot read criteria catalogue {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"criteria catalogue {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"criteria catalogue {path} must be a mapping at the top level")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'catalogue'}: {error['msg']}"
            for error in exc.errors()
        )
        raise CatalogueError(f"criteria catalogue {path} is invalid: {problems}") from None


@dataclass(frozen=True)
class NumberedCriterion:
    """One criterion as a qualification presents it: the body's number ("2.3"), the quoted
    assessor wording (`text`), the learner's wording, its outcome and body; `id` is stable."""

    id: str
    number: str
    text: str
    learner_text: str
    outcome_number: int
    outcome_text: str
    body_id: str
    body_name: str

    @property
    def label(self) -> str:
        """The number and the assessor's wording, as one line."""
        return f"{self.number} {self.text}"

    @property
    def ref(self) -> str:
        """How staff name it in a message: the number, with the stable id, e.g. "4.1 (vtct.ac4)"."""
        return f"{self.number} ({self.id})"


def ref_of(criterion_id: str) -> str:
    """`NumberedCriterion.ref` of any criterion by id; an unknown id is returned as it is."""
    try:
        return f"{load_catalogue().criterion(criterion_id).number} ({criterion_id})"
    except KeyError:
        return criterion_id


@lru_cache(maxsize=16)
def _numbered(body_id: str, path: Path) -> tuple[NumberedCriterion, ...]:
    body = _load(path).body(body_id)
    rows = []
    for criterion in sorted(body.criteria, key=lambda c: c.sort_key):
        outcome = body.outcome_of(criterion)
        rows.append(
            NumberedCriterion(
                id=criterion.id,
                number=criterion.number,
                text=criterion.text,
                learner_text=criterion.learner_text,
                outcome_number=criterion.sort_key[0],
                outcome_text=outcome.text,
                body_id=body.id,
                body_name=body.name,
            )
        )
    return tuple(rows)


def criteria_for_body(body_id: str) -> list[NumberedCriterion]:
    """One body's criteria, numbered, in number order (KeyError for an unknown body)."""
    return list(_numbered(body_id, DEFAULT_PATH))


def body_of_attempt(attempt: Attempt) -> str:
    """The qualification an attempt is assessed against: its assignment's group's body. Work
    set for the learner personally (outside a group) takes the body of the learner's groups
    when they all study one; otherwise (no group, or groups of different bodies) DEFAULT_BODY."""
    from .models import Group, db, group_members  # models sit above this module

    assignment = attempt.assignment
    if assignment is not None and assignment.group_id is not None:
        bodies = {db.session.scalar(select(Group.body_id).where(Group.id == assignment.group_id))}
    else:
        bodies = set(
            db.session.scalars(
                select(Group.body_id)
                .join(group_members, group_members.c.group_id == Group.id)
                .where(group_members.c.user_id == attempt.learner_id)
            )
        )
    known = {body.id for body in load_catalogue().bodies}
    return bodies.pop() if len(bodies) == 1 and bodies <= known else DEFAULT_BODY


def evidenced_for_body(criterion_ids, body_id: str) -> set[str]:
    """The body's criteria that a list of criteria (of any bodies) evidences: the body's own
    ones when the list names any; otherwise those sharing a theme with the ones named."""
    catalogue = load_catalogue()
    own = {c.id for c in catalogue.criteria_for(body_id)}
    named = set(criterion_ids)
    direct = named & own
    if direct:
        return direct
    related: set[str] = set()
    for criterion_id in named:
        related |= catalogue.related(criterion_id)
    return related & own


def criteria_for_attempt(
    attempt: Attempt, scenario: Scenario | None = None
) -> list[NumberedCriterion]:
    """The criteria an attempt is assessed against, in number order: of its group's body,
    those the scenario (its criteria and its checks') evidences, by `evidenced_for_body`.
    A scenario evidencing none of them gives the body's every criterion, so the work is
    still judged against the whole qualification rather than against nothing."""
    if scenario is None:
        from .scenarios.loader import scenario_of  # the loader reads this catalogue

        scenario = scenario_of(attempt)
    return criteria_for_scenario(scenario, body_of_attempt(attempt))


def criteria_for_scenario(scenario: Scenario, body_id: str) -> list[NumberedCriterion]:
    """A scenario's criteria for one body (see `criteria_for_attempt`)."""
    named = list(scenario.criteria) + [
        c for _task, check in scenario.checks() for c in check.criteria
    ]
    ids = evidenced_for_body(named, body_id)
    every = criteria_for_body(body_id)
    return [c for c in every if c.id in ids] or every


def check_criteria_for_body(
    check_criteria, body_id: str, allowed: list[NumberedCriterion]
) -> list[NumberedCriterion]:
    """The criteria among `allowed` (an attempt's) that one check evidences for the body."""
    ids = evidenced_for_body(check_criteria, body_id)
    return [c for c in allowed if c.id in ids]
