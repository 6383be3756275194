"""Importing users from a CSV file (`name,email,role,group`): all rows or none.

Every bad row is reported with its line number and reason; if there is any, nothing is saved.
A tutor row with a group makes that tutor the group's owner (creating the group); learner and
assessor rows join the group named, which must exist or be owned by a tutor in the same file
(or the `default_tutor` given).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..models import Role, User, db
from . import accounts, groups
from .errors import ServiceError

REQUIRED_COLUMNS = ("name", "email", "role", "group")
MAX_ROWS = 5000
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
class _Row:
    line: int
    name: str
    email: str
    role: Role
    group: str


def decode_csv(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8, with or without the byte-order mark Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
            "Save it as 'CSV UTF-8' and try again."
        ) from None


def _parse(text: str, result: ImportResult) -> list[_Row]:
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
    rows: list[_Row] = []
    seen_emails: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                result.problems.append(ImportProblem(line, f"more than {MAX_ROWS} rows"))
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
            if accounts.find_user_by_email(email) is not None:
                result.problems.append(
                    ImportProblem(line, f"an account with {email} already exists")
                )
                continue
            if role == Role.ADMIN and cells["group"]:
                result.problems.append(ImportProblem(line, "admins do not belong to groups"))
                continue
            if len(cells["group"]) > groups.GROUP_NAME_MAX:
                result.problems.append(ImportProblem(line, "the group name is too long"))
                continue
            rows.append(_Row(line, name, email, role, cells["group"]))
    except csv.Error as exc:
        result.problems.append(ImportProblem(reader.line_num, f"cannot read this line: {exc}"))
    return rows


def import_users(
    data: bytes, default_tutor: User | None = None, added_by: User | None = None
) -> ImportResult:
    """Validate every row, then create all the users (and groups) or none of them; members
    join their groups as `added_by` (None: the command line), under `groups.check_may_add`.

    The caller commits on success; on any problem the session is left unchanged.
    """
    result = ImportResult()
    try:
        text = decode_csv(data)
    except ServiceError as exc:
        result.problems.append(ImportProblem(1, exc.message))
        return result
    rows = _parse(text, result)
    if not rows and not result.problems:
        result.problems.append(ImportProblem(2, "no users in the file"))

    # Which tutor owns each new group: a tutor row naming it, else the default tutor.
    owner_rows = {r.group.lower(): r for r in rows if r.role == Role.TUTOR and r.group}
    for row in rows:
        key = row.group.lower()
        if not row.group:
            continue
        existing = groups.find_group(row.group)
        if row.role == Role.TUTOR and existing is not None:
            result.problems.append(
                ImportProblem(row.line, f"group {row.group!r} already has a tutor")
            )
        elif existing is None and key not in owner_rows and default_tutor is None:
            result.problems.append(
                ImportProblem(
                    row.line,
                    f"group {row.group!r} does not exist; add a tutor row for it or name its tutor",
                )
            )
    if result.problems:
        return result

    with db.session.begin_nested():
        created: dict[str, User] = {}
        for row in rows:
            password = accounts.generate_password()
            user = accounts.create_user(
                name=row.name, email=row.email, role=row.role, password=password
            )
            created[row.email] = user
            result.created.append((user, password))
        for row in rows:
            if not row.group:
                continue
            group = groups.find_group(row.group)
            if group is None:
                owner_row = owner_rows.get(row.group.lower())
                owner = created[owner_row.email] if owner_row else default_tutor
                group = groups.create_group(name=row.group, tutor=owner)
                result.groups_created.append(group.name)
            if row.role != Role.TUTOR:
                groups.add_member(group, created[row.email], by=added_by)
    return result
