"""A tutor's CSV import of learners: the checks a tutor's file gets on top of the
command line's, and the job that does the import (`user_import` does the work).
"""

from __future__ import annotations

import csv
import io

from ...models import ImportJob, Role, User, db
from ...wording import article
from .. import groups, user_import
from ..errors import NotFound, ServiceError
from .viewers import _is_admin


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
                        line, f"tutors import learners only; ask an admin to add {article(role)}"
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
