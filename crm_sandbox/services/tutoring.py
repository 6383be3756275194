"""What a tutor does: run their groups and learners, set scenarios with due dates, watch
progress, look after a learner's attempt, and write scenarios of their own.

A tutor acts only on their own groups, the learners in them and those learners' attempts;
an admin may act on all. Anything else is NotFound, so another tutor's ids reveal nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import yaml
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from ..criteria import load_catalogue
from ..models import (
    ActionLogEntry,
    Assignment,
    Attempt,
    AttemptStatus,
    AuthoredScenario,
    Complaint,
    Contact,
    Group,
    ImportJob,
    Role,
    User,
    db,
)
from ..models.base import utcnow
from ..scenarios import engine
from ..scenarios.loader import MAX_FILE_BYTES as SCENARIO_MAX_BYTES
from ..scenarios.loader import Problem, ScenarioError, library
from ..scenarios.loader import parse as _loader_parse
from . import accounts, action_log, assignments, groups, user_import
from .context import SandboxContext
from .errors import NotFound, ServiceError
from .staff_audit import group_of_sandbox, record_staff_action

RESET_REASON_MAX = 500
LOG_LIMIT = 500
CONTACTS_PER_PAGE = 100


def _is_admin(viewer: User) -> bool:
    return viewer.role_enum == Role.ADMIN


# ---------------------------------------------------------------- groups


def qualification_bodies() -> list[tuple[str, str]]:
    """The catalogue's awarding bodies as (id, name), for choosing a group's qualification."""
    return [(body.id, body.name) for body in load_catalogue().bodies]


def _check_body(body_id: str) -> str:
    if body_id not in {b for b, _ in qualification_bodies()}:
        raise ServiceError("Choose a qualification from the list.", field="body_id")
    return body_id


def create_group(tutor: User, name: str, body_id: str) -> Group:
    """Create a group the tutor owns, studying the chosen qualification."""
    _check_body(body_id)
    group = groups.create_group(name=name, tutor=tutor)
    group.body_id = body_id
    db.session.flush()
    return group


def rename_group(group: Group, name: str) -> Group:
    """Give a group a new name (still unique across the college, ignoring capitals)."""
    old_name = group.name
    name = groups.check_group_name(name, renaming=group)
    group.name = name
    db.session.flush()
    if name != old_name:
        record_staff_action(
            "group.renamed",
            "group",
            group.id,
            group_id=group.id,
            before={"name": old_name},
            after={"name": name},
        )
    return group


def archive_group(group: Group) -> Group:
    """Archive a group: it leaves the lists, its learners and their work are kept."""
    if group.archived:
        raise ServiceError("This group is already archived.")
    group.archived = True
    db.session.flush()
    record_staff_action(
        "group.archived",
        "group",
        group.id,
        group_id=group.id,
        before={"archived": False},
        after={"archived": True},
    )
    return group


def restore_group(group: Group) -> Group:
    """Bring an archived group back into the lists."""
    was = group.archived
    group.archived = False
    db.session.flush()
    if was:
        record_staff_action(
            "group.restored",
            "group",
            group.id,
            group_id=group.id,
            before={"archived": True},
            after={"archived": False},
        )
    return group


def add_learner(group: Group, name: str, email: str, by: User | None) -> tuple[User, str | None]:
    """Put a learner in the group as `by`: the existing learner with this email (a tutor only
    one who is in no other tutor's group, see `groups.check_may_add`), or a new account with
    a generated first password (returned so it can be shown once)."""
    email = accounts.normalise_email(email)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        if existing.role_enum != Role.LEARNER:
            raise ServiceError(f"{email} belongs to a {existing.role}, not a learner.", "email")
        if existing in group.learners:
            raise ServiceError(f"{existing.name} is already in this group.", "email")
        groups.add_member(group, existing, by=by)
        return existing, None
    password = accounts.generate_password()
    learner = accounts.create_user(
        name=accounts.check_name(name), email=email, role=Role.LEARNER, password=password
    )
    groups.add_member(group, learner, by=by)
    return learner, password


def _tutor_import_problems(data: bytes, viewer: User) -> list[user_import.ImportProblem]:
    """What a tutor may not do in an import file that an admin may: make staff accounts,
    leave a learner without a group, or add people to another tutor's group."""
    if _is_admin(viewer):
        return []
    try:
        text = user_import.decode_csv(data)
    except ServiceError:
        return []  # import_users reports it
    reader = csv.reader(io.StringIO(text, newline=""))
    problems = []
    found_groups: dict = {}
    try:
        header = [h.strip().lower() for h in next(reader)]
        if any(c not in header for c in user_import.REQUIRED_COLUMNS):
            return []
        index = {c: header.index(c) for c in user_import.REQUIRED_COLUMNS}
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            cells = {c: (record[i].strip() if i < len(record) else "") for c, i in index.items()}
            role = cells["role"].lower()
            if role in {r.value for r in Role} and role != Role.LEARNER.value:
                problems.append(
                    user_import.ImportProblem(
                        line, f"tutors import learners only; ask an admin to add a {role}"
                    )
                )
                continue
            if not cells["group"]:
                problems.append(
                    user_import.ImportProblem(
                        line, "name the learner's group (one of yours, or a new one)"
                    )
                )
                continue
            key = cells["group"].lower()
            if key not in found_groups:  # one query per group named, not per row
                found_groups[key] = groups.find_group(cells["group"])
            found = found_groups[key]
            if found is not None and found.tutor_id != viewer.id:
                problems.append(
                    user_import.ImportProblem(
                        line, f"group {cells['group']!r} belongs to another tutor"
                    )
                )
    except (StopIteration, csv.Error):
        pass  # import_users reports an empty or unreadable file
    return problems


def import_learners(
    data: bytes, viewer: User, filename: str = ""
) -> tuple[ImportJob | None, list[user_import.ImportProblem]]:
    """Check a CSV file of accounts (`name,email,role,group`) and record its import as a job
    to run (the caller commits, then runs it: hashing the passwords takes minutes for a big
    file). Every row or none, with the same per-line problems as the command line; new
    groups belong to the tutor. Returns the job, or every problem (and records nothing). A
    file over the size limit is refused (ServiceError) unread."""
    if len(data) > user_import.MAX_FILE_BYTES:
        raise ServiceError(
            f"The file is larger than {user_import.MAX_FILE_BYTES // (1024 * 1024)} MiB: "
            "split it into smaller files and import each.",
            "file",
        )
    extra = _tutor_import_problems(data, viewer)
    default_tutor = None if _is_admin(viewer) else viewer
    rows, problems = user_import.check(data, default_tutor=default_tutor)
    if extra or problems:
        return None, sorted(problems + extra, key=lambda p: p.line)
    return user_import.start_job(rows, viewer, default_tutor, filename), []


def import_job(viewer: User, job_id: int) -> ImportJob:
    """An import job its viewer started (NotFound for anyone else's)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.created_by_id != viewer.id:
        raise NotFound("import")
    return job


# ---------------------------------------------------------------- assigning


@dataclass(frozen=True)
class AssignableScenario:
    id: str
    title: str
    authored: bool


def assignable_scenarios() -> list[AssignableScenario]:
    """The library's scenarios, then the published ones tutors wrote."""
    shipped = [AssignableScenario(s.id, s.title, False) for s in library().values()]
    shipped.sort(key=lambda s: s.title.lower())
    taken = {s.id for s in shipped}
    written = db.session.scalars(
        select(AuthoredScenario)
        .where(AuthoredScenario.status == "published")
        .order_by(func.lower(AuthoredScenario.title))
    )
    return shipped + [
        AssignableScenario(a.scenario_id, a.title, True)
        for a in written
        if a.scenario_id not in taken
    ]


def end_of_day(day: date) -> datetime:
    """A due date as the last second of that day, UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _due_from(day: date | None) -> datetime | None:
    if day is None:
        return None
    due = end_of_day(day)
    if due < utcnow():
        raise ServiceError("The due date has passed; choose today or a later day.", "due")
    return due


def start_authored_attempts(
    authored: AuthoredScenario,
    learners: list[User],
    set_by: User | None,
    due_at: datetime | None = None,
    group_id: int | None = None,
) -> int:
    """Assign a published authored scenario: an assignment, and an attempt with its own
    sandbox for each learner who has none at it yet. Returns how many were started."""
    if authored.status != "published":
        raise ServiceError("Publish the scenario before assigning it.")
    scenario = parse(authored.source, f"{authored.scenario_id}.yaml")
    return assignments.assign_scenario(
        scenario, authored.source, learners, set_by, due_at, group_id
    )


def assign_to_group(
    viewer: User,
    group: Group,
    scenario_id: str,
    learner_ids: list[int] | None,
    due_on: date | None,
) -> int:
    """Set a scenario (library or published authored) for the whole group, or the chosen
    learners of it, with an optional due date. Returns how many sandboxes were provisioned."""
    if learner_ids is None:
        chosen = list(group.learners)
    else:
        wanted = set(learner_ids)
        chosen = [u for u in group.learners if u.id in wanted]
        if not chosen:
            raise ServiceError("Tick at least one learner, or choose the whole group.", "learners")
    if not chosen:
        raise ServiceError("This group has no learners yet.")
    due_at = _due_from(due_on)
    if scenario_id in library():
        return assignments.assign(scenario_id, chosen, viewer, due_at, group.id)
    authored = db.session.scalar(
        select(AuthoredScenario).where(
            AuthoredScenario.scenario_id == scenario_id, AuthoredScenario.status == "published"
        )
    )
    if authored is None:
        raise ServiceError("Choose a scenario from the list.", "scenario")
    return start_authored_attempts(authored, chosen, viewer, due_at, group.id)


# ---------------------------------------------------------------- progress grid

STATUS_LABELS = {
    "not_assigned": "Not assigned",
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "assessed": "Assessed",
    "returned": "Returned",
    "other_group": "Set in another group",
}


@dataclass
class Cell:
    attempt: Attempt | None
    status: str
    score: float | None = None
    due_at: datetime | None = None
    overdue: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Column:
    assignment: Assignment
    sort_key: str


@dataclass
class Row:
    learner: User
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Grid:
    group: Group
    columns: list[Column]
    rows: list[Row]
    sort: str


def due_of(attempt: Attempt) -> datetime | None:
    """When this learner's attempt is due: their own date, else the assignment's."""
    if attempt.due_at is not None:
        return attempt.due_at
    return attempt.assignment.due_at if attempt.assignment is not None else None


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Past its due date and not handed in."""
    due = due_of(attempt)
    open_states = (AttemptStatus.IN_PROGRESS.value, AttemptStatus.RETURNED.value)
    return due is not None and attempt.status in open_states and due < (now or utcnow())


def progress_grid(group: Group, sort: str = "name") -> Grid:
    """Learners by the group's assignments (one column per scenario): status, latest check
    score and whether overdue. `sort` is "name" or "score-<assignment id>" (best first)."""
    set_for_group = db.session.scalars(
        select(Assignment)
        .where(Assignment.group_id == group.id)
        .order_by(Assignment.created_at, Assignment.id)
    )
    columns: list[Column] = []
    seen = set()
    for assignment in set_for_group:
        if assignment.scenario_id not in seen:  # set twice for different learners: one column
            seen.add(assignment.scenario_id)
            columns.append(Column(assignment, f"score-{assignment.id}"))
    learners = list(group.learners)
    attempts: dict[tuple[int, str], Attempt] = {}
    # A learner who is also in another group may have done the scenario there: that work is
    # the other group's, so the cell says so and shows none of it.
    elsewhere: set[tuple[int, str]] = set()
    if columns and learners:
        ours = case((groups.attempts_in_groups([group.id]), True), else_=False)
        found = db.session.execute(
            select(Attempt, ours)
            .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
            .where(
                Attempt.learner_id.in_([u.id for u in learners]),
                Attempt.scenario_id.in_([c.assignment.scenario_id for c in columns]),
            )
            .options(selectinload(Attempt.assignment))  # due dates, without a query per cell
            .order_by(Attempt.id)
        )
        for attempt, in_group in found:
            if in_group:
                attempts[(attempt.learner_id, attempt.scenario_id)] = attempt
            else:
                elsewhere.add((attempt.learner_id, attempt.scenario_id))
    active = set()
    if attempts:
        active = set(
            db.session.scalars(
                select(Attempt.id)
                .join(
                    ActionLogEntry,
                    and_(
                        ActionLogEntry.sandbox_id == Attempt.sandbox_id,
                        ActionLogEntry.actor_id == Attempt.learner_id,
                    ),
                )
                .where(Attempt.id.in_([a.id for a in attempts.values()]))
                .distinct()
            )
        )
    now = utcnow()
    rows = []
    for learner in learners:
        row = Row(learner)
        for column in columns:
            key = (learner.id, column.assignment.scenario_id)
            attempt = attempts.get(key)
            if attempt is None:
                row.cells.append(Cell(None, "other_group" if key in elsewhere else "not_assigned"))
                continue
            status = attempt.status
            if status == AttemptStatus.IN_PROGRESS.value and attempt.id not in active:
                status = "not_started"
            row.cells.append(
                Cell(
                    attempt, status, attempt.latest_score, due_of(attempt), is_overdue(attempt, now)
                )
            )
        rows.append(row)
    keys = [c.sort_key for c in columns]
    if sort in keys:
        index = keys.index(sort)

        def best_first(r: Row):  # no score last; ties by name
            score = r.cells[index].score
            return (score is None, -(score or 0.0), r.learner.name.lower())

        rows.sort(key=best_first)
    else:
        sort = "name"
        rows.sort(key=lambda r: r.learner.name.lower())
    return Grid(group, columns, rows, sort)


# ---------------------------------------------------------------- a learner's attempt


def get_attempt(viewer: User, attempt_id: int) -> Attempt:
    """An attempt that belongs to one of the tutor's groups (`groups.attempts_in_groups`; any
    attempt for an admin); NotFound for any other, including another group's attempt of a
    learner who is in both groups."""
    query = (
        select(Attempt)
        .outerjoin(Assignment, Attempt.assignment_id == Assignment.id)
        .where(Attempt.id == attempt_id)
    )
    if not _is_admin(viewer):
        query = query.where(groups.attempts_in_groups(groups.staff_group_ids(viewer)))
    attempt = db.session.scalar(query)
    if attempt is None:
        raise NotFound("No such attempt.")
    return attempt


def attempt_timeline(attempt: Attempt, limit: int = LOG_LIMIT) -> list[ActionLogEntry]:
    """The attempt's sandbox log, newest first (the most recent `limit` entries)."""
    return action_log.entries(attempt.sandbox_id, newest_first=True, limit=limit)


def reset_attempt(attempt: Attempt, tutor: User, reason: str) -> Attempt:
    """Start the learner's scenario again in the same sandbox; the reason goes in the log."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason for the reset (it is recorded).", "reason")
    if len(reason) > RESET_REASON_MAX:
        raise ServiceError(f"Keep the reason under {RESET_REASON_MAX} characters.", "reason")
    return engine.reset_attempt(attempt, tutor, reason)


def extend_due_date(attempt: Attempt, tutor: User, day: date) -> Attempt:
    """Give this learner a later due date (the end of `day`, UTC), recorded in the log."""
    if attempt.status in (AttemptStatus.SUBMITTED.value, AttemptStatus.ASSESSED.value):
        raise ServiceError("This work has been handed in; there is no due date to extend.")
    if day is None:
        raise ServiceError("Choose the new due date.", "due")
    new_due = end_of_day(day)
    old_due = due_of(attempt)
    if old_due is not None and new_due <= old_due:
        raise ServiceError(f"Choose a day after the current due date ({old_due:%d %b %Y}).", "due")
    if new_due < utcnow():
        raise ServiceError("That day has passed; choose today or a later day.", "due")
    attempt.due_at = new_due
    db.session.flush()
    action_log.record(
        SandboxContext(attempt.sandbox, tutor),
        "assignment.due_extended",
        "attempt",
        attempt.id,
        before={"due_at": old_due},
        after={"due_at": new_due},
    )
    record_staff_action(
        "attempt.due_changed",
        "attempt",
        attempt.id,
        actor=tutor,
        group_id=group_of_sandbox(attempt.sandbox_id),
        learner_id=attempt.learner_id,
        before={"due_at": old_due},
        after={"due_at": new_due},
    )
    return attempt


def sandbox_contacts(attempt: Attempt, page: int = 1) -> tuple[list[Contact], int, int]:
    """One page of the attempt sandbox's contacts by name, how many there are, and which page
    that is: a page number below the first or past the last (a typed or stale address) shows
    the first or the last page."""
    where = Contact.sandbox_id == attempt.sandbox_id
    total = db.session.scalar(select(func.count()).select_from(Contact).where(where)) or 0
    last_page = max(1, -(-total // CONTACTS_PER_PAGE))
    page = min(max(page, 1), last_page)
    found = db.session.scalars(
        select(Contact)
        .where(where)
        .order_by(Contact.sort_name, Contact.id)
        .offset((page - 1) * CONTACTS_PER_PAGE)
        .limit(CONTACTS_PER_PAGE)
    )
    return list(found), total, page


def sandbox_complaints(attempt: Attempt) -> list[Complaint]:
    """The attempt sandbox's complaints, newest first."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.sandbox_id == attempt.sandbox_id)
            .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        )
    )


# ---------------------------------------------------------------- authoring


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
