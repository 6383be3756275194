"""The assessment catalogue: awarding bodies, their learning outcomes and assessment criteria,
and the common mistakes the feedback names, loaded from data/criteria.yaml and validated."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .resources import CRITERIA

DEFAULT_PATH = CRITERIA


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
    """An assessment criterion, quoted from the text, with the outcome(s) it assesses."""

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    outcome_ids: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()


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
        return self


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


class Catalogue(_Frozen):
    """The whole catalogue for one unit; look-ups raise KeyError naming the unknown id."""

    unit: str = Field(min_length=1)
    version: int = Field(ge=1)
    bodies: tuple[Body, ...] = Field(min_length=1)
    mistakes: tuple[Mistake, ...] = ()

    @model_validator(mode="after")
    def _ids_unique_and_sources_known(self) -> Catalogue:
        # One id space for the whole file, so any id names exactly one thing wherever it is used.
        seen: set[str] = set()
        every_id = [
            item.id
            for body in self.bodies
            for item in (body, *body.learning_outcomes, *body.criteria)
        ] + [mistake.id for mistake in self.mistakes]
        for item_id in every_id:
            if item_id in seen:
                raise ValueError(f"duplicate id {item_id!r}")
            seen.add(item_id)
        body_ids = {body.id for body in self.bodies}
        for mistake in self.mistakes:
            for source in mistake.sources:
                if source.body not in body_ids:
                    raise ValueError(f"mistake {mistake.id!r} cites unknown body {source.body!r}")
        return self

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
