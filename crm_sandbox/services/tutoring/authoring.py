"""Scenarios tutors write: reading an upload, validating and saving a draft, editing it, and
publishing it so that every tutor may set it.
"""

from __future__ import annotations

import yaml
from sqlalchemy import func, select

from ...models import AuthoredScenario, User, db
from ...models.base import utcnow
from ...scenarios.loader import MAX_FILE_BYTES as SCENARIO_MAX_BYTES
from ...scenarios.loader import Problem, ScenarioError, library
from ...scenarios.loader import parse as _loader_parse
from ..errors import NotFound, ServiceError
from ..staff_audit import record_staff_action
from .viewers import _is_admin


def _bad_scalar_line(text: str) -> int | None:
    """The line of the first plain value YAML reads as a date or time but cannot build
    (such as 2026-02-30)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    constructor = yaml.SafeLoader("")
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node, deep=True)
            except (ValueError, TypeError, yaml.YAMLError):
                return node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def parse(text: str, source: str):
    """The loader's parse, also turning a value YAML cannot build (an impossible date) into a
    line-numbered problem instead of an error page."""
    try:
        return _loader_parse(text, source)
    except (ValueError, TypeError) as exc:
        line = _bad_scalar_line(text)
        raise ScenarioError([Problem(source, line, "", f"not valid YAML: {exc}")]) from None


def authored_for(viewer: User) -> list[AuthoredScenario]:
    """The scenarios this tutor wrote (every authored scenario for an admin)."""
    query = select(AuthoredScenario).order_by(func.lower(AuthoredScenario.title))
    if not _is_admin(viewer):
        query = query.where(AuthoredScenario.author_id == viewer.id)
    return list(db.session.scalars(query))


def get_authored(viewer: User, authored_id: int) -> AuthoredScenario:
    """One of the tutor's own scenarios (any for an admin); NotFound for others."""
    found = db.session.get(AuthoredScenario, authored_id)
    if found is None or (not _is_admin(viewer) and found.author_id != viewer.id):
        raise NotFound("No such scenario.")
    return found


def read_upload(data: bytes, source: str) -> str:
    """The text of an uploaded scenario file; ScenarioError (like the CLI's) when it is too
    large or not UTF-8."""
    if len(data) > SCENARIO_MAX_BYTES:
        raise ScenarioError(
            [Problem(source, None, "", f"the file is larger than {SCENARIO_MAX_BYTES // 1024} KiB")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(source, None, "", "the file is not UTF-8 text")]) from None


def save_authored(
    author: User, text: str, source: str, existing: AuthoredScenario | None = None
) -> AuthoredScenario:
    """Validate a scenario's YAML and save it: a new draft, or an edit of `existing`.
    Raises ScenarioError with line-numbered problems, or ServiceError for a clashing id."""
    text = (text or "").replace("\r\n", "\n")
    if len(text.encode("utf-8")) > SCENARIO_MAX_BYTES:
        raise ScenarioError(
            [Problem(source, None, "", f"the file is larger than {SCENARIO_MAX_BYTES // 1024} KiB")]
        )
    scenario = parse(text, source)
    if scenario.id in library():
        raise ServiceError(
            f"The id {scenario.id!r} belongs to a library scenario; choose another id.", "id"
        )
    clash = db.session.scalar(
        select(AuthoredScenario).where(AuthoredScenario.scenario_id == scenario.id)
    )
    if clash is not None and (existing is None or clash.id != existing.id):
        if clash.author_id == author.id:
            raise ServiceError(
                f"You already have a scenario with the id {scenario.id!r}: edit that one, "
                "or choose another id.",
                "id",
            )
        raise ServiceError(
            f"The id {scenario.id!r} is taken by another tutor's scenario; choose another id.",
            "id",
        )
    verb = "scenario.uploaded" if existing is None else "scenario.edited"
    before = None if existing is None else {"scenario_id": existing.scenario_id}
    if existing is None:
        existing = AuthoredScenario(author_id=author.id, status="draft")
        db.session.add(existing)
    elif existing.status == "published" and existing.scenario_id != scenario.id:
        raise ServiceError(
            f"A published scenario keeps its id ({existing.scenario_id!r}); "
            "upload a new scenario for a new id.",
            "id",
        )
    existing.scenario_id = scenario.id
    existing.title = scenario.title
    existing.source = text
    existing.updated_at = utcnow()
    db.session.flush()
    record_staff_action(
        verb,
        "authored_scenario",
        existing.id,
        actor=author,
        before=before,
        after={"scenario_id": existing.scenario_id, "title": existing.title},
    )
    return existing


def publish_authored(authored: AuthoredScenario) -> AuthoredScenario:
    """Make a draft assignable by every tutor (checked once more against the schema)."""
    if authored.status == "published":
        raise ServiceError("This scenario is already published.")
    parse(authored.source, f"{authored.scenario_id}.yaml")
    if authored.scenario_id in library():
        raise ServiceError(
            f"The library now has a scenario {authored.scenario_id!r}; change this one's id."
        )
    authored.status = "published"
    authored.published_at = utcnow()
    db.session.flush()
    record_staff_action(
        "scenario.published",
        "authored_scenario",
        authored.id,
        before={"status": "draft"},
        after={"status": "published", "scenario_id": authored.scenario_id},
    )
    return authored
