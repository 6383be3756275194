"""Service standards: measurable quality standards agreed with a customer group, and the
monitoring that computes compliance from the sandbox's own records.

A standard without a measurable target ("good service") may be saved as a draft but is
flagged, with the reason, and cannot be marked as agreed: the curriculum's common mistake is
relying on vague descriptions instead of measurable standards with timescales.

The package is split by concern: `measurability` (what a measurable standard needs),
`definition` (creating, changing and agreeing a standard, within its bounds), `monitoring`
(compliance over a period, case by case) and `recording` (manual measurements and findings).
Callers use the names re-exported here.
"""

from __future__ import annotations

from ..errors import ServiceError as ServiceError  # callers catch `standards.ServiceError`
from . import figures
from .definition import (
    MAX_TARGET_VALUE,
    MAX_TIME_ALLOWED,
    agree_standard,
    create_standard,
    snapshot,
    terms,
    update_standard,
)
from .measurability import (
    TIME_MEASURES,
    TIME_UNITS,
    VAGUE_WORDS,
    is_measurable,
    measurability_problems,
    method_problems,
    vague_words,
)
from .monitoring import (
    DEFAULT_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    SYNCHRONOUS_CHANNELS,
    Case,
    Compliance,
    compliance,
    compliance_from,
    series,
    standard_list,
)
from .page import CONVERSATION_ORDER, conversation_select, standard_page
from .recording import add_finding, record_measurement

__all__ = [
    "CONVERSATION_ORDER",
    "conversation_select",
    "standard_page",
    "DEFAULT_WINDOW_DAYS",
    "MAX_TARGET_VALUE",
    "MAX_TIME_ALLOWED",
    "MAX_WINDOW_DAYS",
    "SYNCHRONOUS_CHANNELS",
    "TIME_MEASURES",
    "TIME_UNITS",
    "VAGUE_WORDS",
    "Case",
    "Compliance",
    "ServiceError",
    "add_finding",
    "agree_standard",
    "compliance",
    "compliance_from",
    "figures",
    "create_standard",
    "is_measurable",
    "measurability_problems",
    "method_problems",
    "record_measurement",
    "series",
    "standard_list",
    "snapshot",
    "terms",
    "update_standard",
    "vague_words",
]
