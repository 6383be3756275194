"""The evidence pack: one ZIP per learner with a PDF report for people, the action log as CSV
and JSON, xAPI statements for a learning record store, and a manifest of hashes that lets
anyone check the pack later, without our database (`verify_pack`). Each sandbox's chain head
carries the keyed checkpoint from the database (`log_mac`, see services.action_log): with the
log key, `verify_pack` also proves the chain was not re-hashed, in the database or in the pack.

Building the pack reads only: it never changes a sandbox or its log.

The package is split by concern: `gathering` (what goes in: attempts, logs, judgements,
decisions, staff actions, the criteria map), `exports` (the CSV, JSON and xAPI files and the
ZIP with its manifest), `pdf` (the report for people) and `verification` (checking a pack).
Callers use the names re-exported here.
"""

from __future__ import annotations

from .exports import (
    CONTENT_FILES,
    CSV_HEADER,
    CSV_NAME,
    DEFAULT_HOME_PAGE,
    FORMULA_STARTS,
    JSON_NAME,
    MANIFEST_NAME,
    PACK_FORMAT,
    PACK_VERSION,
    PDF_NAME,
    XAPI_BASE,
    XAPI_NAME,
    action_log_csv,
    action_log_json,
    build_pack,
    home_page,
    pack_filename,
    registration_id,
    spreadsheet_safe,
    statement_id,
    write_pack,
    xapi_lines,
    xapi_statement,
)
from .gathering import (
    MET,
    NOT_STARTED,
    NOT_YET_MET,
    STATUS_ORDER,
    WORKING_TOWARDS,
    AttemptEvidence,
    CriterionStatus,
    Evidence,
    criteria_map,
    gather,
)
from .pdf import plain_text, report_pdf
from .verification import MAX_PACK_BYTES, verify_pack

__all__ = [
    "CONTENT_FILES",
    "CSV_HEADER",
    "CSV_NAME",
    "DEFAULT_HOME_PAGE",
    "FORMULA_STARTS",
    "JSON_NAME",
    "MANIFEST_NAME",
    "MAX_PACK_BYTES",
    "MET",
    "NOT_STARTED",
    "NOT_YET_MET",
    "PACK_FORMAT",
    "PACK_VERSION",
    "PDF_NAME",
    "STATUS_ORDER",
    "WORKING_TOWARDS",
    "XAPI_BASE",
    "XAPI_NAME",
    "AttemptEvidence",
    "CriterionStatus",
    "Evidence",
    "action_log_csv",
    "action_log_json",
    "build_pack",
    "criteria_map",
    "gather",
    "home_page",
    "pack_filename",
    "plain_text",
    "registration_id",
    "report_pdf",
    "spreadsheet_safe",
    "statement_id",
    "verify_pack",
    "write_pack",
    "xapi_lines",
    "xapi_statement",
]
