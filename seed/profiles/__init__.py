"""Organisation profiles: the made-up businesses a learner's sandbox CRM belongs to.

Each is a data file here, `<key>.yaml`, validated by `schema.Profile`; `_common.yaml` holds
what every profile shares unless its file gives its own (supplier topics, people who are not
customers). A file that cannot be used is reported as `file:line: field: message`, every
problem at once, never a traceback. Templates may use the placeholders in
`seed.vocabulary.PLACEHOLDERS`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from crm_sandbox.scenarios.loader import Problem, field_name, line_of, read_yaml

from ..vocabulary import PLACEHOLDERS
from .schema import Profile, Shared, cross_check

__all__ = ["PLACEHOLDERS", "PROFILES", "Profile", "ProfileError", "get_profile", "load_file"]

PROFILE_DIR = Path(__file__).resolve().parent
SHARED_FILE = PROFILE_DIR / "_common.yaml"


class ProfileError(Exception):
    """A profile file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _read(text: str, source: str) -> tuple:
    try:
        node, data = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark else None
        raise ProfileError([Problem(source, line, "", f"not valid YAML: {reason}")]) from None
    if not isinstance(data, dict):
        raise ProfileError([Problem(source, 1, "", "a profile must be a mapping of fields")])
    return node, data


def _validate(model, node, data: dict, source: str):
    try:
        return model.model_validate(data)
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
        raise ProfileError(problems) from None


def parse_shared(text: str, source: str = "_common.yaml") -> Shared:
    """Parse and validate the shared file's text; raise ProfileError listing every problem."""
    node, data = _read(text, source)
    return _validate(Shared, node, data, source)


def parse(text: str, source: str = "<profile>", shared: Shared | None = None) -> Profile:
    """Parse and validate one profile's YAML text, filling what it leaves out from `shared`;
    raise ProfileError listing every problem."""
    node, data = _read(text, source)
    if shared is not None:
        data.setdefault("other_contacts", shared.other_contacts)
        topics = data.get("interaction_topics")
        if isinstance(topics, dict):
            topics.setdefault("supplier_inbound", shared.supplier_inbound)
            topics.setdefault("supplier_outbound", shared.supplier_outbound)
    profile = _validate(Profile, node, data, source)
    problems = [
        Problem(source, line_of(node, path), field_name(path), message)
        for path, message in cross_check(profile)
    ]
    if problems:
        raise ProfileError(problems)
    return profile


def load_file(path: Path, shared: Shared | None = None) -> Profile:
    """One profile file, with the shared file's parts where it leaves them out. Its key must be
    its file name."""
    shared = shared if shared is not None else _shared()
    profile = parse(path.read_text(encoding="utf-8"), path.name, shared)
    if profile.key != path.stem:
        raise ProfileError([Problem(path.name, 1, "key", f"must be the file name, {path.stem!r}")])
    return profile


def profile_files() -> list[Path]:
    """Every profile's file, by name (`_common.yaml` is not a profile)."""
    return sorted(p for p in PROFILE_DIR.glob("*.yaml") if not p.name.startswith("_"))


@lru_cache(maxsize=1)
def _shared() -> Shared:
    return parse_shared(SHARED_FILE.read_text(encoding="utf-8"), SHARED_FILE.name)


@lru_cache(maxsize=1)
def load_all() -> dict[str, Profile]:
    """Every profile, by key, read and validated once per process (in file-name order)."""
    return {path.stem: load_file(path) for path in profile_files()}


def get_profile(key: str) -> Profile:
    """The profile called `key`; KeyError naming the known profiles otherwise."""
    profiles = load_all()
    try:
        return profiles[key]
    except KeyError:
        known = ", ".join(sorted(profiles))
        raise KeyError(f"unknown organisation profile {key!r}; known profiles: {known}") from None


def __getattr__(name: str):
    # PROFILES is read on first use, not at import: importing seed.profiles stays cheap and a
    # broken file is reported where a profile is asked for.
    if name == "PROFILES":
        return load_all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
