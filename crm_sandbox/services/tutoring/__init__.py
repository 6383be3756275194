"""What a tutor does: run their groups and learners, set scenarios with due dates, watch
progress, look after a learner's attempt, and write scenarios of their own.

A tutor acts only on their own groups, the learners in them and those learners' attempts;
an admin may act on all. Anything else is NotFound, so another tutor's ids reveal nothing.

The package is split by concern: `roster` (a group and its learners; a group is created with
`groups.create_group`), `imports` (a tutor's CSV import of learners), `assigning` (setting
scenarios and due dates), `progress` (the progress grid), `attempts` (a learner's attempt)
and `authoring` (scenarios tutors write). Callers use the names re-exported here.
"""

from __future__ import annotations

from .assigning import (
    AssignableScenario,
    assign_to_group,
    assignable_scenarios,
    due_of,
    end_of_day,
    extend_due_date,
    is_overdue,
    start_authored_attempts,
)
from .attempts import (
    CONTACTS_PER_PAGE,
    LOG_LIMIT,
    RESET_REASON_MAX,
    attempt_timeline,
    get_attempt,
    reset_attempt,
    sandbox_complaints,
    sandbox_contacts,
)
from .authoring import (
    authored_for,
    get_authored,
    parse,
    publish_authored,
    read_upload,
    save_authored,
)
from .imports import import_job, import_learners
from .progress import STATUS_LABELS, Cell, Column, Grid, Row, progress_grid
from .roster import add_learner, archive_group, rename_group, restore_group

__all__ = [
    "CONTACTS_PER_PAGE",
    "LOG_LIMIT",
    "RESET_REASON_MAX",
    "STATUS_LABELS",
    "AssignableScenario",
    "Cell",
    "Column",
    "Grid",
    "Row",
    "add_learner",
    "archive_group",
    "assign_to_group",
    "assignable_scenarios",
    "attempt_timeline",
    "authored_for",
    "due_of",
    "end_of_day",
    "extend_due_date",
    "get_attempt",
    "get_authored",
    "import_job",
    "import_learners",
    "is_overdue",
    "parse",
    "progress_grid",
    "publish_authored",
    "read_upload",
    "rename_group",
    "reset_attempt",
    "restore_group",
    "sandbox_complaints",
    "sandbox_contacts",
    "save_authored",
    "start_authored_attempts",
]
