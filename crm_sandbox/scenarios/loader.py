"""Reading scenario files: safe YAML only, validated against the schema and the registries,
with every problem reported as `file:line: field: message` (never a traceback)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, get_args, get_origin

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..criteria import load_catalogue
from ..models import Attempt
from ..resources import SCENARIO_LIBRARY
from .schema import Scenario

LIBRARY = SCENARIO_LIBRARY
MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class ScenarioError(Exception):
    """A scenario file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def line_of(node, path: tuple) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                return line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def field_name(loc: tuple) -> str:
    """A pydantic error location as a dotted field name (validator wrappers left out)."""
    return ".".join(str(p) for p in loc if not str(p).startswith("function-"))


# libyaml's parser when PyYAML was built with it (some ten times faster), else PyYAML's own.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str):
    """One YAML document parsed once: its root node (for line numbers) and its data. Raises
    yaml.YAMLError. Scenario files and the seed's organisation profiles both read this way."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def parse(text: str, source: str = "<scenario>") -> Scenario:
    """Parse and validate one scenario's YAML text; raise ScenarioError listing every problem."""
    try:
        node, data = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(source, line, "", f"not valid YAML: {reason}")]) from None
    except ValueError as exc:  # e.g. a date that does not exist, such as 2026-02-30
        raise ScenarioError([Problem(source, None, "", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, "", "a scenario must be a mapping of fields")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                source,
                line_of(node, tuple(error["loc"])),
                field_name(tuple(error["loc"])),
                error["msg"].removeprefix("Value error, "),
            )
            for error in exc.errors()
        ]
        # Report the cross-field problems of the parts that did parse as well, so that the
        # author sees every problem in one go rather than one phase at a time.
        problems += _problems_across(partial_scenario(data), source, node)
        raise ScenarioError(_unique(problems)) from None
    problems = _problems_across(scenario, source, node)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _problems_across(scenario: Scenario, source: str, node) -> list[Problem]:
    return [
        Problem(source, line_of(node, path), field, message)
        for path, field, message in cross_check(scenario)
    ]


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def partial_scenario(data: dict) -> Scenario:
    """The parts of a scenario's data that are valid, built without validating the whole: a
    part that fails is left at its default (None when it has none), and lists and nested
    sections keep their valid items in place, so cross-field problems keep their positions."""
    return _lenient(Scenario, data)


def _lenient(model: type[BaseModel], raw):
    raw = raw if isinstance(raw, dict) else {}
    try:
        return model.model_validate(raw)
    except ValidationError:
        pass
    values = {}
    for name, field in model.model_fields.items():
        if name in raw:
            values[name] = _lenient_value(model, name, raw[name])
        else:
            values[name] = (
                None if field.is_required() else field.get_default(call_default_factory=True)
            )
    if model.model_config.get("extra") == "allow":
        values.update({k: v for k, v in raw.items() if k not in model.model_fields})
    return model.model_construct(**values)


def _lenient_value(model: type[BaseModel], name: str, value):
    """`value` validated as the model's field; else, for a section or a list of sections, what
    of it is valid; else the field's default (None when it has none)."""
    try:
        return _adapter(model, name).validate_python(value)
    except ValidationError:
        pass
    field = model.model_fields[name]
    annotation = field.annotation
    if _is_model(annotation):
        return _lenient(annotation, value)
    args = get_args(annotation)
    if get_origin(annotation) is list and args and _is_model(args[0]):
        return [_lenient(args[0], item) for item in value] if isinstance(value, list) else []
    return None if field.is_required() else field.get_default(call_default_factory=True)


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


@lru_cache(maxsize=256)
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter:
    field = model.model_fields[name]
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])


