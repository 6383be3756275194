"""Reading and checking an import file against the database, writing nothing: every bad row
with its line number and reason.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ...models import Role, User, db
from .. import accounts, groups
from ..errors import ServiceError

REQUIRED_COLUMNS = ("name", "email", "role", "group")
# The largest import the product supports: its hashing takes minutes, shown as progress.
MAX_ROWS = 1000
MAX_FILE_BYTES = 1024 * 1024
# Roles that are never a group's member: an EQA is granted groups for a period instead.
_NO_GROUP = {
    Role.ADMIN: "admins do not belong to groups",
    Role.EQA: "an EQA does not belong to a group: an admin grants one on the EQA access page",
}


@dataclass
class ImportProblem:
    """What is wrong with one line of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    """What an import made (accounts with their first passwords, new groups), or its
    problems."""

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


def _read_header(reader, result: ImportResult) -> dict[str, int] | None:
    """The position of each required column, or None (with the problem recorded) when the
    header is missing, unreadable or lacks a column."""
    try:
        header = next(reader)
    except StopIteration:
        result.problems.append(ImportProblem(1, "the file is empty; expected a header row"))
        return None
    except csv.Error as exc:
        result.problems.append(ImportProblem(1, f"cannot read the header: {exc}"))
        return None
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
        return None
    return {c: columns.index(c) for c in REQUIRED_COLUMNS}


def _parse(text: str, result: ImportResult) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    index = _read_header(reader, result)
    if index is None:
        return []
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
            if role in (Role.ADMIN, Role.EQA) and cells["group"]:
                result.problems.append(ImportProblem(line, _NO_GROUP[role]))
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
