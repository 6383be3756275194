"""Importing users from a CSV file (`name,email,role,group`): all rows or none.

Every bad row is reported with its line number and reason; if there is any, nothing is saved.
A tutor row with a group makes that tutor the group's owner (creating the group); learner and
assessor rows join the group named, which must exist or be owned by a tutor in the same file
(or the `default_tutor` given).

An import runs in three steps so that it never holds the database's write lock for long:
`check` reads the file and the database (writes nothing); `hash_passwords` runs with no
transaction open, since each password costs a fifth of a second of scrypt; `write` makes every
account and group in one short transaction, checking again what may have changed meanwhile.
The largest file is MAX_ROWS accounts (about three minutes of hashing on one core).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

from .. import database
from ..models import (
    Group,
    ImportJob,
    ImportStatus,
    Role,
    User,
    db,
    group_assessors,
    group_members,
)
from ..models.base import utcnow
from . import accounts, groups
from .errors import ServiceError
from .staff_audit import record_staff_actions

REQUIRED_COLUMNS = ("name", "email", "role", "group")
# The largest import the product supports: its hashing takes minutes, shown as progress.
MAX_ROWS = 1000
MAX_FILE_BYTES = 1024 * 1024


@dataclass
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    created: list[tuple[User, str]] = field(default_factory=list)  # (user, first password)
    groups_created: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Row:
    """One checked line of the file."""

    line: int
    name: str
    email: str
    role: Role
    group: str

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "role": self.role.value,
            "group": self.group,
        }

    @classmethod
    def from_json(cls, data: dict) -> Row:
        return cls(data["line"], data["name"], data["email"], Role(data["role"]), data["group"])


def decode_csv(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8, with or without the byte-order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
            "Save it as 'CSV UTF-8' and try again."
        ) from None


def _parse(text: str, result: ImportResult) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.problems.append(ImportProblem(1, "the file is empty; expected a header row"))
        return []
    except csv.Error as exc:
        result.problems.append(ImportProblem(1, f"cannot read the header: {exc}"))
        return []
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        result.problems.append(
            ImportProblem(
                1,
                f"missing column(s): {', '.join(missing)} "
                f"(the header must be {','.join(REQUIRED_COLUMNS)})",
            )
        )
        return []
    index = {c: columns.index(c) for c in REQUIRED_COLUMNS}
    rows: list[Row] = []
    seen_emails: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                result.problems.append(
                    ImportProblem(
                        line,
                        f"more than {MAX_ROWS} accounts: the largest import is {MAX_ROWS} "
                        "rows; split the file and import each part",
                    )
                )
                break
            cells = {c: (record[i].strip() if i < len(record) else "") for c, i in index.items()}
            try:
                name = accounts.check_name(cells["name"])
                email = accounts.normalise_email(cells["email"])
                role = accounts.parse_role(cells["role"])
            except ServiceError as exc:
                result.problems.append(ImportProblem(line, exc.message))
                continue
            if email in seen_emails:
                result.problems.append(
                    ImportProblem(
                        line, f"duplicate email {email} (first on line {seen_emails[email]})"
                    )
                )
                continue
            seen_emails[email] = line
            if role == Role.ADMIN and cells["group"]:
                result.problems.append(ImportProblem(line, "admins do not belong to groups"))
                continue
            if len(cells["group"]) > groups.GROUP_NAME_MAX:
                result.problems.append(ImportProblem(line, "the group name is too long"))
                continue
            if accounts.has_control_characters(cells["group"]):
                result.problems.append(
                    ImportProblem(line, accounts.CONTROL_CHARACTERS_MESSAGE.format(what="A group"))
                )
                continue
            rows.append(Row(line, name, email, role, cells["group"]))
    except csv.Error as exc:
        result.problems.append(ImportProblem(reader.line_num, f"cannot read this line: {exc}"))
    return rows


def _taken_emails(rows: list[Row]) -> list[ImportProblem]:
    """A problem for each row whose email already has an account (a query per 500 rows)."""
    emails = [row.email for row in rows]
    taken: set[str] = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        taken.update(
            db.session.scalars(
                select(func.lower(User.email)).where(func.lower(User.email).in_(chunk))
            )
        )
    return [
        ImportProblem(row.line, f"an account with {row.email} already exists")
        for row in rows
        if row.email in taken
    ]


def _users_by_email(emails: list[str]) -> dict[str, User]:
    """The accounts with these (normalised) emails, a query per 500."""
    found: dict[str, User] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(
            (u.email, u) for u in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    return found


def _group_problems(rows: list[Row], default_tutor: User | None) -> list[ImportProblem]:
    """Rows naming a group that cannot be used: a tutor for a group that has one, or a new
    group nobody in the file (or the default tutor) would own. One query per group named."""
    problems = []
    owners = {r.group.lower() for r in rows if r.role == Role.TUTOR and r.group}
    existing = {
        key: groups.find_group(key) for key in {row.group.lower() for row in rows if row.group}
    }
    for row in rows:
        if not row.group:
            continue
        found = existing[row.group.lower()]
        if row.role == Role.TUTOR and found is not None:
            problems.append(ImportProblem(row.line, f"group {row.group!r} already has a tutor"))
        elif found is None and row.group.lower() not in owners and default_tutor is None:
            problems.append(
                ImportProblem(
                    row.line,
                    f"group {row.group!r} does not exist; add a tutor row for it or name its tutor",
                )
            )
    return problems


def check(data: bytes, default_tutor: User | None = None) -> tuple[list[Row], list[ImportProblem]]:
    """Read and check every row of a file against the database, writing nothing: the rows
    to import, or every problem with its line number."""
    result = ImportResult()
    try:
        text = decode_csv(data)
    except ServiceError as exc:
        return [], [ImportProblem(1, exc.message)]
    rows = _parse(text, result)
    if not rows and not result.problems:
        result.problems.append(ImportProblem(2, "no users in the file"))
    problems = result.problems + _taken_emails(rows)
    if problems:
        return [], sorted(problems, key=lambda p: p.line)
    problems = _group_problems(rows, default_tutor)
    return ([], problems) if problems else (rows, [])


def first_password(key: bytes, line: int) -> str:
    """A row's first password, derived from the import's secret key and the row's line.

    The background job and the page that shows the passwords both derive them, so no
    password is ever stored; only whoever holds the key (the importing tutor's signed
    session) can see them. Same alphabet and length as `accounts.generate_password`."""
    digest = hmac.new(key, str(line).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")  # 256 bits: 16 base-31 letters use 79 of them
    letters = []
    for _ in range(16):
        number, index = divmod(number, len(accounts.PASSWORD_ALPHABET))
        letters.append(accounts.PASSWORD_ALPHABET[index])
    return "-".join("".join(letters[i : i + 4]) for i in range(0, 16, 4))


def hash_passwords(
    passwords: list[str], progress: Callable[[int], None] | None = None
) -> list[str]:
    """Hash each password (scrypt, the accounts' own cost) with no transaction open, so that
    nobody waits for the database while the CPU works; `progress(done)` after each one.

    Raises RuntimeError if the session is inside a transaction: on SQLite that transaction
    would hold the write lock for the whole hashing."""
    if db.session().in_transaction():
        raise RuntimeError("end the transaction before hashing passwords")
    hashes = []
    for done, password in enumerate(passwords, start=1):
        hashes.append(accounts.hash_password(password))
        if progress is not None:
            progress(done)
    return hashes


def write(
    rows: list[Row],
    hashes: list[str],
    default_tutor: User | None = None,
    by: User | None = None,
) -> ImportResult:
    """Create every account (with its hashed first password) and group, or none: the rows
    are checked again first, since other users may have taken an email or made a group since
    `check`. The caller commits on success and rolls back otherwise; `created` pairs each
    user with an empty password (the caller knows the passwords).

    It runs inside the write lock, so it is a handful of statements whatever the size: one
    batched INSERT of the accounts, one per new group, one of the memberships (the rows were
    validated by `check`; the email's unique index still refuses a duplicate). Each account
    and membership is on the staff audit log as made by `by` (None: the command line)."""
    result = ImportResult()
    result.problems = sorted(
        _taken_emails(rows) + _group_problems(rows, default_tutor), key=lambda p: p.line
    )
    if result.problems:
        return result
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "name": row.name,
                "email": row.email,
                "role": row.role.value,
                "password_hash": password_hash,
                "active": True,
                "created_at": now,
            }
            for row, password_hash in zip(rows, hashes, strict=True)
        ],
    )
    created = _users_by_email([row.email for row in rows])
    result.created = [(created[row.email], "") for row in rows]
    owner_rows = {r.group.lower(): r for r in rows if r.role == Role.TUTOR and r.group}
    group_of: dict[str, Group] = {}
    members, assessors = [], []
    for row in rows:
        if not row.group:
            continue
        key = row.group.lower()
        if key not in group_of:
            group = groups.find_group(row.group)
            if group is None:
                owner_row = owner_rows.get(key)
                owner = created[owner_row.email] if owner_row else default_tutor
                group = groups.create_group(name=row.group, tutor=owner, by=by)
                result.groups_created.append(group.name)
            group_of[key] = group
        link = {"group_id": group_of[key].id, "user_id": created[row.email].id}
        if row.role == Role.LEARNER:
            members.append(link)
        elif row.role == Role.ASSESSOR:
            assessors.append(link)
        elif row.role == Role.ADMIN:
            raise ServiceError("admins do not belong to groups")  # refused by `check`
    for table, links in ((group_members, members), (group_assessors, assessors)):
        if links:
            db.session.execute(insert(table), links)
    for group in group_of.values():
        db.session.expire(group, ["learners", "assessors"])
    _record_on_audit_log(rows, created, group_of, by)
    return result


def _record_on_audit_log(rows: list[Row], created: dict, group_of: dict, by: User | None) -> None:
    """The staff audit rows of an import, batched: each account made, and each membership."""
    actions = []
    for row in rows:
        user = created[row.email]
        learner_id = user.id if row.role == Role.LEARNER else None
        actions.append(
            dict(
                verb="account.created",
                object_type="user",
                object_id=user.id,
                actor=by,
                learner_id=learner_id,
                after=accounts.account_values(user),
            )
        )
        if row.group and row.role in (Role.LEARNER, Role.ASSESSOR):
            learner = row.role == Role.LEARNER
            actions.append(
                dict(
                    verb="group.learner_added" if learner else "group.assessor_added",
                    object_type="user",
                    object_id=user.id,
                    actor=by,
                    group_id=group_of[row.group.lower()].id,
                    learner_id=learner_id,
                    after=None if learner else {"assessor": user.email},
                )
            )
    record_staff_actions(actions)


def import_users(
    data: bytes,
    default_tutor: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check, hash and write a whole file in this process (the command line's import): the
    checking transaction ends before hashing, so the write lock is held only by `write`.

    The caller commits on success (rolls back otherwise); `created` pairs each user with
    their first password."""
    rows, problems = check(data, default_tutor)
    default_tutor_id = default_tutor.id if default_tutor is not None else None
    db.session.rollback()  # nothing was written: only ends the checking transaction
    if problems:
        return ImportResult(problems=problems)
    passwords = [accounts.generate_password() for _ in rows]
    total = len(rows)
    hashes = hash_passwords(passwords, (lambda done: progress(done, total)) if progress else None)
    tutor = db.session.get(User, default_tutor_id) if default_tutor_id is not None else None
    result = write(rows, hashes, tutor)
    if result.ok:
        by_email = dict(zip((r.email for r in rows), passwords, strict=True))
        result.created = [(user, by_email[user.email]) for user, _ in result.created]
    return result


# ---------------------------------------------------------------- background import jobs

# A running job records its progress at least this often; one silent for STALE_AFTER died
# with its process (a restart), and nothing of it was written.
HEARTBEAT_SECONDS = 1.0
STALE_AFTER_SECONDS = 120


def start_job(
    rows: list[Row], created_by: User, default_tutor: User | None, filename: str
) -> ImportJob:
    """Record a checked import as a running job (the caller commits, then runs it)."""
    job = ImportJob(
        created_by_id=created_by.id,
        default_tutor_id=default_tutor.id if default_tutor is not None else None,
        filename=filename[:255],
        status=ImportStatus.RUNNING.value,
        total=len(rows),
        hashed=0,
        rows=[row.as_json() for row in rows],
        groups_created=[],
        problems=[],
    )
    db.session.add(job)
    db.session.flush()
    return job


def _record_progress(job_id: int, hashed: int) -> None:
    # A short write transaction of its own (and a heartbeat: see `job_state`).
    with database.write_transactions():
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(hashed=hashed, heartbeat_at=utcnow())
        )
        db.session.commit()


def run_job(job_id: int, key: bytes) -> None:
    """Do a recorded import: hash every first password with no transaction open (recording
    progress in short transactions of its own), then write every account in one short
    transaction, or record why nothing was written. Runs in a background thread with its
    own app context (or inline, in tests and the benchmark)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != ImportStatus.RUNNING.value:
        db.session.rollback()
        return
    rows = [Row.from_json(r) for r in job.rows]
    default_tutor_id, created_by_id = job.default_tutor_id, job.created_by_id
    db.session.rollback()  # ends the read: no transaction is open while hashing
    passwords = [first_password(key, row.line) for row in rows]
    last = [time.monotonic()]

    def progress(done: int) -> None:
        if done == len(rows) or time.monotonic() - last[0] >= HEARTBEAT_SECONDS:
            _record_progress(job_id, done)
            last[0] = time.monotonic()

    try:
        hashes = hash_passwords(passwords, progress)
        with database.write_transactions():
            tutor = db.session.get(User, default_tutor_id) if default_tutor_id else None
            result = write(rows, hashes, tutor, by=db.session.get(User, created_by_id))
            job = db.session.get(ImportJob, job_id)
            if result.ok:
                ids = {user.email: user.id for user, _ in result.created}
                job.rows = [{"line": row.line, "user_id": ids[row.email]} for row in rows]
                job.groups_created = result.groups_created
                job.status = ImportStatus.DONE.value
            else:
                db.session.rollback()
                job = db.session.get(ImportJob, job_id)
                _fail(job, [[p.line, p.message] for p in result.problems])
            job.finished_at = job.heartbeat_at = utcnow()
            db.session.commit()
    except Exception:
        db.session.rollback()
        with database.write_transactions():
            job = db.session.get(ImportJob, job_id)
            _fail(job, [[1, "the import stopped on an unexpected error; nothing was imported"]])
            job.finished_at = utcnow()
            db.session.commit()
        raise


def _fail(job: ImportJob, problems: list[list]) -> None:
    job.status = ImportStatus.FAILED.value
    job.problems = problems
    job.rows = []  # the names and emails are not kept once they are of no use


def job_state(job: ImportJob) -> str:
    """ "running", "done", "failed", or "stopped": running but silent for too long (its
    process ended; nothing was written)."""
    if job.status == ImportStatus.RUNNING.value:
        silent = (utcnow() - job.heartbeat_at).total_seconds()
        return "stopped" if silent > STALE_AFTER_SECONDS else "running"
    return job.status


def job_accounts(job: ImportJob, key: bytes | None) -> list[tuple[User, str | None]]:
    """The accounts a finished job made, each with its first password when `key` (the
    importing session's secret) is given."""
    ids = [r["user_id"] for r in job.rows]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    out = []
    for r in job.rows:
        user = users.get(r["user_id"])
        if user is None:
            continue
        password = None
        if key is not None:
            password = first_password(key, r["line"])
        out.append((user, password))
    return out


def run_in_background(app, job_id: int, key: bytes) -> threading.Thread:
    """Run a job in a thread of this process, with an app context of its own.

    scrypt releases the GIL, so the worker that started it goes on serving requests; the
    progress is in the database, so any instance can show it."""

    def target() -> None:
        with app.app_context():
            try:
                run_job(job_id, key)
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"import-job-{job_id}", daemon=True)
    thread.start()
    return thread
