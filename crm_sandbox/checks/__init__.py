"""Check types: small pure functions registered by name, which scenario files refer to.

A check type reads the sandbox's state and its ordered action log (never changes either) and
returns passed / not yet, a message, and the action-log entries it relied on as evidence.
Adding a check type is one new module in this package that calls `register` (modules are
imported automatically) and one test.

A check passes only on evidence that the competent thing was done: never on a keyword of free
text, a box the learner ticked, or nothing having happened yet (return `not_yet(...)` until
the situation the check judges has arisen). Its message teaches: it names the step, principle
or common mistake and where to look, and never lists the expected words or values.

A log may hold 100,000 entries: walk only the ones a check needs, through the indexes built
once per evaluation (`_helpers.as_log(log).of(verb, ...)`, `.about(object_id)`), and pick a
customer's entries by `item.after_contact_id`, which does not decode the payload.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, ValidationError


class Params(BaseModel):
    """Base of every check type's parameters: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class CheckResult:
    passed: bool
    message: str = ""
    evidence: list[int] = field(default_factory=list)  # action-log seq numbers
    # Nothing to judge yet: the situation the check is about has not arisen (no proactive
    # contact made, the complaint not yet closed ...). Never a pass: nothing is earned by
    # doing nothing.
    pending: bool = False


def not_yet(message: str, evidence: list[int] | None = None) -> CheckResult:
    """A check with nothing to judge yet: not passed, and shown as "not yet judged"."""
    return CheckResult(False, message, list(evidence or []), pending=True)


@dataclass(frozen=True)
class CheckType:
    name: str
    params: type[Params]
    run: Callable
    doc: str
    keys: tuple[str, ...] = ()  # params that name opening objects: (param, kind) checked

    def validate_params(self, raw: dict, scenario) -> list[str]:
        """Problems with a check's params in a scenario (empty when they are fine)."""
        try:
            parsed = self.params.model_validate(raw or {})
        except ValidationError as exc:
            return [
                f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}"
                for e in exc.errors()
            ]
        return _missing_keys(parsed, scenario)

    def __call__(self, state, log, scenario, raw: dict) -> CheckResult:
        return self.run(state, log, scenario, self.params.model_validate(raw or {}))


REGISTRY: dict[str, CheckType] = {}

# Param names that refer to objects defined in a scenario's opening data, by kind.
KEY_PARAMS = {
    "contact": "contacts",
    "contacts": "contacts",
    "complaint": "complaints",
    "keep": "contacts",
    "duplicate": "contacts",
    "standard": "standards",
    "survey": "surveys",
}


def _opening_keys(scenario) -> dict[str, set[str]]:
    o = scenario.opening
    return {
        "contacts": {c.key for c in o.contacts},
        "complaints": {c.key for c in o.complaints},
        "standards": {s.key for s in o.standards},
        "surveys": {s.key for s in o.surveys},
    }


def _missing_keys(parsed: Params, scenario) -> list[str]:
    known = _opening_keys(scenario)
    problems = []
    for name, kind in KEY_PARAMS.items():
        value = getattr(parsed, name, None)
        if value is None:
            continue
        for key in value if isinstance(value, list | tuple) else [value]:
            if key not in known[kind]:
                problems.append(f"{name}: {key!r} is not one of the scenario's {kind}")
    return problems


def register(name: str, params: type[Params]) -> Callable[[Callable], Callable]:
    """Register a check type under `name` with its parameters model."""

    def decorate(func: Callable) -> Callable:
        if name in REGISTRY:
            raise RuntimeError(f"check type {name!r} is registered twice")
        REGISTRY[name] = CheckType(name, params, func, (func.__doc__ or "").strip())
        return func

    return decorate


def _import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_import_all()
