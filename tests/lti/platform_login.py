"""The platform's side of a launch: the OIDC authorisation endpoint and the deep-linking
return. (Filled in by the launch work.)"""

from __future__ import annotations


def install(platform) -> None:
    """Add this part's routes and records to the platform."""