def cross_check(scenario: Scenario) -> list[tuple[tuple, str, str]]:
    """Rules across fields: known criteria, mistakes, check types and step types, and keys
    that refer to objects the scenario defines."""
    from .steps import STEPS

    catalogue = load_catalogue()
    known_criteria = {c.id for c in catalogue.all_criteria()}
    known_mistakes = {m.id for m in catalogue.mistakes}
    out: list[tuple[tuple, str, str]] = []
    for i, criterion in enumerate(scenario.criteria or ()):
        if criterion not in known_criteria:
            out.append((("criteria", i), f"criteria.{i}", f"unknown criterion {criterion!r}"))
    check_ids: set = set()
    for t, task in enumerate(scenario.tasks or ()):
        for c, check in enumerate(task.checks or ()):
            out.extend(
                _check_check(
                    ("tasks", t, "checks", c),
                    check,
                    scenario,
                    check_ids,
                    known_criteria,
                    known_mistakes,
                )
            )
    for s, step in enumerate(scenario.model_answer or ()):
        out.extend(_check_step(("model_answer", s), step, STEPS))
    for w, walk in enumerate(scenario.walkthroughs or ()):
        out.extend(_check_walkthrough(w, walk, check_ids, known_criteria, known_mistakes, STEPS))
    for v, variant in enumerate(scenario.variants or ()):
        for s, step in enumerate(variant.steps or ()):
            out.extend(_check_step(("variants", v, "steps", s), step, STEPS))
    for g, attempt in enumerate(scenario.gaming or ()):
        out.extend(_check_gaming(g, attempt, check_ids, STEPS))
    out.extend(_check_ids_unique(scenario))
    out.extend(_check_opening_keys(scenario))
    return out


def _check_check(path, check, scenario, check_ids, known_criteria, known_mistakes) -> list:
    """Problems with one task check: a reused id, an unknown type or bad params, and unknown
    criteria or mistakes. Records the check's id in `check_ids` so later uses can be matched."""
    from ..checks import REGISTRY

    out = []
    name = ".".join(str(part) for part in path)
    if check.id in check_ids:
        out.append((path + ("id",), name + ".id", f"check id {check.id!r} is used twice"))
    if check.id is not None:  # None: the id itself is a schema problem, reported already
        check_ids.add(check.id)
    check_type = REGISTRY.get(check.type)
    if check.type is None:
        pass
    elif check_type is None:
        out.append(
            (
                path + ("type",),
                name + ".type",
                f"unknown check type {check.type!r} (known: {', '.join(sorted(REGISTRY))})",
            )
        )
    else:
        for message in check_type.validate_params(check.params, scenario):
            out.append((path + ("params",), name + ".params", message))
    for k, criterion in enumerate(check.criteria or ()):
        if criterion not in known_criteria:
            out.append(
                (
                    path + ("criteria", k),
                    f"{name}.criteria.{k}",
                    f"unknown criterion {criterion!r}",
                )
            )
    for k, mistake in enumerate(check.mistakes or ()):
        if mistake not in known_mistakes:
            out.append(
                (
                    path + ("mistakes", k),
                    f"{name}.mistakes.{k}",
                    f"unknown common mistake {mistake!r}",
                )
            )
    return out


def _check_walkthrough(w, walk, check_ids, known_criteria, known_mistakes, steps) -> list:
    """Problems with one walk-through: what it acts out, the checks it expects to fail, and
    its steps."""
    out = []
    # A walk-through acts out a named common mistake, or falls short of a named criterion.
    if walk.mistake is not None and walk.mistake not in known_mistakes | known_criteria:
        out.append(
            (
                ("walkthroughs", w, "mistake"),
                f"walkthroughs.{w}.mistake",
                f"{walk.mistake!r} is neither a common mistake nor a criterion",
            )
        )
    for k, check_id in enumerate(walk.expect_failing or ()):
        if check_id not in check_ids:
            out.append(
                (
                    ("walkthroughs", w, "expect_failing", k),
                    f"walkthroughs.{w}.expect_failing.{k}",
                    f"no check with id {check_id!r}",
                )
            )
    for s, step in enumerate(walk.steps or ()):
        out.extend(_check_step(("walkthroughs", w, "steps", s), step, steps))
    return out


