"""The seed data's vocabulary: every allowed value an organisation profile may use, in one place.

Where the app's models already name the values (customer segments, channels) they are taken
from there, so a profile can never use a word the CRM does not know.
"""

from __future__ import annotations

from typing import Literal

from crm_sandbox.models.contacts import Segment
from crm_sandbox.models.interactions import Channel

# What a template (an interaction topic, a need, a business name pattern ...) may fill in.
PLACEHOLDERS = (
    "item",
    "ref",
    "amount",
    "date",
    "department",
    "first_name",
    "last_name",
    "town",
)
SEGMENTS = tuple(s.value for s in Segment)
CHANNELS = tuple(c.value for c in Channel)
# Units of a complaints-procedure deadline or a charter promise (the business clock's units).
TIME_UNITS = ("working_days", "working_hours")
# The complaints procedure's levels, in order: every profile has all four, with these names.
PROCEDURE_LEVELS = (
    ("front_line", "Stage 1: front-line resolution"),
    ("supervisor", "Stage 2: supervisor review"),
    ("manager", "Stage 3: manager review"),
    ("external_review", "External review"),
)
POLICIES = ("charter", "returns", "data_protection", "complaints")
ISO_WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # Monday is 1, as date.isoweekday()

# For pydantic: Literal[a_tuple] means Literal[each value of the tuple], so these follow the
# tuples above and cannot drift from them.
SegmentName = Literal[SEGMENTS]
ChannelName = Literal[CHANNELS]
TimeUnit = Literal[TIME_UNITS]
PolicyName = Literal[POLICIES]
