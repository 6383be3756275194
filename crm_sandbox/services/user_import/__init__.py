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

The package is split by those steps: `checking` (reading and checking the file), `passwords`
(first passwords and their hashing), `writing` (the one short write, and the command line's
whole import) and `jobs` (a tutor's import run as a background job). Callers use the names
re-exported here.
"""

from __future__ import annotations

from .checking import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ImportProblem,
    ImportResult,
    Row,
    check,
    decode_csv,
)
from .jobs import (
    HEARTBEAT_SECONDS,
    STALE_AFTER_SECONDS,
    job_accounts,
    job_state,
    queue_job,
    run_job,
    start_job,
)
from .passwords import first_password, hash_passwords
from .writing import import_users, write

__all__ = [
    "HEARTBEAT_SECONDS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "STALE_AFTER_SECONDS",
    "ImportProblem",
    "ImportResult",
    "Row",
    "check",
    "decode_csv",
    "first_password",
    "hash_passwords",
    "import_users",
    "job_accounts",
    "job_state",
    "queue_job",
    "run_job",
    "start_job",
    "write",
]
