"""Sandboxes: generated once per (profile, seed, size) as a template, then copied per learner.

Copying is set-based SQL: one `INSERT ... SELECT` per table, ids shifted by an offset and
foreign keys by their parent table's offset, which is some twenty times faster than building
the rows again with Faker or the ORM. A reset deletes the sandbox's rows and copies them again
with the same offsets, so the sandbox gets back the very same rows.

The package is split by concern: `tables` (which tables are copied, and reserving their ids),
`templates` (generating and caching a template), `copying` (copying one sandbox), `batch`
(a class's sandboxes at once), `reset` and `practice` (a learner's own sandboxes). Callers
use the names re-exported here.
"""

from __future__ import annotations

from .batch import GROUP_BATCH, provision_group, provision_missing
from .copying import provision
from .practice import ensure_practice_sandbox, practice_sandbox, sandboxes_of
from .reset import reset
from .tables import NOT_COPIED, copied_tables
from .templates import (
    DEFAULT_PROFILE,
    DEFAULT_SEED,
    DEFAULT_SIZE,
    SIZES,
    find_template,
    get_or_create_template,
)

__all__ = [
    "DEFAULT_PROFILE",
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "GROUP_BATCH",
    "NOT_COPIED",
    "SIZES",
    "copied_tables",
    "ensure_practice_sandbox",
    "find_template",
    "get_or_create_template",
    "practice_sandbox",
    "provision",
    "provision_group",
    "provision_missing",
    "reset",
    "sandboxes_of",
]