def _check_gaming(g, attempt, check_ids, steps) -> list:
    """Problems with one gaming attempt: the checks it targets, and its steps."""
    out = []
    for k, check_id in enumerate(attempt.targets or ()):
        if check_id not in check_ids:
            out.append(
                (
                    ("gaming", g, "targets", k),
                    f"gaming.{g}.targets.{k}",
                    f"no check with id {check_id!r}",
                )
            )
    for s, step in enumerate(attempt.steps or ()):
        out.extend(_check_step(("gaming", g, "steps", s), step, steps))
    return out


def _check_ids_unique(scenario: Scenario) -> list:
    """Walk-throughs, variants and gaming attempts are reported by id: one id names one."""
    out, seen = [], set()
    for kind in ("walkthroughs", "variants", "gaming"):
        for i, item in enumerate(getattr(scenario, kind) or ()):
            if item.id in seen:
                out.append(((kind, i, "id"), f"{kind}.{i}.id", f"id {item.id!r} is used twice"))
            seen.add(item.id)
    return out


def _check_opening_keys(scenario: Scenario) -> list:
    """A key names one opening object, so it may be used only once across all of them."""
    keys = (
        [c.key for c in scenario.opening.contacts]
        + [c.key for c in scenario.opening.complaints]
        + [s.key for s in scenario.opening.standards]
        + [s.key for s in scenario.opening.surveys]
        + [o.key for o in scenario.opening.orders]
    )
    out = []
    seen = set()
    for key in keys:
        if key is not None and key in seen:
            out.append((("opening",), "opening", f"the key {key!r} is used twice"))
        seen.add(key)
    return out


def _check_step(path, step, steps) -> list[tuple[tuple, str, str]]:
    name = ".".join(str(p) for p in path)
    if step.do is None:  # a schema problem, reported already
        return []
    step_type = steps.get(step.do)
    if step_type is None:
        return [
            (
                path + ("do",),
                name + ".do",
                f"unknown step {step.do!r} (known: {', '.join(sorted(steps))})",
            )
        ]
    params = dict(step.model_extra or {})
    return [(path, name, message) for message in step_type.validate(params)]


def load_file(path: Path) -> Scenario:
    """Read one scenario file (size-limited, UTF-8, safe YAML)."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(
            [Problem(source, None, "", f"cannot read the file: {exc.strerror}")]
        ) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(source, None, "", f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(source, None, "", "the file is not UTF-8 text")]) from None
    return parse(text, source)


@lru_cache(maxsize=1)
def _library() -> dict[str, tuple[Scenario, Path]]:
    found: dict[str, tuple[Scenario, Path]] = {}
    for path in sorted(LIBRARY.glob("*.yaml")):
        try:
            scenario = load_file(path)
        except ScenarioError:
            continue
        found[scenario.id] = (scenario, path)
    return found


def library() -> dict[str, Scenario]:
    """Every scenario shipped in scenarios/, by id (files that fail validation are skipped
    here; `crm-sandbox scenarios validate` reports them)."""
    return {key: scenario for key, (scenario, _) in _library().items()}


def library_source(scenario_id: str) -> tuple[Scenario, str] | None:
    """A library scenario and the text of its file, or None."""
    entry = _library().get(scenario_id)
    if entry is None:
        return None
    return entry[0], entry[1].read_text(encoding="utf-8")


def scenario_of(attempt: Attempt) -> Scenario:
    """The scenario as it was when the attempt started."""
    return scenario_from_snapshot(attempt.scenario_yaml)


@lru_cache(maxsize=64)
def scenario_from_snapshot(scenario_yaml: str) -> Scenario:
    """The scenario of an attempt's stored YAML (parsed once per text: the cache compares the
    texts themselves, so an attempt always gets the scenario of its own text)."""
    return parse(scenario_yaml, "attempt")
