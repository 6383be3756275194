"""The platform's services: the OAuth2 token endpoint, AGS (line items and scores) and NRPS
(course memberships). (Filled in by the grades and roster work.)"""

from __future__ import annotations


def install(platform) -> None:
    """Add this part's routes and records to the platform."""
